"""The adapters against the realistic local cloud (its default timing, a few hundred ms): every
asynchronous behaviour is waited out, through the official SDKs over HTTP."""

from __future__ import annotations

import logging
import time

import pytest

from provisioner.core import errors
from provisioner.core.adapter import CloudApiError
from provisioner.localcloud.behaviour import BUSY_REFUSALS

RDS, PG, POLAR, LIBRA = "rm-localmysql80", "pgm-localpg14", "pc-localmysql01", "libradb-local001"
PW = "Passw0rd!2024x"
INSTANCE = {"rds": RDS, "polardb": POLAR, "libradb": LIBRA}
HOST = {"rds": "", "polardb": "", "libradb": "%"}


@pytest.fixture
def localcloud():
    """The local cloud with its default, realistic timing."""
    from provisioner.localcloud.server import LocalCloud

    cloud = LocalCloud().start()
    yield cloud
    cloud.stop()


def calls(cloud, key):
    """Calls of "product:Action" (every outcome), or of "product:Action:Outcome"."""
    action, _, outcome = key.rpartition(":") if key.count(":") == 2 else (key, "", "total")
    return cloud.counters.snapshot()["calls"].get(action, {}).get(outcome, 0)


def refusals(cloud, code):
    return sum(c.get(code, 0) for c in cloud.counters.snapshot()["calls"].values())


def test_rds_create_with_privileges_is_settled_when_it_returns(localcloud, adapter):
    a = adapter("rds")
    a.create_account(RDS, {"name": "app", "privileges": {"orders": "ReadWrite", "payments": "ReadOnly"}}, PW)
    live = a.get_account(RDS, "app", "", fresh=True)
    assert (live.status, live.privileges) == ("Available", {"orders": "ReadWrite", "payments": "ReadOnly"})
    assert calls(localcloud, "rds:GrantAccountPrivilege:OperationDenied.DBInstanceStatus") == 0   # waited first


def test_password_description_and_privileges_one_after_the_other(localcloud, adapter):
    a = adapter("polardb")
    a.create_account(POLAR, {"name": "svc", "account_type": "Normal", "privileges": {"inventory": "ReadOnly"}}, PW)
    a.set_password(POLAR, "svc", "", PW + "2")
    a.set_description(POLAR, "svc", "", "inventory-reader")
    a.set_privileges(POLAR, "svc", "", {"inventory": "ReadOnly"}, {"inventory_archive": "DMLOnly"})
    live = a.get_account(POLAR, "svc", "", fresh=True)
    assert (live.description, live.privileges) == ("inventory-reader", {"inventory_archive": "DMLOnly"})
    assert localcloud.admin.verify_password("polardb", POLAR, "svc", PW + "2")


@pytest.mark.parametrize("product", ["rds", "polardb"])
def test_delete_then_create_the_same_name_at_once(localcloud, adapter, product):
    a = adapter(product)
    account = {"name": "again", "account_type": "Normal"}
    a.create_account(INSTANCE[product], account, PW)
    assert a.delete_account(INSTANCE[product], "again") is True   # returns once the account is gone
    assert a.get_account(INSTANCE[product], "again", "", fresh=True) is None
    a.create_account(INSTANCE[product], account, PW)
    assert a.get_account(INSTANCE[product], "again", "", fresh=True).status == "Available"


def test_create_while_the_name_is_still_being_deleted_by_someone_else(localcloud, adapter):
    localcloud.admin.set_behaviour(delete_settle=1.0)
    first, second = adapter("rds"), adapter("rds")
    first.create_account(RDS, {"name": "reused"}, PW)
    first.client.delete_account(__import__("alibabacloud_rds20140815.models", fromlist=["x"]).DeleteAccountRequest(
        dbinstance_id=RDS, account_name="reused"))                    # not waited: still listed, name taken
    second.create_account(RDS, {"name": "reused"}, PW)
    assert calls(localcloud, "rds:CreateAccount:InvalidAccountName.Duplicate") == 1
    assert second.get_account(RDS, "reused", "", fresh=True).status == "Available"


@pytest.mark.parametrize("product,code", [(p, c) for p, codes in BUSY_REFUSALS.items() for c in codes])
def test_every_busy_code_is_waited_out_on_writes_and_reads(localcloud, adapter, product, code):
    a = adapter(product)
    localcloud.admin.set_behaviour(profile="instant")   # only the busy window: keeps the matrix quick
    a.describe_instance(INSTANCE[product])                # client and connection ready before the window
    localcloud.admin.busy(product, INSTANCE[product], 0.3, code=code, reads=True)
    assert a.get_account(INSTANCE[product], "nobody", HOST[product], fresh=True) is None   # a read, waited out
    assert refusals(localcloud, code) >= 1
    a.create_account(INSTANCE[product], {"name": "patient", "host": HOST[product] or "%", "account_type": "Normal"}, PW)
    assert a.get_account(INSTANCE[product], "patient", HOST[product], fresh=True) is not None


def test_waits_are_logged_at_debug(localcloud, adapter, caplog):
    caplog.set_level(logging.DEBUG, logger="provisioner.cloud")
    localcloud.admin.busy("rds", RDS, 0.3, code="ConcurrentTaskExceeded")
    adapter("rds").create_account(RDS, {"name": "logged"}, PW)
    assert "waiting: ConcurrentTaskExceeded (busy)" in caplog.text
    assert "settled after" in caplog.text


