"""LibraDB through the official SDK (tencentcloud-sdk-python cynosdb) against the in-process
local cloud: every action, and every error code the emulation answers (docs/localcloud-libradb.md)."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import replace
from types import SimpleNamespace

import httpx
import pytest
from tencentcloud.common import abstract_client, credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.cynosdb.v20190107 import cynosdb_client, models

from provisioner.localcloud.wire.tc3 import canonical_request, string_to_sign, tc3_signature

CID, STOPPED = "libradb-local001", "libradb-local002"
PASSWORD = "Str0ng*Passw0rd"


@pytest.fixture
def cloud(localcloud_factory):
    # No rate limits: these tests are about semantics, and a fresh cloud per test keeps them independent.
    return localcloud_factory(faults={"rate_limits": {}})


def make_client(cloud, *, endpoint=None, key_id=None, secret=None):
    http = HttpProfile(endpoint=endpoint or cloud.endpoint, protocol="http")
    return cynosdb_client.CynosdbClient(credential.Credential(key_id or cloud.access_key, secret or cloud.secret_key),
                                        "ap-guangzhou", ClientProfile(httpProfile=http))


@pytest.fixture
def client(cloud):
    return make_client(cloud)


def req(model, **fields):
    """A request model filled from plain dicts, the way the SDK itself deserialises them."""
    r = getattr(models, model + "Request")()
    r._deserialize(fields)
    return r


def send(client, action, **fields):
    return getattr(client, action)(req(action, **fields))


def fails(code, client, action, **fields) -> TencentCloudSDKException:
    with pytest.raises(TencentCloudSDKException) as e:
        send(client, action, **fields)
    assert e.value.code == code, e.value.message
    assert e.value.requestId
    return e.value


def create(client, *accounts, cluster=CID):
    return send(client, "CreateLibraDBClusterAccounts", ClusterId=cluster,
                Accounts=[{"AccountPassword": PASSWORD, **a} for a in accounts])


def names(client, **filters):
    out = send(client, "DescribeLibraDBClusterAccounts", ClusterId=CID, **filters)
    return [(a.AccountName, a.Host) for a in out.AccountSet]


# --- happy paths ------------------------------------------------------------------------------

def test_account_lifecycle(cloud, client):
    assert create(client, {"AccountName": "app", "Description": "etl", "MaxUserConnections": 50},
                  {"AccountName": "app", "Host": "10.0.0.1", "PasswordRotation": 1}).RequestId
    out = send(client, "DescribeLibraDBClusterAccounts", ClusterId=CID, AccountNames=["app"], Hosts=["%"])
    assert out.TotalCount == 1
    (acct,) = out.AccountSet
    assert (acct.AccountName, acct.Host, acct.Description, acct.MaxUserConnections, acct.PasswordRotation) == \
        ("app", "%", "etl", 50, 0)
    assert acct.CreateTime and acct.UpdateTime
    second = send(client, "DescribeLibraDBClusterAccounts", ClusterId=CID, Hosts=["10.0.0.1"]).AccountSet[0]
    assert (second.MaxUserConnections, second.PasswordRotation, second.Description) == (10240, 1, "")

    send(client, "ResetLibraDBClusterAccountPassword", ClusterId=CID, AccountName="app", AccountPassword="N3w_Passw0rd")
    assert cloud.store.get_account("libradb", CID, "app", "%").password_matches("N3w_Passw0rd")
    send(client, "ModifyLibraDBClusterAccountDescription", ClusterId=CID, AccountName="app", Host="10.0.0.1",
         Description="second")
    send(client, "ModifyLibraDBClusterAccountHost", ClusterId=CID, Account={"AccountName": "app", "Host": "10.0.0.1"},
         NewHost="10.0.0.2")
    assert names(client) == [("app", "%"), ("app", "10.0.0.2")]
    assert send(client, "DescribeLibraDBClusterAccounts", ClusterId=CID,
                Hosts=["10.0.0.2"]).AccountSet[0].Description == "second"

    send(client, "DeleteLibraDBClusterAccounts", ClusterId=CID,
         Accounts=[{"AccountName": "app"}, {"AccountName": "app", "Host": "10.0.0.2"}])
    assert send(client, "DescribeLibraDBClusterAccounts", ClusterId=CID).TotalCount == 0


def test_describe_paging_and_fuzzy_match(client):
    create(client, *({"AccountName": f"user{i:02d}"} for i in range(23)), {"AccountName": "Reporter"})
    page1 = send(client, "DescribeLibraDBClusterAccounts", ClusterId=CID)
    page2 = send(client, "DescribeLibraDBClusterAccounts", ClusterId=CID, Offset=20, Limit=20)
    assert (page1.TotalCount, len(page1.AccountSet), len(page2.AccountSet)) == (24, 20, 4)
    assert names(client, AccountRegular="REPORT") == [("Reporter", "%")]
    assert len(names(client, AccountRegular="user1")) == 10


def test_privileges_roundtrip(client):
    create(client, {"AccountName": "app", "Host": "10.0.0.1"})
    account = {"AccountName": "app", "Host": "10.0.0.1"}
    send(client, "ModifyLibraDBClusterAccountPrivilege", ClusterId=CID, Account=account,
         GlobalPrivileges=["PROCESS", "SELECT"],
         DatabasePrivileges=[{"Db": "events", "Privileges": ["INSERT", "SELECT", "INSERT"]}],
         TablePrivileges=[{"Db": "analytics", "TableName": "daily", "Privileges": ["SELECT"]}])
    base = dict(ClusterId=CID, AccountName="app", Host="10.0.0.1")
    assert send(client, "DescribeLibraDBClusterAccountPrivileges", **base, Db="*", Type="*").Privileges == \
        ["PROCESS", "SELECT"]
    assert send(client, "DescribeLibraDBClusterAccountPrivileges", **base, Db="events", Type="*").Privileges == \
        ["INSERT", "SELECT"]
    assert send(client, "DescribeLibraDBClusterAccountPrivileges", **base, Db="analytics", Type="table",
                TableName="daily").Privileges == ["SELECT"]
    everything = send(client, "DescribeLibraDBClusterAccountAllPrivileges", ClusterId=CID, Account=account)
    assert everything.GlobalPrivileges == ["PROCESS", "SELECT"]
    assert [(d.Db, d.Privileges) for d in everything.DatabasePrivileges] == [("events", ["INSERT", "SELECT"])]
    assert [(t.Db, t.TableName, t.Privileges) for t in everything.TablePrivileges] == [("analytics", "daily", ["SELECT"])]
    assert len(everything.PrivilegeStatements) == 3
    # Replace semantics: what is not in the request is revoked.
    send(client, "ModifyLibraDBClusterAccountPrivilege", ClusterId=CID, Account=account)
    after = send(client, "DescribeLibraDBClusterAccountAllPrivileges", ClusterId=CID, Account=account)
    assert (after.GlobalPrivileges, after.DatabasePrivileges, after.TablePrivileges) == ([], [], [])


def test_describe_clusters(client):
    out = send(client, "DescribeLibraDBClusters")
    assert out.TotalCount == 2
    c = out.ClusterSet[0]
    assert (c.ClusterId, c.ClusterName, c.Region, c.Zone, c.Status, c.DbVersion, c.Vip, c.Vport) == \
        (CID, "analytics", "ap-guangzhou", "ap-guangzhou-3", "running", "1.0", "127.0.0.1", 9030)
    assert c.StatusDesc and c.NetAddrs[0].Vport == 9030
    only = send(client, "DescribeLibraDBClusters", Filters=[{"Names": ["ClusterId"], "Values": [STOPPED]}])
    assert [x.ClusterId for x in only.ClusterSet] == [STOPPED] and only.ClusterSet[0].Status == "isolated"


def test_reads_work_on_a_stopped_cluster(client):
    assert send(client, "DescribeLibraDBClusterAccounts", ClusterId=STOPPED).TotalCount == 0


def test_tccli_style_http_host_is_accepted(cloud):
    # endpoint "http://127.0.0.1:PORT": the SDK sends and signs that literal Host header.
    c = make_client(cloud, endpoint=cloud.url)
    assert send(c, "DescribeLibraDBClusters").TotalCount == 2


# --- error codes (each reached through the SDK, each answer carries a RequestId) ---------------

def test_schema_errors(client):
    with pytest.raises(TencentCloudSDKException) as e:
        client.call_json("DescribeLibraDBClusterAccounts", {"ClusterId": CID, "Bogus": 1})
    assert e.value.code == "UnknownParameter" and e.value.requestId
    fails("InvalidParameter", client, "DescribeLibraDBClusterAccounts", ClusterId=CID, Limit="ten")
    fails("OperationDenied.MissingParameterError", client, "DescribeLibraDBClusterAccounts")
    fails("OperationDenied.MissingParameterError", client, "CreateLibraDBClusterAccounts", ClusterId=CID,
          Accounts=[{"AccountName": "nopassword"}])
    fails("OperationDenied.MissingParameterError", client, "DescribeLibraDBClusterAccountPrivileges",
          ClusterId=CID, AccountName="app", Host="%", Db="events", Type="table")


def test_cluster_errors(cloud, client):
    fails("ResourceNotFound.ClusterNotFoundError", client, "DescribeLibraDBClusterAccounts", ClusterId="libradb-nope")
    fails("OperationDenied.InstanceStatusDeniedError", client, "CreateLibraDBClusterAccounts", ClusterId=STOPPED,
          Accounts=[{"AccountName": "app", "AccountPassword": PASSWORD}])
    cloud.admin.set_instance("libradb", CID, lock_mode="ManualLock")
    fails("ResourceUnavailable.InstanceLockFail", client, "CreateLibraDBClusterAccounts", ClusterId=CID,
          Accounts=[{"AccountName": "app", "AccountPassword": PASSWORD}])


@pytest.mark.parametrize("account, code", [
    ({"AccountName": "root"}, "InvalidParameterValue.InternalAccount"),
    ({"AccountName": "mysql.sys"}, "InvalidParameterValue.InternalAccount"),
    ({"AccountName": "9lives"}, "InvalidParameterValue.ParamError"),
    ({"AccountName": "a" * 31}, "InvalidParameterValue.ParamError"),
    ({"AccountName": "app", "Host": "10.0.%"}, "InvalidParameterValue.ParamError"),
    ({"AccountName": "app", "Description": "x" * 256}, "InvalidParameterValue.ParamError"),
    ({"AccountName": "app", "MaxUserConnections": 10241}, "InvalidParameterValue.InvalidParameterValueError"),
    ({"AccountName": "app", "PasswordRotation": 2}, "InvalidParameterValue.InvalidParameterValueError"),
    ({"AccountName": "app", "AccountPassword": "short1!"}, "InvalidParameterValue.IllegalPassword"),
])
def test_create_validation(client, account, code):
    err = fails(code, client, "CreateLibraDBClusterAccounts", ClusterId=CID,
                Accounts=[{"AccountPassword": PASSWORD, **account}])
    assert PASSWORD not in err.message and "short1!" not in err.message
    assert send(client, "DescribeLibraDBClusterAccounts", ClusterId=CID).TotalCount == 0


def test_duplicates_and_missing_accounts(client):
    fails("InvalidParameterValue.AccountExist", client, "CreateLibraDBClusterAccounts", ClusterId=CID,
          Accounts=[{"AccountName": "app", "AccountPassword": PASSWORD}] * 2)
    create(client, {"AccountName": "app"}, {"AccountName": "app", "Host": "10.0.0.1"})
    fails("InvalidParameterValue.AccountAlreadyExistError", client, "CreateLibraDBClusterAccounts", ClusterId=CID,
          Accounts=[{"AccountName": "app", "AccountPassword": PASSWORD}])
    fails("InvalidParameterValue.AccountAlreadyExistError", client, "ModifyLibraDBClusterAccountHost", ClusterId=CID,
          Account={"AccountName": "app"}, NewHost="10.0.0.1")
    fails("InvalidParameterValue.ParamError", client, "ModifyLibraDBClusterAccountHost", ClusterId=CID,
          Account={"AccountName": "app"}, NewHost="example.com")
    for action, fields in [
        ("ResetLibraDBClusterAccountPassword", dict(AccountName="ghost", AccountPassword=PASSWORD)),
        ("ModifyLibraDBClusterAccountDescription", dict(AccountName="ghost", Description="d")),
        ("ModifyLibraDBClusterAccountHost", dict(Account={"AccountName": "app", "Host": "10.9.9.9"}, NewHost="%")),
        ("DeleteLibraDBClusterAccounts", dict(Accounts=[{"AccountName": "app"}, {"AccountName": "ghost"}])),
        ("ModifyLibraDBClusterAccountPrivilege", dict(Account={"AccountName": "ghost"})),
        ("DescribeLibraDBClusterAccountPrivileges", dict(AccountName="ghost", Host="%", Db="*", Type="*")),
        ("DescribeLibraDBClusterAccountAllPrivileges", dict(Account={"AccountName": "ghost"})),
    ]:
        fails("InvalidParameterValue.AccountNotExistError", client, action, ClusterId=CID, **fields)
    assert len(names(client)) == 2  # the failed delete removed nothing
    fails("InvalidParameterValue.InternalAccount", client, "DeleteLibraDBClusterAccounts", ClusterId=CID,
          Accounts=[{"AccountName": "root"}])


def test_reset_password_rule(client):
    create(client, {"AccountName": "app"})
    err = fails("InvalidParameterValue.InvalidPasswordValueError", client, "ResetLibraDBClusterAccountPassword",
                ClusterId=CID, AccountName="app", AccountPassword="x" * 65)
    assert "x" * 65 not in err.message


def test_quota(cloud, client):
    cloud.store.put_instance(replace(cloud.store.get_instance("libradb", CID), account_quota=2))
    create(client, {"AccountName": "one"})
    fails("OperationDenied.OperationDeniedError", client, "CreateLibraDBClusterAccounts", ClusterId=CID,
          Accounts=[{"AccountName": "two", "AccountPassword": PASSWORD},
                    {"AccountName": "three", "AccountPassword": PASSWORD}])
    assert names(client) == [("one", "%")]


def test_privilege_errors(client):
    create(client, {"AccountName": "app"})
    account = {"AccountName": "app"}
    fails("ResourceNotFound.ResourceNotFoundErr", client, "ModifyLibraDBClusterAccountPrivilege", ClusterId=CID,
          Account=account, DatabasePrivileges=[{"Db": "no_such_db", "Privileges": ["SELECT"]}])
    fails("InvalidParameterValue.ParamError", client, "ModifyLibraDBClusterAccountPrivilege", ClusterId=CID,
          Account=account, GlobalPrivileges=["SUPER"])
    fails("InvalidParameterValue.ParamError", client, "ModifyLibraDBClusterAccountPrivilege", ClusterId=CID,
          Account=account, DatabasePrivileges=[{"Db": "events", "Privileges": ["PROCESS"]}])
    fails("InvalidParameterValue.ParamError", client, "DescribeLibraDBClusterAccountPrivileges", ClusterId=CID,
          AccountName="app", Host="%", Db="events", Type="view")
    fails("InvalidParameterValue.InvalidParameterValueError", client, "DescribeLibraDBClusterAccounts",
          ClusterId=CID, Limit=101)


# --- signature errors ---------------------------------------------------------------------------

def test_signature_errors_through_the_sdk(cloud, monkeypatch):
    fails("AuthFailure.SignatureFailure", make_client(cloud, secret="wrong-secret"), "DescribeLibraDBClusters")
    fails("AuthFailure.SecretIdNotFound", make_client(cloud, key_id="unknown-key"), "DescribeLibraDBClusters")
    # Only the SDK's clock is moved back (the server's time module is untouched).
    monkeypatch.setattr(abstract_client, "time", SimpleNamespace(time=lambda: time.time() - 400))
    fails("AuthFailure.SignatureExpire", make_client(cloud), "DescribeLibraDBClusters")


def _post(cloud, body: bytes, headers: dict[str, str]) -> dict:
    r = httpx.post(cloud.url + "/", content=body, headers={"X-TC-Action": "DescribeLibraDBClusters",
                                                          "X-TC-Version": "2019-01-07", **headers})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    return r.json()["Response"]


def _signed_headers(cloud, body: bytes, ts: int, secret: str | None = None) -> dict[str, str]:
    date = time.strftime("%Y-%m-%d", time.gmtime(ts))
    headers = {"content-type": "application/json", "host": cloud.endpoint}
    canon = canonical_request("POST", "/", "", headers, ["content-type", "host"], hashlib.sha256(body).hexdigest())
    sig = tc3_signature(secret or cloud.secret_key, date, "cynosdb",
                        string_to_sign(canon, str(ts), f"{date}/cynosdb/tc3_request"))
    return {"Content-Type": "application/json", "X-TC-Timestamp": str(ts),
            "Authorization": f"TC3-HMAC-SHA256 Credential={cloud.access_key}/{date}/cynosdb/tc3_request, "
                             f"SignedHeaders=content-type;host, Signature={sig}"}


def test_hand_built_requests(cloud):
    body = json.dumps({"Limit": 5}).encode()
    now = int(time.time())
    assert _post(cloud, body, _signed_headers(cloud, body, now))["TotalCount"] == 2
    tampered = _post(cloud, body.replace(b"5", b"6"), _signed_headers(cloud, body, now))
    assert tampered["Error"]["Code"] == "AuthFailure.SignatureFailure" and tampered["RequestId"]
    stale = _post(cloud, body, _signed_headers(cloud, body, now - 301))
    assert stale["Error"]["Code"] == "AuthFailure.SignatureExpire"
    unsigned = _post(cloud, body, {"Content-Type": "application/json", "X-TC-Timestamp": str(now)})
    assert unsigned["Error"]["Code"] == "AuthFailure.InvalidAuthorization" and unsigned["RequestId"]
    no_ts = _signed_headers(cloud, body, now)
    del no_ts["X-TC-Timestamp"]
    assert _post(cloud, body, no_ts)["Error"]["Code"] == "MissingParameter"
