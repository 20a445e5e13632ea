"""Response shapes: every field the official SDKs' response models define, for every action the
local cloud serves, is present with a value of the declared type (sdk_models.py reads the
models from the SDKs' generated code). Fields that the real service returns only for another
engine are listed with the reason."""

from __future__ import annotations

import pytest

from provisioner.localcloud.seed import load_instances, load_seed_arg
from provisioner.localcloud.store import Account, Store
from provisioner.localcloud.wire import libradb, polardb, rds
from sdk_models import alibaba_shape, missing, tencent_shape

PW = "Passw0rd!2024"

# Field paths the real service leaves out for the instance used here (with the reason).
ONLY_FOR_OTHER_ENGINES = {
    "Accounts.DBInstanceAccount[0].BypassRLS": "PostgreSQL only", "Accounts.DBInstanceAccount[0].CreateDB": "PostgreSQL only",
    "Accounts.DBInstanceAccount[0].CreateRole": "PostgreSQL only",
    "Accounts.DBInstanceAccount[0].Replication": "PostgreSQL only",
    "Accounts.DBInstanceAccount[0].ValidUntil": "PostgreSQL only",
    "Accounts.DBInstanceAccount[0].CheckPolicy": "SQL Server only",
    "SystemAdminAccountFirstActivationTime": "SQL Server only", "SystemAdminAccountStatus": "SQL Server only",
}


@pytest.fixture
def store():
    return seeded_store()


def seeded_store() -> Store:
    s = Store()
    load_instances(s, load_seed_arg(None))
    mysql = Account("rds", "rm-localmysql80", "app", account_type="Normal", description="app",
                    privileges={"orders": "ReadWrite"})
    pg = Account("rds", "pgm-localpg14", "owner", account_type="Normal", privileges={"catalog": "DBOwner"})
    polar = Account("polardb", "pc-localmysql01", "svc", privileges={"inventory": "ReadOnly"})
    libra = Account("libradb", "libradb-local001", "analyst", "%", description="d", max_user_connections=10,
                    password_rotation=0, privileges={"global": ["PROCESS"], "database": [{"Db": "analytics",
                    "Privileges": ["SELECT"]}], "table": [{"Db": "events", "TableName": "t", "Privileges": ["SELECT"]}]})
    for a in (mysql, pg, polar, libra):
        a.set_password(PW)
        s.insert_account(a)
    return s


def _alibaba(module, models, store, action, params):
    body = module.ACTIONS[action](store, dict(params))
    return missing(alibaba_shape(models, f"{action}ResponseBody"), {"RequestId": "r", **body})


RDS_CALLS = [
    ("DescribeAccounts", {"DBInstanceId": "rm-localmysql80"}),
    ("DescribeDBInstanceAttribute", {"DBInstanceId": "rm-localmysql80"}),
    ("DescribeDBInstances", {"RegionId": "cn-hangzhou"}),
    ("DescribeDatabases", {"DBInstanceId": "rm-localmysql80"}),
    ("CreateAccount", {"DBInstanceId": "rm-localmysql80", "AccountName": "new1", "AccountPassword": PW}),
    ("ResetAccountPassword", {"DBInstanceId": "rm-localmysql80", "AccountName": "app", "AccountPassword": PW}),
    ("ModifyAccountDescription", {"DBInstanceId": "rm-localmysql80", "AccountName": "app", "AccountDescription": "x1"}),
    ("GrantAccountPrivilege", {"DBInstanceId": "rm-localmysql80", "AccountName": "app", "DBName": "payments",
                               "AccountPrivilege": "ReadOnly"}),
    ("RevokeAccountPrivilege", {"DBInstanceId": "rm-localmysql80", "AccountName": "app", "DBName": "payments"}),
    ("DeleteAccount", {"DBInstanceId": "rm-localmysql80", "AccountName": "app"}),
]


@pytest.mark.parametrize("action,params", RDS_CALLS, ids=[c[0] for c in RDS_CALLS])
def test_rds_responses_are_complete(store, action, params):
    from alibabacloud_rds20140815 import models
    problems = [p for p in _alibaba(rds, models, store, action, params)
                if p.split(":")[0] not in ONLY_FOR_OTHER_ENGINES]
    assert not problems