def test_postgresql_owner_reads_back_normalised_and_is_unlocked_to_be_deleted(localcloud, adapter):
    a = adapter("rds")
    a.create_account(PG, {"name": "owner", "privileges": {"catalog": "DBOwner"}}, PW)
    assert a.get_account(PG, "owner", "", fresh=True).privileges == {"catalog": "DBOwner"}   # the cloud says ALL
    assert a.delete_account(PG, "owner") is True
    assert calls(localcloud, "rds:UnlockAccount") == 1
    assert a.get_account(PG, "owner", "", fresh=True) is None


def test_postgresql_revoke_is_refused_with_a_clear_message(localcloud, adapter):
    a = adapter("rds")
    a.create_account(PG, {"name": "owner", "privileges": {"catalog": "DBOwner"}}, PW)
    with pytest.raises(CloudApiError) as err:
        a.set_privileges(PG, "owner", "", {"catalog": "DBOwner"}, {})
    assert "cannot revoke" in str(err.value) and calls(localcloud, "rds:RevokeAccountPrivilege") == 0


@pytest.mark.parametrize("product,status", [("rds", "Deleting"), ("polardb", "Deleting"), ("libradb", "isolated")])
def test_a_never_running_instance_fails_at_once_naming_its_state(localcloud, adapter, product, status):
    localcloud.admin.set_instance(product, INSTANCE[product], status=status)
    start = time.monotonic()
    with pytest.raises(CloudApiError) as err:
        adapter(product, wait_base=5.0).create_account(INSTANCE[product], {"name": "late", "host": "%"}, PW)
    assert time.monotonic() - start < 3
    assert err.value.kind == errors.NOT_READY and f"is {status}, a state that never becomes Running" in str(err.value)


def test_libradb_create_with_privileges_waits_until_the_account_is_visible(localcloud, adapter):
    a = adapter("libradb")
    a.create_account(LIBRA, {"name": "analyst", "host": "%", "privileges": {"databases": {"analytics": ["SELECT"]}}}, PW)
    assert a.get_account(LIBRA, "analyst", "%", fresh=True).privileges["databases"] == {"analytics": ["SELECT"]}
    assert calls(localcloud, "libradb:ModifyLibraDBClusterAccountPrivilege:InvalidParameterValue.AccountNotExistError") == 0


def test_a_change_that_never_settles_gives_up_at_the_wait_timeout(localcloud, adapter):
    localcloud.admin.set_behaviour(account_settle=30)
    with pytest.raises(CloudApiError) as err:
        adapter("rds", wait_timeout=0.5).create_account(RDS, {"name": "stuck"}, PW)
    assert err.value.kind == errors.BUSY and "did not settle" in str(err.value)


def test_sql_server_dbowner_reads_back_normalised(localcloud, adapter):
    from provisioner.localcloud.store import Instance
    localcloud.store.put_instance(Instance("rds", "rm-localmssql", "SQLServer", "2019_std_ha", "cn-hangzhou",
                                           databases=["erp"]))
    a = adapter("rds")
    a.create_account("rm-localmssql", {"name": "erp_owner", "privileges": {"erp": "DBOwner"}}, PW)
    assert a.get_account("rm-localmssql", "erp_owner", "", fresh=True).privileges == {"erp": "DBOwner"}  # cloud: DbOwner


def test_admin_cli_changes_the_behaviour_and_forces_busy(localcloud, capsys):
    from provisioner.cli import main
    assert main(["localcloud-admin", "--url", localcloud.url, "behaviour", '{"account_settle": 2}']) == 0
    assert localcloud.behaviour.delay("account_settle") == 2
    assert main(["localcloud-admin", "--url", localcloud.url, "busy", "rds", RDS, "5", "--code", "LockTimeout",
                 "--reads"]) == 0
    assert localcloud.behaviour.config()["busy"][0]["code"] == "LockTimeout"


def test_two_postgresql_owners_of_one_database_fail_clearly_instead_of_waiting(localcloud, adapter, monkeypatch):
    """Two accounts granted DBOwner on one database at once: one loses it (one owner per
    database), and its wait for the grant to show ends with a clear error, not the wait timeout."""
    from alibabacloud_rds20140815 import models as m

    from provisioner.products.rds.adapter import RdsAdapter
    monkeypatch.setattr(RdsAdapter, "PG_OWNER_GRACE", 0.5)
    a = adapter("rds")
    a.create_account(PG, {"name": "first"}, PW)
    a.create_account(PG, {"name": "second"}, PW)
    real_call = a._call

    def call(action, params, **kw):
        out = real_call(action, params, **kw)
        if action == "GrantAccountPrivilege" and params["AccountName"] == "first":   # someone else, right after
            a.client.grant_account_privilege(m.GrantAccountPrivilegeRequest(
                dbinstance_id=PG, account_name="second", dbname="catalog", account_privilege="DBOwner"))
        return out
    monkeypatch.setattr(a, "_call", call)
    start = time.monotonic()
    with pytest.raises(CloudApiError) as err:
        a.set_privileges(PG, "first", "", {}, {"catalog": "DBOwner"})
    assert "catalog (owned by second)" in str(err.value) and time.monotonic() - start < 10


def test_postgresql_delete_whose_response_was_lost_unlocks_and_deletes(localcloud, adapter):
    """The first DeleteAccount left the owner in Lock and its response was lost: the retry is
    refused (AccountActionForbidden), which waiting would not cure: unlock, delete again."""
    a = adapter("rds")
    a.create_account(PG, {"name": "owner", "privileges": {"catalog": "DBOwner"}}, PW)
    localcloud.admin.script({"match": "rds:DeleteAccount", "count": 1, "fault": "drop_after"})
    start = time.monotonic()
    assert a.delete_account(PG, "owner") is True
    assert a.get_account(PG, "owner", "", fresh=True) is None and time.monotonic() - start < 10
    assert calls(localcloud, "rds:DeleteAccount:AccountActionForbidden") >= 1
