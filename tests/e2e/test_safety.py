"""Ordinary edits to stack code never lose a live account, and `preview` refuses what `up` would.

Through the real engine: a rename without aliases, a Normal -> Super replace that the API would
refuse half-way, adopting a Super account declared Normal, the same account declared twice, a
privilege on a database that does not exist. Each fails at `preview`, touches nothing, and says
what to do; the rename with an alias (or with adopt=True) keeps the account and its password.
"""

from __future__ import annotations

PASSWORD = "Kept-Pass1x"
ORDERS = {"kind": "rds", "instance_id": "rm-localmysql80", "name": "orders_app", "password": PASSWORD,
          "description": "orders-service", "privileges": {"orders": "ReadWrite"}}
WRITES = ("CreateAccount", "DeleteAccount", "ResetAccountPassword", "ModifyAccountPassword",
          "ModifyAccountDescription", "GrantAccountPrivilege", "RevokeAccountPrivilege")


def writes(cloud) -> dict[str, int]:
    calls = cloud.admin.counters()["calls"]
    return {k: v["total"] for k, v in calls.items() if k.split(":", 1)[1] in WRITES}


def failed(proc) -> str:
    assert proc.returncode != 0, proc.stdout
    out = proc.stdout + proc.stderr
    assert "Exception calling application" not in out, out
    return out


def test_rename_without_alias_is_refused_and_an_alias_keeps_the_account(stack):
    stack.declare({"orders": ORDERS})
    stack.up()
    stack.cloud.admin.reset_counters()
    stack.declare({"orders-db": ORDERS})          # renamed in the program, nothing else
    out = failed(stack.preview(check=False))
    assert "this stack manages it as resource 'orders'" in out, out
    assert 'aliases=[pulumi.Alias(name="orders")]' in out, out
    failed(stack.up(check=False))
    assert writes(stack.cloud) == {}
    assert stack.cloud.admin.verify_password("rds", "rm-localmysql80", "orders_app", PASSWORD)

    stack.declare({"orders-db": {**ORDERS, "aliases": ["orders"]}})   # the advice, as given
    stack.preview("--expect-no-changes")
    stack.up()
    assert writes(stack.cloud) == {}
    assert [a["name"] for a in stack.cloud.admin.accounts("rds")] == ["orders_app"]
    assert stack.cloud.admin.verify_password("rds", "rm-localmysql80", "orders_app", PASSWORD)
    assert "orders-db" in stack.outputs()


def test_rename_with_adopt_keeps_the_account_the_old_resource_would_delete(stack):
    stack.declare({"orders": ORDERS})
    stack.up()
    stack.declare({"orders-db": {**ORDERS, "adopt": True}})
    out = stack.up().stdout
    assert "kept rds account 'orders_app' on rm-localmysql80" in out, out
    assert [a["name"] for a in stack.cloud.admin.accounts("rds")] == ["orders_app"]
    assert stack.cloud.admin.verify_password("rds", "rm-localmysql80", "orders_app", PASSWORD)
    stack.refresh()
    stack.preview("--expect-no-changes")


def test_normal_to_super_with_privileges_is_refused_at_preview(stack):
    stack.declare({"orders": ORDERS})
    stack.up()
    stack.cloud.admin.reset_counters()
    stack.declare({"orders": {**ORDERS, "account_type": "Super"}})
    out = failed(stack.preview(check=False))
    assert "takes no per-database grants" in out and "IncorrectAccountType" in out, out
    failed(stack.up(check=False))
    assert writes(stack.cloud) == {}
    (account,) = stack.cloud.admin.accounts("rds")
    assert account["account_type"] == "Normal" and account["privileges"] == {"orders": "ReadWrite"}
    assert stack.cloud.admin.verify_password("rds", "rm-localmysql80", "orders_app", PASSWORD)


def test_adopting_a_super_account_declared_normal_is_refused_before_any_write(stack):
    admin = stack.cloud.admin
    admin.add_account("polardb", "pc-localmysql01", "dba", "Hand-Made1x", account_type="Super",
                      description="the DBA")
    admin.reset_counters()
    stack.declare({"dba": {"kind": "polardb", "cluster_id": "pc-localmysql01", "name": "dba", "adopt": True,
                           "description": "managed now", "privileges": {"inventory": "ReadOnly"}}})
    out = failed(stack.preview(check=False))
    assert "exists as a Super account but is declared Normal" in out, out
    failed(stack.up(check=False))
    assert writes(stack.cloud) == {}
    (dba,) = [a for a in admin.accounts("polardb") if a["name"] == "dba"]
    assert dba["description"] == "the DBA"
    assert admin.verify_password("polardb", "pc-localmysql01", "dba", "Hand-Made1x")


