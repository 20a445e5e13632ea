"""LibraDB handlers called directly with a Store: semantics that need no wire (defaults,
normalisation, atomicity). Error codes through the official SDK: test_libradb_sdk.py."""

from __future__ import annotations

import json
from dataclasses import replace
from importlib import resources

import pytest

from provisioner.localcloud.errors import CloudError
from provisioner.localcloud.seed import load_instances
from provisioner.localcloud.store import Store
from provisioner.localcloud.wire.libradb import ACTIONS

CID = "libradb-local001"
PASSWORD = "Str0ng*Passw0rd"


@pytest.fixture
def store():
    s = Store()
    load_instances(s, json.loads(resources.files("provisioner.localcloud").joinpath("default_seed.json").read_text()))
    yield s
    s.close()


def call(store, action, **params):
    return ACTIONS[action](store, params)


def create(store, *accounts, cluster=CID):
    return call(store, "CreateLibraDBClusterAccounts", ClusterId=cluster,
                Accounts=[{"AccountPassword": PASSWORD, **a} for a in accounts])


def code_of(store, action, **params) -> str:
    with pytest.raises(CloudError) as e:
        call(store, action, **params)
    return e.value.code


def test_defaults_and_describe_shape(store):
    create(store, {"AccountName": "app"})
    out = call(store, "DescribeLibraDBClusterAccounts", ClusterId=CID)
    assert out["TotalCount"] == 1
    (acct,) = out["AccountSet"]
    assert {k: acct[k] for k in ("AccountName", "Host", "Description", "MaxUserConnections", "PasswordRotation")} == \
        {"AccountName": "app", "Host": "%", "Description": "", "MaxUserConnections": 10240, "PasswordRotation": 0}
    assert acct["CreateTime"] and acct["UpdateTime"]
    stored = store.get_account("libradb", CID, "app", "%")
    assert stored.password_matches(PASSWORD)
    assert stored.privileges == {"global": [], "database": [], "table": []}


def test_create_is_all_or_nothing(store):
    with pytest.raises(CloudError) as e:
        create(store, {"AccountName": "good"}, {"AccountName": "bad-name"})
    assert e.value.code == "InvalidParameterValue.ParamError" and "Accounts.1.AccountName" in e.value.message
    assert store.count_accounts("libradb", CID) == 0
    create(store, {"AccountName": "taken"})
    assert code_of(store, "CreateLibraDBClusterAccounts", ClusterId=CID, Accounts=[
        {"AccountName": "fresh", "AccountPassword": PASSWORD},
        {"AccountName": "taken", "AccountPassword": PASSWORD}]) == "InvalidParameterValue.AccountAlreadyExistError"
    assert store.get_account("libradb", CID, "fresh", "%") is None


def test_same_name_on_two_hosts_are_two_accounts(store):
    create(store, {"AccountName": "app", "Host": "%"}, {"AccountName": "app", "Host": "10.0.0.1"})
    out = call(store, "DescribeLibraDBClusterAccounts", ClusterId=CID, Hosts=["10.0.0.1"])
    assert [(a["AccountName"], a["Host"]) for a in out["AccountSet"]] == [("app", "10.0.0.1")]


def test_quota_counts_the_whole_request(store):
    store.put_instance(replace(store.get_instance("libradb", CID), account_quota=2))
    create(store, {"AccountName": "one"})
    assert code_of(store, "CreateLibraDBClusterAccounts", ClusterId=CID, Accounts=[
        {"AccountName": "two", "AccountPassword": PASSWORD},
        {"AccountName": "three", "AccountPassword": PASSWORD}]) == "OperationDenied.OperationDeniedError"
    assert store.count_accounts("libradb", CID) == 1


def test_describe_filters_and_paging(store):
    create(store, *({"AccountName": f"user{i:02d}"} for i in range(25)), {"AccountName": "Reporting"})
    first = call(store, "DescribeLibraDBClusterAccounts", ClusterId=CID)
    assert first["TotalCount"] == 26 and len(first["AccountSet"]) == 20
    rest = call(store, "DescribeLibraDBClusterAccounts", ClusterId=CID, Offset=20, Limit=100)
    names = [a["AccountName"] for a in first["AccountSet"] + rest["AccountSet"]]
    assert len(set(names)) == 26
    fuzzy = call(store, "DescribeLibraDBClusterAccounts", ClusterId=CID, AccountRegular="PORT")
    assert [a["AccountName"] for a in fuzzy["AccountSet"]] == ["Reporting"]
    # Regex metacharacters are literal: AccountRegular is a substring, not a pattern.
    assert call(store, "DescribeLibraDBClusterAccounts", ClusterId=CID, AccountRegular="user0.")["TotalCount"] == 0
    exact = call(store, "DescribeLibraDBClusterAccounts", ClusterId=CID, AccountNames=["user01", "nobody"])
    assert [a["AccountName"] for a in exact["AccountSet"]] == ["user01"]


