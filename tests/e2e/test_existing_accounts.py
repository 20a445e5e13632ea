"""Existing accounts come under management without a password reset, through the real engine.

A local cloud holding about 50 accounts made by hand on the three products (and a few
privileged and system ones) -> `provisioner discover` over the whole regions -> `pulumi import
--file` of what it wrote, with no cloud write -> `pulumi preview` of the stack code it wrote
shows no change -> every password still verifies -> a declared change applies. And adopt=True
without a password keeps the account's password.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from fleet import INSTANCES, add_instances
from harness import REPO, Stack
from test_safety import writes

PER_INSTANCE = 6   # 9 instances -> 54 declared accounts


def seed(admin) -> dict[tuple[str, str, str, str], str]:
    """Accounts made "by hand": (product, instance, name, host) -> password."""
    add_instances(admin)
    made = {}
    for inst in INSTANCES:
        product, iid = inst["product"], inst["id"]
        for i in range(PER_INSTANCE):
            name, password = f"{product[:3]}_{iid[-2:]}_app{i}", f"Hand-{iid[-2:]}-Pw{i}x"
            fields: dict = {"description": f"made-by-hand-{i}"} if i % 3 else {}
            host = None
            if product == "libradb":
                # The local cloud keeps LibraDB grants in the API's form.
                fields["privileges"] = {"global": [], "database": [{"Db": "analytics", "Privileges": ["SELECT"]}],
                                        "table": [{"Db": "events", "TableName": "clicks", "Privileges": ["INSERT"]}]
                                        if i % 2 else []}
                if i == 1:
                    host = "10.1.2.3"
            elif inst["engine"] == "PostgreSQL":
                fields["privileges"] = {"catalog": "DBOwner"} if i % 2 else {}
            else:
                db = inst["databases"][0]
                fields["privileges"] = {db: ["ReadWrite", "ReadOnly", "DMLOnly"][i % 3]}
            admin.add_account(product, iid, name, password, host=host, **fields)
            made[(product, iid, name, host or ("%" if product == "libradb" else ""))] = password
    # Privileged and system accounts: flagged and left out.
    admin.add_account("rds", "rm-fleet01", "dba", "Dba-Pass-01x", account_type="Super")
    admin.add_account("polardb", "pc-fleet01", "cluster_admin", "Dba-Pass-02x", account_type="Super")
    admin.add_account("libradb", "libradb-fleet01", "ops", "Dba-Pass-03x",
                      privileges={"global": ["DROP", "RELOAD", "SELECT"], "database": [], "table": []})
    admin.add_account("libradb", "libradb-fleet01", "mysql.sys", "Sys-Pass-04x")
    return made


def discover(stack: Stack, out: Path) -> subprocess.CompletedProcess:
    env = {**stack.env, "PROVISIONER_ENDPOINT": stack.cloud.url}
    proc = subprocess.run([sys.executable, "-m", "provisioner.cli", "discover",
                           "--program", str(out / "__main__.py"), "--import-file", str(out / "import.json")],
                          env=env, cwd=out, capture_output=True, text=True, timeout=300)
    # 1: some instance could not be read (the seed's isolated cluster, if the cloud refuses it):
    # none of the fleet's may be among them.
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    assert not any(i["id"] in line for line in proc.stderr.splitlines() if line.startswith("not read")
                   for i in INSTANCES), proc.stderr
    return proc


def edit(code: str, account: str, old: str, new: str) -> str:
    """Change one argument of the generated declaration of `account`."""
    start = code.index(f"name='{account}',")
    end = code.index("))", start)
    assert old in code[start:end], code[start:end]
    return code[:start] + code[start:end].replace(old, new) + code[end:]


def test_discover_import_preview_no_change_passwords_kept_then_a_change_applies(tmp_path, pulumi_bin, localcloud):
    admin = localcloud.admin
    made = seed(admin)
    stack = Stack(tmp_path, pulumi_bin, localcloud, source=REPO / "tests/e2e/existing")
    admin.reset_counters()
    listing = discover(stack, stack.dir).stdout
    assert writes(localcloud) == {}
    assert "privileged (Super account)" in listing and "privileged (global DROP, RELOAD)" in listing, listing
    assert "mysql.sys" in listing and "cannot be declared" in listing, listing
    document = json.loads((stack.dir / "import.json").read_text())
    assert len(document["resources"]) == len(made) == 54
    code = (stack.dir / "__main__.py").read_text()
    assert "password" not in code.split('"""', 2)[2].replace("password_version", "").replace("password=", ""), code

    stack.pulumi("import", "--file", str(stack.dir / "import.json"), "--generate-code=false",
                 "--protect=false", "--yes")   # the command the generated code and README give
    assert writes(localcloud) == {}
    exported = json.loads(stack.export())["deployment"]["resources"]
    accounts = [r for r in exported if r["type"].startswith("pulumi-python:dynamic/provisioner:")]
    assert len(accounts) == 54 and all(r["outputs"]["password_managed"] is False for r in accounts)

    stack.preview("--expect-no-changes")
    assert writes(localcloud) == {}
    for (product, iid, name, host), password in made.items():
        assert admin.verify_password(product, iid, name, password, host=host or None), (product, iid, name)

    # A declared change applies: a description, a privilege and a declared password.
    code = edit(code, "rds_01_app1", "description='made-by-hand-1'", "description='changed-in-code'")
    code = edit(code, "pol_01_app0", "privileges={'inventory': 'ReadWrite'}",
                "privileges={'inventory': 'ReadOnly'},\n    password='Declared-Pw1x'")
    (stack.dir / "__main__.py").write_text(code)
    out = stack.up().stdout
    assert "2 updated" in out, out
    rds = {a["name"]: a for a in admin.accounts("rds", "rm-fleet01")}
    assert rds["rds_01_app1"]["description"] == "changed-in-code"
    polar = {a["name"]: a for a in admin.accounts("polardb", "pc-fleet01")}
    assert polar["pol_01_app0"]["privileges"] == {"inventory": "ReadOnly"}
    assert admin.verify_password("polardb", "pc-fleet01", "pol_01_app0", "Declared-Pw1x")
    assert admin.verify_password("rds", "rm-fleet01", "rds_01_app1", made[("rds", "rm-fleet01", "rds_01_app1", "")])


def test_adopt_without_a_password_keeps_the_password(stack):
    admin = stack.cloud.admin
    admin.add_account("rds", "rm-localmysql80", "legacy_app", "Legacy-Pass1", description="made-by-hand")
    stack.declare({"legacy": {"kind": "rds", "instance_id": "rm-localmysql80", "name": "legacy_app",
                              "description": "adopted", "privileges": {"orders": "ReadOnly"}, "adopt": True}})
    stack.up()
    (account,) = admin.accounts("rds")
    assert (account["description"], account["privileges"]) == ("adopted", {"orders": "ReadOnly"})
    assert admin.verify_password("rds", "rm-localmysql80", "legacy_app", "Legacy-Pass1")
    assert stack.outputs()["legacy"]["password"] is None
    stack.preview("--expect-no-changes")