def test_rds_postgresql_accounts_carry_their_role_attributes(store):
    from alibabacloud_rds20140815 import models
    problems = _alibaba(rds, models, store, "DescribeAccounts", {"DBInstanceId": "pgm-localpg14"})
    assert [p for p in problems if "CheckPolicy" not in p and "SystemAdmin" not in p] == []


POLARDB_CALLS = [
    ("DescribeAccounts", {"DBClusterId": "pc-localmysql01"}),
    ("DescribeDBClusterAttribute", {"DBClusterId": "pc-localmysql01"}),
    ("DescribeDBClusterEndpoints", {"DBClusterId": "pc-localmysql01"}),
    ("DescribeDBClusters", {"RegionId": "cn-hangzhou"}),
    ("DescribeDatabases", {"DBClusterId": "pc-localmysql01"}),
    ("CreateAccount", {"DBClusterId": "pc-localmysql01", "AccountName": "new1", "AccountPassword": PW,
                       "AccountType": "Normal"}),
    ("ModifyAccountPassword", {"DBClusterId": "pc-localmysql01", "AccountName": "svc", "NewAccountPassword": PW}),
    ("ModifyAccountDescription", {"DBClusterId": "pc-localmysql01", "AccountName": "svc", "AccountDescription": "x1"}),
    ("GrantAccountPrivilege", {"DBClusterId": "pc-localmysql01", "AccountName": "svc", "DBName": "inventory_archive",
                               "AccountPrivilege": "ReadOnly"}),
    ("RevokeAccountPrivilege", {"DBClusterId": "pc-localmysql01", "AccountName": "svc", "DBName": "inventory"}),
    ("DeleteAccount", {"DBClusterId": "pc-localmysql01", "AccountName": "svc"}),
]


@pytest.mark.parametrize("action,params", POLARDB_CALLS, ids=[c[0] for c in POLARDB_CALLS])
def test_polardb_responses_are_complete(store, action, params):
    from alibabacloud_polardb20170801 import models
    assert _alibaba(polardb, models, store, action, params) == []


LIBRADB_CALLS = [
    ("DescribeLibraDBClusterAccounts", {"ClusterId": "libradb-local001"}),
    ("DescribeLibraDBClusters", {}),
    ("DescribeLibraDBClusterAccountAllPrivileges", {"ClusterId": "libradb-local001",
                                                    "Account": {"AccountName": "analyst", "Host": "%"}}),
    ("DescribeLibraDBClusterAccountPrivileges", {"ClusterId": "libradb-local001", "AccountName": "analyst",
                                                 "Host": "%", "Db": "analytics", "Type": "database"}),
    ("CreateLibraDBClusterAccounts", {"ClusterId": "libradb-local001",
                                      "Accounts": [{"AccountName": "n1", "AccountPassword": PW}]}),
    ("ResetLibraDBClusterAccountPassword", {"ClusterId": "libradb-local001", "AccountName": "analyst",
                                            "AccountPassword": PW}),
    ("ModifyLibraDBClusterAccountDescription", {"ClusterId": "libradb-local001", "AccountName": "analyst",
                                                "Description": "x"}),
    ("ModifyLibraDBClusterAccountHost", {"ClusterId": "libradb-local001",
                                         "Account": {"AccountName": "analyst", "Host": "%"}, "NewHost": "10.0.0.1"}),
    ("ModifyLibraDBClusterAccountPrivilege", {"ClusterId": "libradb-local001",
                                              "Account": {"AccountName": "analyst", "Host": "%"},
                                              "GlobalPrivileges": ["PROCESS"]}),
    ("DeleteLibraDBClusterAccounts", {"ClusterId": "libradb-local001",
                                      "Accounts": [{"AccountName": "analyst", "Host": "%"}]}),
]


@pytest.mark.parametrize("action,params", LIBRADB_CALLS, ids=[c[0] for c in LIBRADB_CALLS])
def test_libradb_responses_are_complete(store, action, params):
    from tencentcloud.cynosdb.v20190107 import models
    body = libradb.ACTIONS[action](store, dict(params))
    assert missing(tencent_shape(models, f"{action}Response"), {"RequestId": "r", **body}) == []
