"""The real engine against the local cloud's realistic behaviour (its default: accounts settle a
few hundred ms after each write, deletes complete later with the name still taken, grants show
later, LibraDB accounts are invisible for a moment, busy instances refuse calls)."""

from __future__ import annotations

PASSWORD = "Initial-Pass1"
ACCOUNTS = {
    "owner": {"kind": "rds", "instance_id": "pgm-localpg14", "name": "catalog_owner", "password": PASSWORD,
              "privileges": {"catalog": "DBOwner"}},
    "orders": {"kind": "rds", "instance_id": "rm-localmysql80", "name": "orders_app", "password": PASSWORD,
               "description": "orders-service", "privileges": {"orders": "ReadWrite", "payments": "ReadOnly"}},
    "inventory": {"kind": "polardb", "cluster_id": "pc-localmysql01", "name": "inventory_app", "password": PASSWORD,
                  "description": "inventory service", "privileges": {"inventory": "DMLOnly"}},
    "analyst": {"kind": "libradb", "cluster_id": "libradb-local001", "name": "analyst", "password": PASSWORD,
                "description": "analysts", "privileges": {"databases": {"analytics": ["SELECT"]}}},
}


def refused(cloud, code):
    return sum(c.get(code, 0) for c in cloud.admin.counters()["calls"].values())


def account(cloud, product, name):
    return next(a for a in cloud.admin.accounts(product) if a["name"] == name)


def test_create_with_privileges_on_a_busy_instance_then_refresh_and_one_up_changing_everything(stack):
    cloud = stack.cloud
    assert cloud.admin.behaviour()["profile"] == "realistic"
    # The instance is busy when `up` reaches it: its first account reads and writes are refused
    # with the real busy codes (scripted, so the refusals land whatever the engine's start-up time).
    cloud.admin.script(
        {"match": "rds:DescribeAccounts", "count": 2, "fault": "error", "code": "OperationDenied.DBInstanceStatus",
         "status": 403, "message": "The operation is not permitted due to status of instance."},
        {"match": "rds:CreateAccount", "count": 2, "fault": "error", "code": "ConcurrentTaskExceeded",
         "status": 400, "message": "Concurrent task exceeding the allowed amount."})
    stack.declare(ACCOUNTS)
    stack.up()
    assert refused(cloud, "ConcurrentTaskExceeded") == 2 and refused(cloud, "OperationDenied.DBInstanceStatus") >= 2
    assert account(cloud, "rds", "orders_app")["privileges"] == {"orders": "ReadWrite", "payments": "ReadOnly"}
    assert account(cloud, "rds", "catalog_owner")["privileges"] == {"catalog": "DBOwner"}   # read back as ALL
    stack.refresh("--expect-no-changes")                          # right after up: nothing to show

    changed = {k: dict(v) for k, v in ACCOUNTS.items()}
    for key in ("orders", "inventory", "analyst"):                # password, description, privileges at once
        changed[key]["password"] = "Rotated-Pass2"
        changed[key]["description"] = f"{key}-changed"
    changed["orders"]["privileges"] = {"orders": "ReadOnly", "reporting": "ReadOnly"}
    changed["inventory"]["privileges"] = {"inventory_archive": "ReadOnly"}
    changed["analyst"]["privileges"] = {"databases": {"events": ["SELECT"]}}
    stack.declare(changed)
    stack.up()
    for product, instance, name in (("rds", "rm-localmysql80", "orders_app"), ("polardb", "pc-localmysql01",
                                    "inventory_app"), ("libradb", "libradb-local001", "analyst")):
        assert cloud.admin.verify_password(product, instance, name, "Rotated-Pass2")
    assert account(cloud, "rds", "orders_app")["privileges"] == {"orders": "ReadOnly", "reporting": "ReadOnly"}
    assert account(cloud, "polardb", "inventory_app")["description"] == "inventory-changed"
    stack.preview("--expect-no-changes")


def test_rename_with_slow_deletes_then_destroy_and_up_at_once(stack):
    cloud = stack.cloud
    cloud.admin.set_behaviour(delete_settle=1.0)                  # deletes take a second to complete
    declared = {k: dict(v) for k, v in ACCOUNTS.items() if k != "owner"}
    stack.declare(declared)
    stack.up()
    # A replacement that keeps the name (delete, wait until gone, create) is covered through the
    # adapters (tests/cloud/test_cloud_behaviour.py); through the engine, issue 9's preflight
    # currently refuses it at check ("already exists and is not managed"), on any behaviour.
    declared["inventory"]["name"] = "inventory_svc"               # rename: create the new one, delete the old
    declared["orders"]["name"] = "orders_svc"
    stack.declare(declared)
    stack.up()
    assert [a["name"] for a in cloud.admin.accounts("polardb")] == ["inventory_svc"]
    assert [a["name"] for a in cloud.admin.accounts("rds")] == ["orders_svc"]
    stack.pulumi("destroy", "--yes")
    assert cloud.admin.accounts() == []
    stack.up()                                                    # at once: the names are free again
    assert sorted(a["name"] for a in cloud.admin.accounts()) == ["analyst", "inventory_svc", "orders_svc"]
    stack.preview("--expect-no-changes")
