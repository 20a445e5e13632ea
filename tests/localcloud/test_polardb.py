"""PolarDB 2017-08-01 through the official SDK against the local cloud (fresh cloud per test).
Every error code the PolarDB emulation answers is reached here; docs/localcloud-alibaba.md maps
codes to rules."""

from __future__ import annotations

import pytest
from alibabacloud_polardb20170801 import models as m
from alibabacloud_polardb20170801.client import Client
from alibabacloud_tea_openapi.models import Config

from alibaba_support import PASSWORD, add_instance, expect
from provisioner.localcloud.store import Account

CLUSTER = "pc-localmysql01"


def create(polar: Client, name: str = "app_user", cluster: str = CLUSTER, **kw):
    return polar.create_account(m.CreateAccountRequest(dbcluster_id=cluster, account_name=name,
                                                       account_password=kw.pop("password", PASSWORD), **kw))


def accounts(polar: Client, cluster: str = CLUSTER, **kw):
    return polar.describe_accounts(m.DescribeAccountsRequest(dbcluster_id=cluster, **kw)).body


def grant(polar: Client, dbs: str, privs: str, name: str = "app_user", cluster: str = CLUSTER):
    return polar.grant_account_privilege(m.GrantAccountPrivilegeRequest(
        dbcluster_id=cluster, account_name=name, dbname=dbs, account_privilege=privs))


# --- the happy paths ---------------------------------------------------------------------------

def test_account_type_omitted_means_super(localcloud, polardb_client):
    create(polardb_client, "boss")
    (acct,) = accounts(polardb_client).accounts
    assert (acct.account_name, acct.account_type, acct.account_status, acct.account_lock_state,
            acct.database_privileges) == ("boss", "Super", "Available", "UnLock", [])
    assert localcloud.store.get_account("polardb", CLUSTER, "boss").password_matches(PASSWORD)


def test_normal_account_with_privileges_at_create(localcloud, polardb_client):
    create(polardb_client, account_type="Normal", dbname="inventory,inventory_archive",
           account_privilege="ReadWrite,ReadIndex", account_description="inventory app")
    create(polardb_client, "defaults", account_type="Normal", dbname="inventory")   # no privilege: ReadWrite
    create(polardb_client, "everything", account_type="Normal", priv_for_all_db="1", account_privilege="ReadOnly")
    create(polardb_client, "ignored", account_type="Normal", account_privilege="ReadOnly")   # no DBName: no effect
    body = accounts(polardb_client)
    assert body.page_number == 1 and body.page_record_count == 4
    by_name = {a.account_name: {p.dbname: p.account_privilege for p in a.database_privileges} for a in body.accounts}
    assert by_name == {"app_user": {"inventory": "ReadWrite", "inventory_archive": "ReadIndex"},
                       "defaults": {"inventory": "ReadWrite"},
                       "everything": {"inventory": "ReadOnly", "inventory_archive": "ReadOnly"},
                       "ignored": {}}
    assert body.accounts[0].account_description == "inventory app"


def test_password_description_grant_revoke_delete(localcloud, polardb_client):
    create(polardb_client, account_type="Normal")
    polardb_client.modify_account_password(m.ModifyAccountPasswordRequest(
        dbcluster_id=CLUSTER, account_name="app_user", new_account_password="N3w-Passw0rd"))
    polardb_client.modify_account_description(m.ModifyAccountDescriptionRequest(
        dbcluster_id=CLUSTER, account_name="app_user", account_description="renamed job"))
    grant(polardb_client, "inventory,inventory_archive", "DMLOnly,DDLOnly")
    grant(polardb_client, "inventory", "DMLOnly")   # already held: still a success
    polardb_client.revoke_account_privilege(m.RevokeAccountPrivilegeRequest(
        dbcluster_id=CLUSTER, account_name="app_user", dbname="inventory_archive"))
    stored = localcloud.store.get_account("polardb", CLUSTER, "app_user")
    assert stored.password_matches("N3w-Passw0rd") and stored.description == "renamed job"
    assert stored.privileges == {"inventory": "DMLOnly"}
    polardb_client.delete_account(m.DeleteAccountRequest(dbcluster_id=CLUSTER, account_name="app_user"))
    assert accounts(polardb_client).accounts == []


