"""RDS 2014-08-15 through the official SDK against the local cloud (fresh cloud per test).
Every error code the RDS emulation answers is reached here; docs/localcloud-alibaba.md maps
codes to rules."""

from __future__ import annotations

import pytest
from alibabacloud_rds20140815 import models as m
from alibabacloud_rds20140815.client import Client
from alibabacloud_tea_openapi.models import Config

from alibaba_support import PASSWORD, add_instance, expect
from provisioner.localcloud.store import Account, Instance

MYSQL80, MYSQL56, PG = "rm-localmysql80", "rm-localmysql56", "pgm-localpg14"


def create(rds: Client, name: str = "app_user", instance: str = MYSQL80, **kw):
    return rds.create_account(m.CreateAccountRequest(dbinstance_id=instance, account_name=name,
                                                     account_password=kw.pop("password", PASSWORD), **kw))


def describe(rds: Client, instance: str = MYSQL80, **kw):
    return rds.describe_accounts(m.DescribeAccountsRequest(dbinstance_id=instance, **kw)).body


def grant(rds: Client, dbs: str, privs: str, name: str = "app_user", instance: str = MYSQL80):
    return rds.grant_account_privilege(m.GrantAccountPrivilegeRequest(
        dbinstance_id=instance, account_name=name, dbname=dbs, account_privilege=privs))


# --- the happy paths ---------------------------------------------------------------------------

def test_create_grant_describe(localcloud, rds_client):
    assert create(rds_client, account_description="应用账号-orders").body.request_id
    grant(rds_client, "orders,payments", "ReadWrite,ReadOnly")
    body = describe(rds_client)
    assert (body.page_number, body.total_record_count) == (1, 1)
    acct = body.accounts.dbinstance_account[0]
    assert (acct.account_name, acct.account_type, acct.account_status, acct.account_description,
            acct.dbinstance_id, acct.priv_exceeded) == ("app_user", "Normal", "Available", "应用账号-orders",
                                                        MYSQL80, "0")
    privs = {p.dbname: p for p in acct.database_privileges.database_privilege}
    assert privs["orders"].account_privilege == "ReadWrite"
    assert "INSERT" in privs["orders"].account_privilege_detail.split(",")
    assert privs["payments"].account_privilege_detail.split(",")[0] == "SELECT"
    stored = localcloud.store.get_account("rds", MYSQL80, "app_user")
    assert stored.host == "" and stored.privileges == {"orders": "ReadWrite", "payments": "ReadOnly"}
    assert stored.password_matches(PASSWORD)


def test_reset_password_modify_description_revoke_delete(localcloud, rds_client):
    create(rds_client)
    grant(rds_client, "orders,reporting", "DMLOnly,DDLOnly")
    rds_client.reset_account_password(m.ResetAccountPasswordRequest(
        dbinstance_id=MYSQL80, account_name="app_user", account_password="N3w-Passw0rd"))
    rds_client.modify_account_description(m.ModifyAccountDescriptionRequest(
        dbinstance_id=MYSQL80, account_name="app_user", account_description="reporting-job"))
    rds_client.revoke_account_privilege(m.RevokeAccountPrivilegeRequest(
        dbinstance_id=MYSQL80, account_name="app_user", dbname="orders,payments"))   # payments: never granted
    stored = localcloud.store.get_account("rds", MYSQL80, "app_user")
    assert stored.password_matches("N3w-Passw0rd") and stored.description == "reporting-job"
    assert stored.privileges == {"reporting": "DDLOnly"}
    rds_client.delete_account(m.DeleteAccountRequest(dbinstance_id=MYSQL80, account_name="app_user"))
    assert describe(rds_client).accounts.dbinstance_account == []


def test_describe_accounts_filter_and_paging(localcloud, rds_client):
    for i in range(35):
        localcloud.store.insert_account(Account("rds", MYSQL80, f"user{i:02d}"))
    first, second = describe(rds_client, page_size=30), describe(rds_client, page_size=30, page_number=2)
    assert len(first.accounts.dbinstance_account) == 30 and first.total_record_count == 35
    assert [a.account_name for a in second.accounts.dbinstance_account] == [f"user{i}" for i in range(30, 35)]
    only = describe(rds_client, account_name="user07")
    assert [a.account_name for a in only.accounts.dbinstance_account] == ["user07"]
    expect("InvalidPageSize.Malformed", 400, describe, rds_client, page_size=500)
    expect("InvalidPageNumber.Malformed", 400, describe, rds_client, page_number=0)


