"""Upgrade safety: a stack written by an earlier release keeps working with the current code.

tests/fixtures/state-v<release> holds the program a user of that release wrote, the state that
`pulumi up` left (exported with `pulumi stack export`) and the accounts it left in the cloud
(made by tests/fixtures/make_state_fixture.py at that release; docs/compatibility.md). Every
resource's `__provider` is that release's pickled provider, so refresh, diff and update below run
the old pickles through today's classes (tests/unit/test_compat.py unpickles them directly, which
is all `destroy` needs of them).
"""

from __future__ import annotations

import json

import pytest

from harness import REPO, Stack

# Release -> the passwords its fixture's program gives (the others were generated).
RELEASES = {"0.1.0": {"analyst": "Fixture-Pass1", "orders": "Fixture-Pass2"}}
ACCOUNT_FIELDS = ("account_type", "description", "privileges", "max_user_connections")


def fixture(release: str):
    return REPO / f"tests/fixtures/state-v{release}"


def import_fixture_state(stack: Stack, release: str) -> None:
    """The release's state into this stack; only the local cloud's address (a random port) differs."""
    deployment = json.loads((fixture(release) / "state.json").read_text())
    for resource in deployment["deployment"]["resources"]:
        if resource["type"] == "pulumi:providers:pulumi-python":
            for props in (resource["inputs"], resource["outputs"]):
                props["provisioner:endpoint"] = stack.cloud.url
    path = stack.dir / f"state-v{release}.json"
    path.write_text(json.dumps(deployment))
    stack.pulumi("stack", "import", "--file", str(path))


def restore_cloud_accounts(stack: Stack, release: str, passwords: dict[str, str]) -> None:
    """The accounts as the release left them in the cloud (the local cloud starts empty)."""
    by_name = {out["username"]: passwords[key] for key, out in stack.outputs(secrets=True).items()}
    for account in json.loads((fixture(release) / "cloud.json").read_text()):
        stack.cloud.admin.add_account(account["product"], account["instance_id"], account["name"],
                                      by_name[account["name"]], host=account["host"] or None,
                                      **{k: account[k] for k in ACCOUNT_FIELDS})


@pytest.mark.parametrize("release", sorted(RELEASES))
def test_state_of_a_release_refreshes_previews_and_updates(release, tmp_path, pulumi_bin, localcloud):
    stack = Stack(tmp_path, pulumi_bin, localcloud, name="fixture", source=fixture(release))
    import_fixture_state(stack, release)
    secrets = stack.outputs(secrets=True)
    passwords = {key: secrets[key]["password"] for key in secrets}
    assert {k: passwords[k] for k in RELEASES[release]} == RELEASES[release]
    restore_cloud_accounts(stack, release, passwords)

    stack.refresh("--expect-no-changes")
    stack.preview("--expect-no-changes")

    stack.pulumi("config", "set", "analystDescription", "analysts, upgraded")
    summary = stack.up().stdout
    assert "1 updated" in summary and "replaced" not in summary and "created" not in summary, summary
    admin = localcloud.admin
    analyst = admin.accounts("libradb")[0]
    assert (analyst["description"], analyst["host"]) == ("analysts, upgraded", "10.0.0.8")
    # Nothing else moved: generated passwords stay those of the release.
    assert admin.verify_password("polardb", "pc-localmysql01", "inventory_app", passwords["inventory"])
    assert admin.verify_password("rds", "pgm-localpg14", "catalog_app", passwords["catalog"])
    stack.preview("--expect-no-changes")