def test_describe_accounts_filter_and_paging(localcloud, polardb_client):
    for i in range(35):
        localcloud.store.insert_account(Account("polardb", CLUSTER, f"user{i:02d}"))
    first, second = accounts(polardb_client, page_size=30), accounts(polardb_client, page_size=30, page_number=2)
    assert (len(first.accounts), first.page_record_count, second.page_record_count) == (30, 30, 5)
    assert [a.account_name for a in accounts(polardb_client, account_name="user07").accounts] == ["user07"]
    expect("InvalidPageSize.Malformed", 400, accounts, polardb_client, page_size=101)


# --- ClientToken -------------------------------------------------------------------------------

def test_client_token_replays_the_first_answer(localcloud, polardb_client):
    first = create(polardb_client, account_type="Normal", client_token="tok-1")
    again = create(polardb_client, account_type="Normal", client_token="tok-1")
    assert first.body.request_id == again.body.request_id
    assert len(localcloud.store.list_accounts("polardb")) == 1
    err = expect("IdempotentParameterMismatch", 400, create, polardb_client, account_type="Normal",
                 account_description="changed", client_token="tok-1")
    assert "tok-1" not in err.data["Message"]
    expect("InvalidClientToken.Malformed", 400, create, polardb_client, "other", client_token="t" * 65)


def test_client_token_of_a_failed_call_is_not_remembered(localcloud, polardb_client):
    expect("InvalidAccountPassword.Malformed", 400, create, polardb_client, password="weak", client_token="tok-2")
    create(polardb_client, client_token="tok-2")
    assert localcloud.store.get_account("polardb", CLUSTER, "app_user") is not None


# --- rules -------------------------------------------------------------------------------------

def test_one_super_account_on_mysql_and_normal_only_privileges(localcloud, polardb_client):
    create(polardb_client, "boss")
    expect("OperationDenied.AccountType", 403, create, polardb_client, "boss2", account_type="Super")
    expect("OperationDenied.AccountType", 403, create, polardb_client, "other", dbname="inventory")  # Super + DBName
    expect("OperationDenied.AccountType", 403, grant, polardb_client, "inventory", "ReadWrite", "boss")
    add_instance(localcloud, "polardb", id="pc-localpg01", engine="PostgreSQL", version="14", databases=["app"])
    create(polardb_client, "pg_one", "pc-localpg01")
    create(polardb_client, "pg_two", "pc-localpg01")   # PostgreSQL: several Super accounts
    create(polardb_client, "pg_app", "pc-localpg01", account_type="Normal")
    expect("OperationDenied.DBClusterEngine", 403, grant, polardb_client, "app", "ReadWrite", "pg_app", "pc-localpg01")


@pytest.mark.parametrize("name", ["Admin1", "1user", "user_", "a" * 17, "x", "root", "admin"])
def test_account_name_rules(polardb_client, name):
    expect("InvalidAccountName.Malformed", 400, create, polardb_client, name, account_type="Normal")


def test_field_rules(localcloud, polardb_client):
    create(polardb_client, account_type="Normal")
    expect("InvalidAccountName.Duplicate", 400, create, polardb_client, account_type="Normal")
    expect("InvalidAccountPassword.Malformed", 400, create, polardb_client, "other", password="nodigitsHERE")
    expect("InvalidAccountPassword.Malformed", 400, polardb_client.modify_account_password,
           m.ModifyAccountPasswordRequest(dbcluster_id=CLUSTER, account_name="app_user", new_account_password="short"))
    expect("InvalidAccountDescription.Malformed", 400, create, polardb_client, "other", account_description="https://x")
    expect("InvalidAccountType.Malformed", 400, create, polardb_client, "other", account_type="ReadOnly")
    expect("InvalidAccountPrivilege.Malformed", 400, grant, polardb_client, "inventory", "DBOwner")
    expect("InvalidAccountPrivilege.Malformed", 400, grant, polardb_client, "inventory,inventory_archive", "ReadOnly")
    expect("InvalidDBName.NotFound", 404, grant, polardb_client, "nosuchdb", "ReadOnly")
    expect("InvalidDBName.NotFound", 404, create, polardb_client, "other", account_type="Normal", dbname="nosuchdb")
    expect("InvalidPrivForAllDB.Malformed", 400, create, polardb_client, "other", account_type="Normal",
           priv_for_all_db="2")
    expect("MissingAccountName", 400, polardb_client.create_account,
           m.CreateAccountRequest(dbcluster_id=CLUSTER, account_password=PASSWORD))
    expect("MissingNewAccountPassword", 400, polardb_client.modify_account_password,
           m.ModifyAccountPasswordRequest(dbcluster_id=CLUSTER, account_name="app_user"))
    assert [a.name for a in localcloud.store.list_accounts("polardb")] == ["app_user"]