def test_privileges_replace_and_normalise(store):
    create(store, {"AccountName": "app"})
    account = {"AccountName": "app"}
    call(store, "ModifyLibraDBClusterAccountPrivilege", ClusterId=CID, Account=account,
         GlobalPrivileges=["SELECT", "PROCESS", "SELECT"],
         DatabasePrivileges=[{"Db": "events", "Privileges": ["UPDATE", "INSERT"]},
                             {"Db": "analytics", "Privileges": ["SELECT"]},
                             {"Db": "events", "Privileges": ["INSERT", "DELETE"]},
                             {"Db": "etl_staging", "Privileges": []}],
         TablePrivileges=[{"Db": "analytics", "TableName": "t1", "Privileges": ["SELECT", "ALTER"]}])
    assert store.get_account("libradb", CID, "app", "%").privileges == {
        "global": ["PROCESS", "SELECT"],
        "database": [{"Db": "analytics", "Privileges": ["SELECT"]},
                     {"Db": "events", "Privileges": ["DELETE", "INSERT", "UPDATE"]}],
        "table": [{"Db": "analytics", "TableName": "t1", "Privileges": ["ALTER", "SELECT"]}],
    }
    call(store, "ModifyLibraDBClusterAccountPrivilege", ClusterId=CID, Account=account,
         DatabasePrivileges=[{"Db": "analytics", "Privileges": ["INSERT"]}])
    assert store.get_account("libradb", CID, "app", "%").privileges == {
        "global": [], "database": [{"Db": "analytics", "Privileges": ["INSERT"]}], "table": []}


def test_describe_privileges_levels(store):
    create(store, {"AccountName": "app", "Host": "10.1.1.1"})
    call(store, "ModifyLibraDBClusterAccountPrivilege", ClusterId=CID,
         Account={"AccountName": "app", "Host": "10.1.1.1"}, GlobalPrivileges=["PROCESS"],
         DatabasePrivileges=[{"Db": "events", "Privileges": ["SELECT"]}],
         TablePrivileges=[{"Db": "events", "TableName": "clicks", "Privileges": ["INSERT"]}])
    base = {"ClusterId": CID, "AccountName": "app", "Host": "10.1.1.1"}

    def privileges(**kw):
        return call(store, "DescribeLibraDBClusterAccountPrivileges", **base, **kw)["Privileges"]

    assert privileges(Db="*", Type="table") == ["PROCESS"]  # Db '*' means global, Type ignored
    assert privileges(Db="events", Type="global") == ["PROCESS"]
    assert privileges(Db="events", Type="*") == ["SELECT"]
    assert privileges(Db="events", Type="database") == ["SELECT"]
    assert privileges(Db="events", Type="table", TableName="clicks") == ["INSERT"]
    assert privileges(Db="events", Type="table", TableName="other") == []
    assert privileges(Db="analytics", Type="*") == []
    everything = call(store, "DescribeLibraDBClusterAccountAllPrivileges", ClusterId=CID,
                      Account={"AccountName": "app", "Host": "10.1.1.1"})
    assert everything["PrivilegeStatements"] == [
        "GRANT PROCESS ON *.* TO 'app'@'10.1.1.1'", "GRANT SELECT ON `events`.* TO 'app'@'10.1.1.1'",
        "GRANT INSERT ON `events`.`clicks` TO 'app'@'10.1.1.1'"]


def test_modify_host_keeps_everything_else_and_is_idempotent(store):
    create(store, {"AccountName": "app", "Description": "d"})
    call(store, "ModifyLibraDBClusterAccountPrivilege", ClusterId=CID, Account={"AccountName": "app"},
         GlobalPrivileges=["SELECT"])
    call(store, "ModifyLibraDBClusterAccountHost", ClusterId=CID, Account={"AccountName": "app"}, NewHost="10.0.0.9")
    call(store, "ModifyLibraDBClusterAccountHost", ClusterId=CID, Account={"AccountName": "app", "Host": "10.0.0.9"},
         NewHost="10.0.0.9")
    moved = store.get_account("libradb", CID, "app", "10.0.0.9")
    assert moved.description == "d" and moved.privileges["global"] == ["SELECT"] and moved.password_matches(PASSWORD)
    assert store.get_account("libradb", CID, "app", "%") is None