def test_the_same_account_declared_twice_fails_at_preview(stack):
    stack.declare({"orders": ORDERS, "orders-again": {**ORDERS, "description": "second-declaration"}})
    out = failed(stack.preview(check=False))
    assert "is declared by two resources of this program, 'orders' and 'orders-again'" in out \
        or "is declared by two resources of this program, 'orders-again' and 'orders'" in out, out
    assert writes(stack.cloud) == {}


def test_missing_databases_and_accounts_made_outside_fail_at_preview_with_shared_reads(stack):
    admin = stack.cloud.admin
    admin.add_account("rds", "rm-localmysql80", "legacy", "Hand-Made1x")
    admin.reset_counters()
    stack.declare({"reports": {"kind": "rds", "instance_id": "rm-localmysql80", "name": "reports",
                               "privileges": {"orders": "ReadOnly", "nosuchdb": "ReadOnly"}}})
    out = failed(stack.preview(check=False))
    assert "privileges.nosuchdb: database 'nosuchdb' does not exist on instance rm-localmysql80" in out, out
    assert "privileges.orders" not in out, out
    stack.declare({"legacy": {"kind": "rds", "instance_id": "rm-localmysql80", "name": "legacy"}})
    out = failed(stack.preview(check=False))
    assert "'legacy' on rm-localmysql80 already exists and is not managed by this stack" in out, out
    assert "set adopt=True on 'legacy'" in out, out
    assert writes(stack.cloud) == {}
    calls = admin.counters()["calls"]
    # Read-only, and one of each per instance and preview (each preview is a new provider process).
    assert calls["rds:DescribeDBInstanceAttribute"]["total"] == 2, calls
    assert calls["rds:DescribeAccounts"]["total"] == 2, calls
    assert calls["rds:DescribeDatabases"]["total"] == 2, calls


def test_a_preview_with_nothing_to_change_makes_no_cloud_call(stack):
    stack.declare({"orders": ORDERS, "analyst": {"kind": "libradb", "cluster_id": "libradb-local001",
                                                  "name": "analyst", "privileges": {"global": ["SELECT"]}}})
    stack.up()
    stack.cloud.admin.reset_counters()
    stack.preview("--expect-no-changes")
    assert stack.cloud.admin.counters()["calls"] == {}


def test_a_failed_preview_does_not_wait_for_the_engine_to_kill_the_language_host(stack):
    # The engine interrupts the language host, then waits for its output to close (5 s at most)
    # before killing it; it logs "process already finished" when it had to wait it out.
    # An unknown instance: only the provider's (live) check can tell, so the engine stops the run.
    # (A rule that needs no cloud call is reported by the program itself: precheck.py.)
    stack.declare({"legacy": {"kind": "rds", "instance_id": "rm-nonexistent", "name": "legacy"}})
    out = failed(stack.preview("--logtostderr", "-v=3", check=False))
    assert "has a problem" in out and "process already finished" not in out, out


def test_a_delete_before_replace_that_can_succeed_goes_through(stack):
    # The engine checks a resource it replaces twice, the second time without its old inputs:
    # that second check must not take the account being replaced for one made outside the stack.
    etl = {"kind": "libradb", "cluster_id": "libradb-local001", "name": "etl", "password": PASSWORD,
           "max_user_connections": 10}
    dba = {"kind": "polardb", "cluster_id": "pc-localmysql01", "name": "dba_app", "password": PASSWORD}
    stack.declare({"etl": etl, "dba": dba})
    stack.up()
    stack.declare({"etl": {**etl, "max_user_connections": 20}, "dba": {**dba, "account_type": "Super"}})
    assert "2 to replace" in stack.preview().stdout
    stack.up()
    admin = stack.cloud.admin
    assert [a["max_user_connections"] for a in admin.accounts("libradb")] == [20]
    assert [a["account_type"] for a in admin.accounts("polardb") if a["name"] == "dba_app"] == ["Super"]
    assert admin.verify_password("libradb", "libradb-local001", "etl", PASSWORD, host="%")
    stack.preview("--expect-no-changes")