def test_privileged_accounts_per_engine(localcloud, rds_client):
    create(rds_client, "dba", account_type="Super")
    expect("IncorrectAccountType", 403, create, rds_client, "dba2", account_type="Super")
    expect("IncorrectAccountType", 403, grant, rds_client, "orders", "ReadWrite", "dba")
    create(rds_client, "pgadmin1", PG, account_type="Super")   # PostgreSQL: several allowed
    create(rds_client, "pgadmin2", PG, account_type="Super")
    expect("InvalidAccountName.Forbid", 400, create, rds_client, "pg_admin3", PG)   # pg_: reserved by PostgreSQL
    expect("InvalidEngineVersion.NotSupported", 400, create, rds_client, "sa_user", account_type="Sysadmin")
    add_instance(localcloud, "rds", id="rm-localmssql", engine="SQLServer", version="2019_std_ha", databases=["erp"])
    create(rds_client, "sa_user", "rm-localmssql", account_type="Sysadmin")
    expect("InvalidAccountType.Malformed", 400, create, rds_client, "other", account_type="Root")


# --- rules -------------------------------------------------------------------------------------

@pytest.mark.parametrize("instance,name,code", [
    (MYSQL56, "a" * 17, "InvalidAccountName.Malformed"),      # 2-16 on MySQL 5.6
    (MYSQL80, "a" * 33, "InvalidAccountName.Malformed"),      # 2-32 on 5.7/8.0
    (MYSQL80, "1user", "InvalidAccountName.Malformed"),
    (MYSQL80, "user_", "InvalidAccountName.Malformed"),
    (PG, "AppUser", "InvalidAccountName.Malformed"),          # upper case only on MySQL
    (MYSQL80, "root", "InvalidAccountName.Forbid"),
    (PG, "postgres", "InvalidAccountName.Forbid"),
])
def test_account_name_rules(rds_client, instance, name, code):
    expect(code, 400, create, rds_client, name, instance)


def test_valid_names_per_engine(rds_client):
    create(rds_client, "a" * 16, MYSQL56)
    create(rds_client, "AppUser", MYSQL80)
    create(rds_client, "a" * 63, PG)


def test_duplicate_password_description_and_missing(localcloud, rds_client):
    create(rds_client)
    expect("InvalidAccountName.Duplicate", 400, create, rds_client)
    for bad in ("short1A", "alllowercase", "Has space 123", "Bad<char>123"):
        err = expect("InvalidAccountPassword.Format", 400, create, rds_client, "other", password=bad)
        assert bad not in err.data["Message"]
    expect("InvalidAccountPassword.Format", 400, rds_client.reset_account_password, m.ResetAccountPasswordRequest(
        dbinstance_id=MYSQL80, account_name="app_user", account_password="weakpassword"))
    expect("InvalidAccountDescription.Format", 400, create, rds_client, "other", account_description="http://x")
    expect("InvalidAccountDescription.Format", 400, rds_client.modify_account_description,
           m.ModifyAccountDescriptionRequest(dbinstance_id=MYSQL80, account_name="app_user", account_description="x"))
    expect("MissingAccountPassword", 400, rds_client.create_account,
           m.CreateAccountRequest(dbinstance_id=MYSQL80, account_name="other"))
    expect("MissingDBInstanceId", 400, rds_client.describe_accounts, m.DescribeAccountsRequest())
    assert [a.name for a in localcloud.store.list_accounts("rds")] == ["app_user"]


def test_grant_rules(rds_client):
    create(rds_client)
    expect("InvalidDBName.NotFound", 404, grant, rds_client, "orders,nosuchdb", "ReadWrite,ReadWrite")
    expect("InvalidAccountPrivilege.Malformed", 400, grant, rds_client, "orders", "DBOwner")   # not on MySQL
    expect("InvalidAccountPrivilege.Malformed", 400, grant, rds_client, "orders,payments", "ReadWrite")
    expect("InvalidAccountName.NotFound", 404, grant, rds_client, "orders", "ReadWrite", "ghost")
    expect("InvalidDBName.NotFound", 404, rds_client.revoke_account_privilege, m.RevokeAccountPrivilegeRequest(
        dbinstance_id=MYSQL80, account_name="app_user", dbname="nosuchdb"))