def test_delete_is_all_or_nothing(store):
    create(store, {"AccountName": "a"}, {"AccountName": "b"})
    assert code_of(store, "DeleteLibraDBClusterAccounts", ClusterId=CID,
                   Accounts=[{"AccountName": "a"}, {"AccountName": "ghost"}]) == \
        "InvalidParameterValue.AccountNotExistError"
    assert store.count_accounts("libradb", CID) == 2
    call(store, "DeleteLibraDBClusterAccounts", ClusterId=CID, Accounts=[{"AccountName": "a"}, {"AccountName": "b"}])
    assert store.count_accounts("libradb", CID) == 0


def test_reset_password_and_description(store):
    create(store, {"AccountName": "app"})
    call(store, "ResetLibraDBClusterAccountPassword", ClusterId=CID, AccountName="app", AccountPassword="N3w-Secret!x")
    call(store, "ModifyLibraDBClusterAccountDescription", ClusterId=CID, AccountName="app", Description="etl")
    acct = store.get_account("libradb", CID, "app", "%")
    assert acct.password_matches("N3w-Secret!x") and acct.description == "etl"


def test_password_never_echoed(store):
    secret = "short1"
    with pytest.raises(CloudError) as e:
        create(store, {"AccountName": "app", "AccountPassword": secret})
    assert e.value.code == "InvalidParameterValue.IllegalPassword" and secret not in e.value.message
    create(store, {"AccountName": "app"})
    with pytest.raises(CloudError) as e:
        call(store, "ResetLibraDBClusterAccountPassword", ClusterId=CID, AccountName="app", AccountPassword=secret)
    assert e.value.code == "InvalidParameterValue.InvalidPasswordValueError" and secret not in e.value.message


def test_parameter_schema_checks(store):
    assert code_of(store, "DescribeLibraDBClusterAccounts", ClusterId=CID, Bogus=1) == "UnknownParameter"
    assert code_of(store, "CreateLibraDBClusterAccounts", ClusterId=CID,
                   Accounts=[{"AccountName": "a", "AccountPassword": PASSWORD, "Pasword": "x"}]) == "UnknownParameter"
    assert code_of(store, "DescribeLibraDBClusterAccounts", ClusterId=CID, Limit="10") == "InvalidParameter"
    assert code_of(store, "DescribeLibraDBClusterAccounts", ClusterId=CID, Limit=True) == "InvalidParameter"
    assert code_of(store, "CreateLibraDBClusterAccounts", ClusterId=CID, Accounts=[]) == \
        "OperationDenied.MissingParameterError"


def test_describe_clusters(store):
    out = call(store, "DescribeLibraDBClusters")
    assert out["TotalCount"] == 2
    first = out["ClusterSet"][0]
    assert {k: first[k] for k in ("ClusterId", "ClusterName", "Region", "Zone", "Status", "DbVersion", "Vip", "Vport")} \
        == {"ClusterId": CID, "ClusterName": "analytics", "Region": "ap-guangzhou", "Zone": "ap-guangzhou-3",
            "Status": "running", "DbVersion": "1.0", "Vip": "127.0.0.1", "Vport": 9030}
    assert first["NetAddrs"][0]["Vport"] == 9030
    only = call(store, "DescribeLibraDBClusters", Filters=[{"Names": ["ClusterId"], "Values": ["libradb-local002"]}])
    assert [c["ClusterId"] for c in only["ClusterSet"]] == ["libradb-local002"] and only["TotalCount"] == 1
    desc = call(store, "DescribeLibraDBClusters", OrderBy="ClusterId", OrderByType="DESC", Limit=1)
    assert [c["ClusterId"] for c in desc["ClusterSet"]] == ["libradb-local002"] and desc["TotalCount"] == 2


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_sdk_model_field_is_a_known_parameter(store, action):
    from tencentcloud.cynosdb.v20190107 import models

    fields = [name[1:] for name in vars(getattr(models, action + "Request")())]
    try:
        call(store, action, **{f: None for f in fields})
    except CloudError as e:
        assert e.code == "OperationDenied.MissingParameterError"
