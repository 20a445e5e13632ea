"""The stack trace our accounts keep in the state (provisioner/core/sdk_state.py), and that a
state written with the SDK's full traces keeps working."""

from __future__ import annotations

import json

from test_lifecycle import ACCOUNTS


def accounts_in(stack) -> dict[str, dict]:
    # Secrets in plaintext: a ciphertext changes (new nonce) whenever the engine rewrites the state.
    resources = json.loads(stack.pulumi("stack", "export", "--show-secrets").stdout)["deployment"]["resources"]
    return {r["urn"].split("::")[-1]: r for r in resources if r["type"].startswith("pulumi-python:dynamic/provisioner:")}


def test_a_state_written_with_the_sdks_full_traces_previews_and_refreshes_unchanged_then_shrinks(stack):
    stack.declare(ACCOUNTS)
    stack.env["PROVISIONER_TRIM_STATE"] = "0"   # what every earlier version wrote
    stack.up()
    before = accounts_in(stack)
    assert all(len(r["stackTrace"]) > 3 for r in before.values())
    del stack.env["PROVISIONER_TRIM_STATE"]

    stack.preview("--expect-no-changes")
    stack.refresh("--expect-no-changes")
    stack.up("--expect-no-changes")
    after = accounts_in(stack)
    for name, r in after.items():
        assert r["inputs"] == before[name]["inputs"]
        # Every output kept; refresh adds the live value of what was not declared (LibraDB's
        # max_user_connections), as it did before.
        assert {k: r["outputs"].get(k) for k in before[name]["outputs"]} == before[name]["outputs"]
    for name, r in after.items():
        (frame,) = r["stackTrace"]   # the line of the program that declared the account
        assert frame["sourcePosition"].startswith("project:///__main__.py#"), (name, frame)
        assert r["sourcePosition"] == frame["sourcePosition"]
        assert len(json.dumps(r)) < len(json.dumps(before[name])) - 1000
    stack.preview("--expect-no-changes")
