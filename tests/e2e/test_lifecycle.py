"""The account lifecycle through the real engine: up, preview, refresh, update, replace, destroy."""

from __future__ import annotations

PASSWORD = "Initial-Pass1"

ACCOUNTS = {
    "analyst": {"kind": "libradb", "cluster_id": "libradb-local001", "name": "analyst",
                "description": "read-only analysts", "password": PASSWORD,
                "privileges": {"databases": {"analytics": ["select", "SHOW VIEW"], "events": ["SELECT"]}}},
    "orders": {"kind": "rds", "instance_id": "rm-localmysql80", "name": "orders_app", "password": PASSWORD,
               "description": "orders-service", "privileges": {"orders": "ReadWrite", "payments": "ReadWrite"}},
    "inventory": {"kind": "polardb", "cluster_id": "pc-localmysql01", "name": "inventory_app",
                  "description": "inventory service", "privileges": {"inventory": "DMLOnly"}},
}


def names(cloud, product):
    return sorted(a["name"] for a in cloud.admin.accounts(product))


def test_up_then_preview_and_refresh_show_no_changes(stack):
    stack.declare(ACCOUNTS)
    stack.up()
    assert names(stack.cloud, "libradb") == ["analyst"]
    assert names(stack.cloud, "rds") == ["orders_app"]
    polar = stack.cloud.admin.accounts("polardb")
    assert [(a["name"], a["account_type"]) for a in polar] == [("inventory_app", "Normal")]
    stack.preview("--expect-no-changes")
    stack.refresh()
    stack.preview("--expect-no-changes")
    assert stack.cloud.admin.verify_password("rds", "rm-localmysql80", "orders_app", PASSWORD)
    shown = stack.outputs()
    assert shown["inventory"]["endpoint"] == "pc-localmysql01.rwlb.rds.aliyuncs.com:3306"
    assert shown["orders"]["endpoint"] == "rm-localmysql80.mysql.rds.aliyuncs.com:3306"
    assert shown["analyst"]["endpoint"] == "127.0.0.1:9030"
    assert shown["orders"]["password"] == "[secret]"
    generated = stack.outputs(secrets=True)["inventory"]["password"]
    assert stack.cloud.admin.verify_password("polardb", "pc-localmysql01", "inventory_app", generated)


def test_changes_update_in_place_and_rename_replaces(stack):
    stack.declare(ACCOUNTS)
    stack.up()
    changed = {k: dict(v) for k, v in ACCOUNTS.items()}
    changed["analyst"]["description"] = "analysts, now with events"
    changed["orders"]["password"] = "Rotated-Pass2"
    changed["orders"]["privileges"] = {"orders": "ReadOnly"}
    changed["inventory"]["password_version"] = "2"
    stack.declare(changed)
    preview = stack.preview().stdout
    assert "3 to update" in preview and "replace" not in preview, preview
    old_generated = stack.outputs(secrets=True)["inventory"]["password"]
    stack.up()
    admin = stack.cloud.admin
    assert admin.verify_password("rds", "rm-localmysql80", "orders_app", "Rotated-Pass2")
    orders = admin.accounts("rds")[0]
    assert orders["privileges"] == {"orders": "ReadOnly"}
    assert admin.accounts("libradb")[0]["description"] == "analysts, now with events"
    new_generated = stack.outputs(secrets=True)["inventory"]["password"]
    assert new_generated != old_generated
    assert admin.verify_password("polardb", "pc-localmysql01", "inventory_app", new_generated)
    stack.preview("--expect-no-changes")

    changed["orders"]["name"] = "orders_svc"
    stack.declare(changed)
    preview = stack.preview().stdout
    assert "1 to replace" in preview, preview
    stack.up()
    assert names(stack.cloud, "rds") == ["orders_svc"]
    stack.preview("--expect-no-changes")


def test_out_of_band_changes_detected_by_refresh_and_restored_by_up(stack):
    stack.declare(ACCOUNTS)
    stack.up()
    admin = stack.cloud.admin
    admin.delete_account("rds", "rm-localmysql80", "orders_app")
    admin.modify_account("polardb", "pc-localmysql01", "inventory_app", description="changed by hand",
                         privileges={"inventory": "ReadWrite"})
    admin.modify_account("libradb", "libradb-local001", "analyst", host="%", privileges={"global": ["SELECT"]})
    stack.refresh()
    preview = stack.preview().stdout
    assert "1 to create" in preview and "2 to update" in preview, preview
    stack.up()
    assert names(stack.cloud, "rds") == ["orders_app"]
    inventory = admin.accounts("polardb")[0]
    assert inventory["description"] == "inventory service" and inventory["privileges"] == {"inventory": "DMLOnly"}
    analyst = admin.accounts("libradb")[0]
    assert analyst["privileges"]["global"] == []
    stack.preview("--expect-no-changes")


def test_adopting_an_account_that_exists_before_the_first_up(stack):
    admin = stack.cloud.admin
    admin.add_account("rds", "rm-localmysql80", "legacy_app", "Legacy-Pass1", description="made-by-hand")
    declared = {"legacy": {"kind": "rds", "instance_id": "rm-localmysql80", "name": "legacy_app",
                           "password": "Adopted-Pass1", "description": "adopted",
                           "privileges": {"orders": "ReadOnly"}}}
    stack.declare(declared)
    failed = stack.up(check=False)
    assert failed.returncode != 0
    assert "already exists" in failed.stdout + failed.stderr and "adopt=True" in failed.stdout + failed.stderr
    declared["legacy"]["adopt"] = True
    stack.declare(declared)
    stack.up()
    account = admin.accounts("rds")[0]
    assert (account["name"], account["description"], account["privileges"]) == ("legacy_app", "adopted",
                                                                                 {"orders": "ReadOnly"})
    assert admin.verify_password("rds", "rm-localmysql80", "legacy_app", "Adopted-Pass1")
    stack.preview("--expect-no-changes")


def test_invalid_spec_fails_preview_naming_the_field_with_no_cloud_write(stack):
    stack.declare({"bad": {"kind": "polardb", "cluster_id": "pc-localmysql01", "name": "Admin",
                           "password": "short"}})
    before = stack.cloud.admin.counters()
    failed = stack.preview(check=False)
    text = failed.stdout + failed.stderr
    assert failed.returncode != 0
    assert "name" in text and "lower-case" in text, text
    assert "password" in text and "8 to 32" in text, text
    assert "short" not in text.replace("shortest", "")
    after = stack.cloud.admin.counters()
    assert after == before
    assert stack.cloud.admin.accounts() == []


def test_destroy_leaves_no_accounts(stack):
    stack.declare(ACCOUNTS)
    stack.up()
    assert len(stack.cloud.admin.accounts()) == 3
    stack.pulumi("destroy", "--yes")
    assert stack.cloud.admin.accounts() == []
