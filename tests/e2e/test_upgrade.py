"""Upgrade safety: a stack written by release 0.1.0 keeps working with the current code.

tests/fixtures/state-v0.1.0 holds the program a 0.1.0 user wrote, the state that `pulumi up`
left (exported with `pulumi stack export`) and the accounts it left in the cloud
(made by tests/fixtures/make_state_fixture.py at that release). Every resource's `__provider`
is that release's pickled provider, so refresh, diff and update below run the old pickles
through today's classes.
"""

from __future__ import annotations

import json

from harness import REPO, Stack

FIXTURE = REPO / "tests/fixtures/state-v0.1.0"
GIVEN_PASSWORDS = {"analyst": "Fixture-Pass1", "orders": "Fixture-Pass2"}   # from the fixture's program
ACCOUNT_FIELDS = ("account_type", "description", "privileges", "max_user_connections")


def import_fixture_state(stack: Stack) -> None:
    """The 0.1.0 state into this stack; only the local cloud's address (a random port) differs."""
    deployment = json.loads((FIXTURE / "state.json").read_text())
    for resource in deployment["deployment"]["resources"]:
        if resource["type"] == "pulumi:providers:pulumi-python":
            for props in (resource["inputs"], resource["outputs"]):
                props["provisioner:endpoint"] = stack.cloud.url
    path = stack.dir / "state-v0.1.0.json"
    path.write_text(json.dumps(deployment))
    stack.pulumi("stack", "import", "--file", str(path))


def restore_cloud_accounts(stack: Stack, passwords: dict[str, str]) -> None:
    """The accounts as 0.1.0 left them in the cloud (the local cloud starts empty)."""
    by_name = {out["username"]: passwords[key] for key, out in stack.outputs(secrets=True).items()}
    for account in json.loads((FIXTURE / "cloud.json").read_text()):
        stack.cloud.admin.add_account(account["product"], account["instance_id"], account["name"],
                                      by_name[account["name"]], host=account["host"] or None,
                                      **{k: account[k] for k in ACCOUNT_FIELDS})


def test_state_of_release_0_1_0_refreshes_previews_and_updates(tmp_path, pulumi_bin, localcloud):
    stack = Stack(tmp_path, pulumi_bin, localcloud, name="fixture", source=FIXTURE)
    import_fixture_state(stack)
    secrets = stack.outputs(secrets=True)
    passwords = {key: secrets[key]["password"] for key in secrets}
    assert {k: passwords[k] for k in GIVEN_PASSWORDS} == GIVEN_PASSWORDS
    restore_cloud_accounts(stack, passwords)

    stack.refresh("--expect-no-changes")
    stack.preview("--expect-no-changes")

    stack.pulumi("config", "set", "analystDescription", "analysts, upgraded")
    preview = stack.preview().stdout
    assert "1 to update" in preview and "replace" not in preview and "create" not in preview, preview
    stack.up()
    admin = localcloud.admin
    analyst = admin.accounts("libradb")[0]
    assert (analyst["description"], analyst["host"]) == ("analysts, upgraded", "10.0.0.8")
    # Nothing else moved: generated passwords stay those of 0.1.0.
    assert admin.verify_password("polardb", "pc-localmysql01", "inventory_app", passwords["inventory"])
    assert admin.verify_password("rds", "pgm-localpg14", "catalog_app", passwords["catalog"])
    assert stack.outputs(secrets=True)["inventory"]["password"] == passwords["inventory"]
    stack.preview("--expect-no-changes")

    stack.pulumi("destroy", "--yes")
    assert admin.accounts() == []
