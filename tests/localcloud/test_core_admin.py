"""The admin interface under /_localcloud/ (and its stdlib client)."""

from __future__ import annotations

import pytest

from provisioner.localcloud.admin_client import AdminRequestError


def _error(call) -> AdminRequestError:
    with pytest.raises(AdminRequestError) as err:
        call()
    return err.value


def test_state_lists_topology_and_accounts_without_password_material(localcloud):
    admin = localcloud.admin
    admin.add_account("rds", "rm-localmysql80", "app_rw", "Pw123456!x", type="Normal",
                      description="orders app", privileges={"orders": "ReadWrite"})
    state = admin.state()
    assert {i["id"] for i in state["instances"]} >= {"libradb-local001", "rm-localmysql80", "pc-localmysql01"}
    (acct,) = state["accounts"]
    assert acct["name"] == "app_rw" and acct["host"] == "" and acct["privileges"] == {"orders": "ReadWrite"}
    assert not [k for k in acct if "password" in k and k != "password_rotation"]
    assert "Pw123456!x" not in str(state)
    assert [i["product"] for i in admin.state("polardb")["instances"]] == ["polardb"]


def test_instance_status_and_lock_mode(localcloud):
    admin = localcloud.admin
    changed = admin.set_instance("rds", "rm-localmysql80", status="Creating", lock_mode="ManualLock")
    assert (changed["status"], changed["lock_mode"]) == ("Creating", "ManualLock")
    assert localcloud.store.get_instance("rds", "rm-localmysql80").lock_mode == "ManualLock"
    assert admin.set_instance("libradb", "libradb-local001", account_quota=3, attrs={"Vport": 1})["attrs"] == {
        "Vip": "127.0.0.1", "Vport": 1, "Zone": "ap-guangzhou-3"}
    assert admin.instance("libradb", "libradb-local001")["account_quota"] == 3
    assert _error(lambda: admin.set_instance("rds", "rm-missing", status="Running")).status == 404
    assert _error(lambda: admin.set_instance("rds", "rm-localmysql80", colour="red")).status == 400


def test_put_instance(localcloud):
    created = localcloud.admin.put_instance(product="polardb", id="pc-extra", engine="PostgreSQL",
                                            version="14", region="cn-beijing", databases=["x"])
    assert created["status"] == "Running"
    assert localcloud.store.get_instance("polardb", "pc-extra").engine == "PostgreSQL"
    assert _error(lambda: localcloud.admin.put_instance(product="aws", id="x", engine="e", version="1",
                                                        region="r")).status == 400


def test_add_account_rules(localcloud):
    admin = localcloud.admin
    created = admin.add_account("libradb", "libradb-local001", "reader", "Pw123456!x")
    assert created["host"] == "%"  # LibraDB default host
    assert admin.add_account("libradb", "libradb-local001", "reader", "Pw123456!x", host="10.0.0.1")["host"] == "10.0.0.1"
    assert _error(lambda: admin.add_account("libradb", "libradb-local001", "reader", "x")).status == 409
    assert _error(lambda: admin.add_account("rds", "rm-missing", "reader", "x")).status == 404
    assert _error(lambda: admin.add_account("aws", "i", "reader", "x")).status == 400
    assert _error(lambda: admin.add_account("rds", "rm-localmysql80", "r", "x", favourite="blue")).status == 400


def test_modify_account_simulates_drift(localcloud):
    admin = localcloud.admin
    admin.add_account("polardb", "pc-localmysql01", "etl", "Pw123456!x", description="etl", type="Normal",
                      privileges={"inventory": "ReadOnly"})
    drifted = admin.modify_account("polardb", "pc-localmysql01", "etl", description="changed by hand",
                                   privileges={"inventory": "ReadWrite"})
    assert drifted["description"] == "changed by hand" and drifted["privileges"] == {"inventory": "ReadWrite"}
    acct = localcloud.store.get_account("polardb", "pc-localmysql01", "etl")
    assert acct.description == "changed by hand" and acct.password_matches("Pw123456!x")
    admin.modify_account("polardb", "pc-localmysql01", "etl", password="New#Pass123")
    assert admin.verify_password("polardb", "pc-localmysql01", "etl", "New#Pass123")
    assert _error(lambda: admin.modify_account("polardb", "pc-localmysql01", "ghost", description="x")).status == 404