def test_unknown_instance_and_account(rds_client):
    expect("InvalidDBInstanceId.NotFound", 404, create, rds_client, instance="rm-nosuch")
    expect("InvalidDBInstanceId.NotFound", 404, describe, rds_client, "rm-nosuch")
    expect("InvalidAccountName.NotFound", 404, rds_client.delete_account,
           m.DeleteAccountRequest(dbinstance_id=MYSQL80, account_name="ghost"))
    expect("InvalidAccountName.NotFound", 404, rds_client.reset_account_password, m.ResetAccountPasswordRequest(
        dbinstance_id=MYSQL80, account_name="ghost", account_password=PASSWORD))


def test_locked_and_not_running_instances(localcloud, rds_client):
    create(rds_client)
    localcloud.admin.set_instance("rds", MYSQL80, lock_mode="ManualLock")
    expect("IncorrectDBInstanceLockMode", 404, create, rds_client, "other")
    expect("IncorrectDBInstanceLockMode", 404, rds_client.delete_account,
           m.DeleteAccountRequest(dbinstance_id=MYSQL80, account_name="app_user"))
    assert describe(rds_client).total_record_count == 1   # reads still work
    localcloud.admin.set_instance("rds", MYSQL80, lock_mode="Unlock", status="Creating")
    expect("IncorrectDBInstanceState", 403, create, rds_client, "other")
    expect("IncorrectDBInstanceState", 403, grant, rds_client, "orders", "ReadOnly")


def test_account_quota(localcloud, rds_client):
    add_instance(localcloud, "rds", id="rm-tiny", engine="MySQL", version="8.0", account_quota=1)
    create(rds_client, instance="rm-tiny")
    err = expect("AccountLimitExceeded", 403, create, rds_client, "second", "rm-tiny")
    assert err.data["Message"].startswith("AccountQuotaExceeded: Exceeding the allowed amount of account")


# --- instances ---------------------------------------------------------------------------------

def test_describe_db_instance_attribute(localcloud, rds_client):
    localcloud.admin.set_instance("rds", MYSQL56, lock_mode="LockByExpiration")
    body = rds_client.describe_dbinstance_attribute(
        m.DescribeDBInstanceAttributeRequest(dbinstance_id=f"{MYSQL80},{MYSQL56}")).body
    a80, a56 = body.items.dbinstance_attribute
    assert (a80.dbinstance_id, a80.dbinstance_status, a80.engine, a80.engine_version, a80.account_max_quantity,
            a80.port, a80.lock_mode, a80.region_id) == (MYSQL80, "Running", "MySQL", "8.0", 500, "3306",
                                                        "Unlock", "cn-hangzhou")
    assert a80.connection_string == "rm-localmysql80.mysql.rds.aliyuncs.com"
    assert a56.lock_mode == "LockByExpiration"
    expect("InvalidDBInstanceId.NotFound", 404, rds_client.describe_dbinstance_attribute,
           m.DescribeDBInstanceAttributeRequest(dbinstance_id="rm-nosuch"))


def test_describe_db_instances(localcloud, rds_client):
    add_instance(localcloud, "rds", id="rm-elsewhere", engine="MySQL", version="8.0")
    localcloud.store.put_instance(Instance("rds", "rm-beijing", "MySQL", "8.0", "cn-beijing"))
    body = rds_client.describe_dbinstances(m.DescribeDBInstancesRequest(region_id="cn-hangzhou", page_size=2)).body
    assert (body.total_record_count, body.page_record_count, body.page_number) == (4, 2, 1)
    mysql = rds_client.describe_dbinstances(m.DescribeDBInstancesRequest(region_id="cn-hangzhou", engine="PostgreSQL"))
    assert [i.dbinstance_id for i in mysql.body.items.dbinstance] == [PG]
    assert mysql.body.items.dbinstance[0].dbinstance_status == "Running"
    expect("MissingRegionId", 400, rds_client.describe_dbinstances, m.DescribeDBInstancesRequest())


def test_seed_codes_outside_the_rules_come_from_scripted_faults(localcloud_factory):
    """GeneralIns.*, Database.ConnectError, Account.AddError... need a broken instance; the
    core's scripted faults play them (docs/localcloud-alibaba.md)."""
    cloud = localcloud_factory(faults={"scripted": [{"match": "rds:CreateAccount", "count": 1, "fault": "error",
                                                     "code": "GeneralIns.Creating", "status": 400,
                                                     "message": "The general instance is creating."}]})
    rds = Client(Config(access_key_id=cloud.access_key, access_key_secret=cloud.secret_key,
                        endpoint=cloud.endpoint, protocol="http", region_id="cn-hangzhou"))
    expect("GeneralIns.Creating", 400, create, rds)
    create(rds)   # one-shot: the retry succeeds