def test_unknown_cluster_and_account(polardb_client):
    expect("InvalidDBClusterId.NotFound", 404, create, polardb_client, cluster="pc-nosuch")
    expect("InvalidDBClusterId.NotFound", 404, polardb_client.describe_dbcluster_attribute,
           m.DescribeDBClusterAttributeRequest(dbcluster_id="pc-nosuch"))
    expect("InvalidAccountName.NotFound", 404, polardb_client.delete_account,
           m.DeleteAccountRequest(dbcluster_id=CLUSTER, account_name="ghost"))
    expect("InvalidAccountName.NotFound", 404, polardb_client.revoke_account_privilege,
           m.RevokeAccountPrivilegeRequest(dbcluster_id=CLUSTER, account_name="ghost", dbname="inventory"))


def test_locked_and_not_running_clusters(localcloud, polardb_client):
    create(polardb_client, account_type="Normal")
    localcloud.admin.set_instance("polardb", CLUSTER, lock_mode="Lock")
    expect("OperationDenied.LockMode", 403, create, polardb_client, "other")
    assert len(accounts(polardb_client).accounts) == 1   # reads still work
    localcloud.admin.set_instance("polardb", CLUSTER, lock_mode="Unlock", status="Creating")
    expect("OperationDenied.DBClusterStatus", 403, create, polardb_client, "other")
    expect("OperationDenied.DBClusterStatus", 403, polardb_client.modify_account_description,
           m.ModifyAccountDescriptionRequest(dbcluster_id=CLUSTER, account_name="app_user", account_description="zz"))


def test_account_quota(localcloud, polardb_client):
    add_instance(localcloud, "polardb", id="pc-tiny", engine="MySQL", version="8.0", account_quota=1)
    create(polardb_client, cluster="pc-tiny")
    expect("QuotaExceeded.AccountName", 403, create, polardb_client, "second", "pc-tiny", account_type="Normal")


# --- clusters ----------------------------------------------------------------------------------

def test_describe_db_cluster_attribute(localcloud, polardb_client):
    localcloud.admin.set_instance("polardb", CLUSTER, lock_mode="Lock")
    body = polardb_client.describe_dbcluster_attribute(m.DescribeDBClusterAttributeRequest(dbcluster_id=CLUSTER)).body
    assert (body.dbcluster_id, body.dbcluster_status, body.dbtype, body.dbversion, body.engine, body.lock_mode,
            body.region_id) == (CLUSTER, "Running", "MySQL", "8.0", "POLARDB", "Lock", "cn-hangzhou")
    assert [n.dbnode_role for n in body.dbnodes] == ["Writer"]


def test_describe_db_clusters(localcloud, polardb_client):
    add_instance(localcloud, "polardb", id="pc-localpg01", engine="PostgreSQL", version="14")
    body = polardb_client.describe_dbclusters(m.DescribeDBClustersRequest(region_id="cn-hangzhou")).body
    assert (body.total_record_count, body.page_record_count, body.page_number) == (2, 2, 1)
    mysql = polardb_client.describe_dbclusters(m.DescribeDBClustersRequest(region_id="cn-hangzhou", dbtype="MySQL"))
    (cluster,) = mysql.body.items.dbcluster
    assert (cluster.dbcluster_id, cluster.dbcluster_status, cluster.dbversion) == (CLUSTER, "Running", "8.0")
    assert cluster.dbnodes.dbnode[0].dbnode_role == "Writer"
    expect("MissingRegionId", 400, polardb_client.describe_dbclusters, m.DescribeDBClustersRequest())


def test_seed_codes_outside_the_rules_come_from_scripted_faults(localcloud_factory):
    """LockTimeout and EngineMigration.ActionDisabled (seed 004) need a busy or migrating
    cluster; the core's scripted faults play them."""
    scripted = [{"match": "polardb:CreateAccount", "count": 1, "fault": "error", "code": code, "status": 400}
                for code in ("LockTimeout", "EngineMigration.ActionDisabled")]
    cloud = localcloud_factory(faults={"scripted": scripted})
    polar = Client(Config(access_key_id=cloud.access_key, access_key_secret=cloud.secret_key,
                          endpoint=cloud.endpoint, protocol="http", region_id="cn-hangzhou"))
    expect("LockTimeout", 400, create, polar)
    expect("EngineMigration.ActionDisabled", 400, create, polar)
    create(polar)
