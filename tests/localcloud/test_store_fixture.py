"""A state file written before the store had a schema version still opens, reads and writes
(store.MIGRATIONS bring it to SCHEMA_VERSION on open).

tests/localcloud/fixtures/state-v1.sqlite was written by the local cloud at commit ba6b8b7 (the
last schema without PRAGMA user_version): `LocalCloud(state=..., behaviour="instant")`, then
admin add-account for libradb (host 10.0.0.%, max_user_connections 20, privileges) and rds,
admin set-status rds rm-localmysql80 --lock-mode ManualLock, and a PolarDB CreateAccount through
the official SDK with ClientToken "fixture-token-1" (DBName inventory, ReadOnly). The password
of every account is in PASSWORDS. Tests work on a copy: the committed file never changes.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from provisioner.localcloud.store import SCHEMA_VERSION, Account, Store

FIXTURE = Path(__file__).parent / "fixtures" / "state-v1.sqlite"
PASSWORDS = {"analyst": "Str0ng*Passw0rd", "orders_app": "Pw123456!x", "etl": "Pw123456!x"}


@pytest.fixture
def state(tmp_path) -> Path:
    copy = tmp_path / "state.sqlite"
    shutil.copyfile(FIXTURE, copy)
    return copy


def _schema(path: Path) -> tuple[int, list[str]]:
    """(user_version, the accounts table's columns)."""
    db = sqlite3.connect(path)
    try:
        return (db.execute("PRAGMA user_version").fetchone()[0],
                [row[1] for row in db.execute("PRAGMA table_info(accounts)")])
    finally:
        db.close()


def test_the_fixture_is_the_unversioned_schema_and_opening_migrates_it(state):
    version, columns = _schema(state)   # on the copy: even a read-only open of a WAL file writes beside it
    assert version == 0 and "max_user_connections" in columns and "extra" not in columns
    Store(state).close()
    version, columns = _schema(state)
    assert version == SCHEMA_VERSION == 2
    assert "extra" in columns and "max_user_connections" not in columns and "password_rotation" not in columns


def test_old_state_reads(state):
    store = Store(state)
    try:
        accounts = {a.name: a for a in store.list_accounts()}
        assert sorted(accounts) == ["analyst", "etl", "orders_app"]
        analyst = accounts["analyst"]
        assert (analyst.product, analyst.host, analyst.description) == ("libradb", "10.0.0.%", "reports")
        assert analyst.max_user_connections == 20 and analyst.password_rotation is None
        assert analyst.privileges == {"global": ["PROCESS"], "database": [{"Db": "analytics", "Privileges": ["SELECT"]}],
                                      "table": []}
        assert accounts["orders_app"].privileges == {"orders": "ReadWrite"}
        assert accounts["etl"].privileges == {"inventory": "ReadOnly"}
        for name, acct in accounts.items():
            assert acct.password_matches(PASSWORDS[name]) and not acct.password_matches(PASSWORDS[name] + "x")
        assert store.get_instance("rds", "rm-localmysql80").lock_mode == "ManualLock"
        assert store.token_request_id("polardb", "fixture-token-1") is not None
    finally:
        store.close()


def test_old_state_takes_writes_that_survive_a_reopen(state):
    store = Store(state)
    try:
        new = Account("libradb", "libradb-local001", "writer", "%", max_user_connections=7, password_rotation=1,
                      privileges={"global": [], "database": [], "table": []})
        new.set_password("Str0ng*Passw0rd")
        store.insert_account(new)
        analyst = store.get_account("libradb", "libradb-local001", "analyst", "10.0.0.%")
        analyst.max_user_connections, analyst.description = 30, "changed"
        store.save_account(analyst)
        assert store.delete_account("rds", "rm-localmysql80", "orders_app")
    finally:
        store.close()
    store = Store(state)
    try:
        writer = store.get_account("libradb", "libradb-local001", "writer", "%")
        assert (writer.max_user_connections, writer.password_rotation) == (7, 1)
        analyst = store.get_account("libradb", "libradb-local001", "analyst", "10.0.0.%")
        assert (analyst.max_user_connections, analyst.description) == (30, "changed")
        assert store.get_account("rds", "rm-localmysql80", "orders_app") is None
    finally:
        store.close()


def test_a_cloud_serves_old_state(state, localcloud_factory):
    """Through the official SDKs: the accounts are there, the token replays, writes work."""
    from alibabacloud_polardb20170801 import models as pm
    from alibabacloud_polardb20170801.client import Client as PolarDB
    from alibabacloud_rds20140815 import models as rm
    from alibabacloud_rds20140815.client import Client as Rds
    from alibabacloud_tea_openapi.models import Config

    cloud = localcloud_factory(state=state, faults={"rate_limits": {}})
    config = Config(access_key_id=cloud.access_key, access_key_secret=cloud.secret_key, endpoint=cloud.endpoint,
                    protocol="http", region_id="cn-hangzhou")
    listed = Rds(config).describe_accounts(rm.DescribeAccountsRequest(dbinstance_id="rm-localmysql80")).body
    assert [(a.account_name, a.account_description) for a in listed.accounts.dbinstance_account] == \
        [("orders_app", "orders-service")]
    first = cloud.store.token_request_id("polardb", "fixture-token-1")
    replay = pm.CreateAccountRequest(dbcluster_id="pc-localmysql01", account_name="etl", account_password="Pw123456!x",
                                     account_type="Normal", dbname="inventory", account_privilege="ReadOnly",
                                     client_token="fixture-token-1")
    assert PolarDB(config).create_account(replay).body.request_id == first
    assert cloud.admin.verify_password("libradb", "libradb-local001", "analyst", "Str0ng*Passw0rd", host="10.0.0.%")
    cloud.admin.add_account("libradb", "libradb-local001", "later", "Str0ng*Passw0rd", max_user_connections=5)
    assert {a["name"]: a["max_user_connections"] for a in cloud.admin.accounts("libradb")} == {"analyst": 20, "later": 5}