def test_delete_account(localcloud):
    admin = localcloud.admin
    admin.add_account("libradb", "libradb-local001", "gone", "Pw123456!x", host="10.1.1.1")
    assert _error(lambda: admin.delete_account("libradb", "libradb-local001", "gone")).status == 404  # host "%"
    assert admin.delete_account("libradb", "libradb-local001", "gone", host="10.1.1.1") == {"deleted": True}
    assert localcloud.store.list_accounts() == []
    # The identity may also travel in the query string (no secret in it).
    admin.add_account("rds", "rm-localmysql80", "q", "Pw123456!x")
    admin.call("DELETE", "accounts", query={"product": "rds", "instance_id": "rm-localmysql80", "name": "q"})
    assert localcloud.store.list_accounts() == []


def test_verify_password(localcloud):
    admin = localcloud.admin
    admin.add_account("rds", "rm-localmysql80", "svc", "Right#Pass1")
    assert admin.verify_password("rds", "rm-localmysql80", "svc", "Right#Pass1") is True
    assert admin.verify_password("rds", "rm-localmysql80", "svc", "Wrong#Pass1") is False
    assert _error(lambda: admin.verify_password("rds", "rm-localmysql80", "nobody", "x")).status == 404


def test_reset(localcloud):
    admin = localcloud.admin
    admin.add_account("rds", "rm-localmysql80", "svc", "Right#Pass1")
    admin.set_instance("rds", "rm-localmysql80", status="Locked")
    localcloud.store.remember_token("polardb", "tok", "rid")
    admin.reset()
    assert admin.state()["accounts"] == [] and localcloud.store.token_request_id("polardb", "tok") is None
    assert admin.instance("rds", "rm-localmysql80")["status"] == "Locked"     # topology kept ...
    admin.reset(reload_seed=True)
    assert admin.instance("rds", "rm-localmysql80")["status"] == "Running"    # ... unless reloaded


def test_seed_accounts_are_loaded_and_restored_by_reset(localcloud_factory):
    seed = {"instances": [{"product": "rds", "id": "rm-1", "engine": "MySQL", "version": "8.0",
                           "region": "cn-hangzhou", "databases": ["app"]}],
            "accounts": [{"product": "rds", "instance_id": "rm-1", "name": "legacy", "password": "Old#Pass123",
                          "type": "Super", "description": "pre-existing"}]}
    cloud = localcloud_factory(seed=seed)
    assert [(a["name"], a["account_type"]) for a in cloud.admin.state()["accounts"]] == [("legacy", "Super")]
    cloud.admin.delete_account("rds", "rm-1", "legacy")
    cloud.admin.reset()
    assert cloud.admin.verify_password("rds", "rm-1", "legacy", "Old#Pass123")


def test_counters_endpoints(localcloud):
    assert localcloud.admin.counters() == {"calls": {}, "injected": {}, "latency": {"delayed_calls": 0, "total_ms": 0.0}}
    localcloud.counters.record("rds", "CreateAccount", "OK")
    assert localcloud.admin.counters()["calls"] == {"rds:CreateAccount": {"total": 1, "OK": 1}}
    localcloud.admin.reset_counters()
    assert localcloud.admin.counters()["calls"] == {}


def test_bad_requests(localcloud):
    admin = localcloud.admin
    assert _error(lambda: admin.call("GET", "nothing-here")).status == 404
    assert _error(lambda: admin.call("PUT", "state")).status == 405
    assert _error(lambda: admin.call("POST", "accounts", body=[1, 2])).status == 400
    assert _error(lambda: admin.call("POST", "accounts", body={"product": "rds"})).status == 400
