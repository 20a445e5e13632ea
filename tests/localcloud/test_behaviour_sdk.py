"""The realistic timing model (localcloud/behaviour.py) through the official SDKs: each
behaviour, with the code, HTTP status and envelope the real service uses. Time is a fake clock
the test moves, so nothing here sleeps."""

from __future__ import annotations

import pytest
from alibabacloud_polardb20170801 import models as pm
from alibabacloud_polardb20170801.client import Client as PolarClient
from alibabacloud_rds20140815 import models as rm
from alibabacloud_rds20140815.client import Client as RdsClient
from alibabacloud_tea_openapi.models import Config
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.cynosdb.v20190107 import cynosdb_client
from tencentcloud.cynosdb.v20190107 import models as tm

from alibaba_support import PASSWORD, expect
from provisioner.localcloud.behaviour import Behaviour

MYSQL, PG, POLAR, LIBRA = "rm-localmysql80", "pgm-localpg14", "pc-localmysql01", "libradb-local001"


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float = 0.31) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def cloud(localcloud_factory, clock):
    return localcloud_factory(behaviour=Behaviour("realistic", clock=clock), faults={"rate_limits": {}})


def _config(cloud):
    return Config(access_key_id=cloud.access_key, access_key_secret=cloud.secret_key, endpoint=cloud.endpoint,
                  protocol="http", region_id="cn-hangzhou")


@pytest.fixture
def rds(cloud):
    return RdsClient(_config(cloud))


@pytest.fixture
def polar(cloud):
    return PolarClient(_config(cloud))


@pytest.fixture
def libra(cloud):
    http = HttpProfile(endpoint=cloud.endpoint, protocol="http")
    return cynosdb_client.CynosdbClient(credential.Credential(cloud.access_key, cloud.secret_key), "ap-guangzhou",
                                        ClientProfile(httpProfile=http))


def rds_create(rds, name, instance=MYSQL, **kw):
    return rds.create_account(rm.CreateAccountRequest(dbinstance_id=instance, account_name=name,
                                                      account_password=PASSWORD, **kw))


def rds_account(rds, name, instance=MYSQL):
    found = rds.describe_accounts(rm.DescribeAccountsRequest(dbinstance_id=instance, account_name=name)).body
    accounts = found.accounts.dbinstance_account
    return accounts[0] if accounts else None


def rds_grant(rds, name, db, level, instance=MYSQL):
    return rds.grant_account_privilege(rm.GrantAccountPrivilegeRequest(
        dbinstance_id=instance, account_name=name, dbname=db, account_privilege=level))


def privileges(acct):
    return {p.dbname: p.account_privilege for p in acct.database_privileges.database_privilege}


# --- RDS ---------------------------------------------------------------------------------------

def test_rds_account_is_unavailable_after_create_and_refuses_writes(rds, clock):
    rds_create(rds, "app")
    assert rds_account(rds, "app").account_status == "Unavailable"
    err = expect("OperationDenied.DBInstanceStatus", 403, rds_grant, rds, "app", "orders", "ReadWrite")
    assert err.data["HostId"] == "rds.aliyuncs.com" and "still in progress" in err.data["Message"]
    clock.advance()
    assert rds_account(rds, "app").account_status == "Available"
    rds_grant(rds, "app", "orders", "ReadWrite")


def test_rds_grant_and_revoke_show_later(rds, clock):
    rds_create(rds, "app")
    clock.advance()
    rds_grant(rds, "app", "orders", "ReadWrite")
    assert privileges(rds_account(rds, "app")) == {}          # accepted, not visible yet
    clock.advance()
    assert privileges(rds_account(rds, "app")) == {"orders": "ReadWrite"}
    rds.revoke_account_privilege(rm.RevokeAccountPrivilegeRequest(dbinstance_id=MYSQL, account_name="app",
                                                                 dbname="orders"))
    assert privileges(rds_account(rds, "app")) == {"orders": "ReadWrite"}
    clock.advance()
    assert privileges(rds_account(rds, "app")) == {}


def test_rds_delete_completes_later_and_the_name_stays_taken(rds, clock):
    rds_create(rds, "app")
    clock.advance()
    rds.delete_account(rm.DeleteAccountRequest(dbinstance_id=MYSQL, account_name="app"))
    assert rds_account(rds, "app").account_status == "Unavailable"
    expect("InvalidAccountName.Duplicate", 400, rds_create, rds, "app")
    clock.advance()
    assert rds_account(rds, "app") is None
    rds_create(rds, "app")


def test_concurrent_account_tasks_are_refused(cloud, rds, clock):
    cloud.admin.set_behaviour(max_account_tasks=2)
    rds_create(rds, "one")
    rds_create(rds, "two")
    err = expect("ConcurrentTaskExceeded", 400, rds_create, rds, "three")
    assert err.data["Message"].startswith("Concurrent task exceeding the allowed amount.")
    clock.advance()
    rds_create(rds, "three")


def test_a_forced_busy_instance_refuses_writes_and_reads_with_the_chosen_code(cloud, rds, clock):
    cloud.admin.busy("rds", MYSQL, 5, code="LockTimeout", reads=True)
    expect("LockTimeout", 400, rds_create, rds, "app")
    expect("LockTimeout", 400, rds_account, rds, "app")
    cloud.admin.busy("rds", MYSQL, 5, code="OperationDenied.OutofUsage")      # writes only
    assert rds_account(rds, "app") is None
    expect("OperationDenied.OutofUsage", 403, rds_create, rds, "app")
    clock.advance(5.1)
    rds_create(rds, "app")


def test_postgresql_dbowner_reads_back_as_all_with_one_owner_per_database(rds, clock):
    rds_create(rds, "owner_a", PG)
    rds_create(rds, "owner_b", PG)
    clock.advance()
    rds_grant(rds, "owner_a", "catalog", "DBOwner", PG)
    clock.advance()
    assert privileges(rds_account(rds, "owner_a", PG)) == {"catalog": "ALL"}
    dbs = rds.describe_databases(rm.DescribeDatabasesRequest(dbinstance_id=PG)).body.databases.database
    assert [(i.account, i.account_privilege) for i in dbs[0].accounts.account_privilege_info] == [("owner_a", "ALL")]
    rds_grant(rds, "owner_b", "catalog", "DBOwner", PG)
    clock.advance()
    assert privileges(rds_account(rds, "owner_b", PG)) == {"catalog": "ALL"}
    assert privileges(rds_account(rds, "owner_a", PG)) == {}   # the database moved to its new owner
    expect("OperationDenied.DBInstanceEngine", 403, rds.revoke_account_privilege,
           rm.RevokeAccountPrivilegeRequest(dbinstance_id=PG, account_name="owner_b", dbname="catalog"))


def test_postgresql_owner_is_left_locked_by_delete_until_unlocked(rds, clock):
    rds_create(rds, "owner", PG)
    clock.advance()
    rds_grant(rds, "owner", "catalog", "DBOwner", PG)
    clock.advance()
    delete = rm.DeleteAccountRequest(dbinstance_id=PG, account_name="owner")
    rds.delete_account(delete)
    clock.advance()
    assert rds_account(rds, "owner", PG).account_status == "Lock"
    expect("AccountActionForbidden", 403, rds.delete_account, delete)
    rds.unlock_account(rm.UnlockAccountRequest(dbinstance_id=PG, account_name="owner"))
    clock.advance()
    rds.delete_account(delete)
    clock.advance()
    assert rds_account(rds, "owner", PG) is None


# --- PolarDB -----------------------------------------------------------------------------------

def polar_account(polar, name):
    found = polar.describe_accounts(pm.DescribeAccountsRequest(dbcluster_id=POLAR, account_name=name)).body.accounts
    return found[0] if found else None


def test_polardb_statuses_creating_and_deleting(polar, clock):
    polar.create_account(pm.CreateAccountRequest(dbcluster_id=POLAR, account_name="svc", account_password=PASSWORD,
                                                 account_type="Normal", dbname="inventory", account_privilege="ReadOnly"))
    acct = polar_account(polar, "svc")
    assert (acct.account_status, acct.database_privileges) == ("Creating", [])
    expect("OperationDenied.DBClusterStatus", 403, polar.modify_account_description,
           pm.ModifyAccountDescriptionRequest(dbcluster_id=POLAR, account_name="svc", account_description="x1"))
    clock.advance()
    acct = polar_account(polar, "svc")
    assert acct.account_status == "Available"
    assert [(p.dbname, p.account_privilege) for p in acct.database_privileges] == [("inventory", "ReadOnly")]
    polar.delete_account(pm.DeleteAccountRequest(dbcluster_id=POLAR, account_name="svc"))
    assert polar_account(polar, "svc").account_status == "Deleting"
    clock.advance()
    assert polar_account(polar, "svc") is None


# --- LibraDB -----------------------------------------------------------------------------------

def libra_send(libra, action, **fields):
    request = getattr(tm, action + "Request")()
    request._deserialize(fields)
    return getattr(libra, action)(request)


def test_libradb_account_is_invisible_for_a_moment_after_create(libra, clock):
    account = {"AccountName": "analyst", "Host": "%", "AccountPassword": PASSWORD}
    libra_send(libra, "CreateLibraDBClusterAccounts", ClusterId=LIBRA, Accounts=[account])
    assert libra_send(libra, "DescribeLibraDBClusterAccounts", ClusterId=LIBRA).TotalCount == 0
    with pytest.raises(TencentCloudSDKException) as err:
        libra_send(libra, "ModifyLibraDBClusterAccountPrivilege", ClusterId=LIBRA,
                   Account={"AccountName": "analyst", "Host": "%"}, GlobalPrivileges=["PROCESS"])
    assert err.value.code == "InvalidParameterValue.AccountNotExistError" and err.value.requestId
    with pytest.raises(TencentCloudSDKException) as err:   # it exists, though
        libra_send(libra, "CreateLibraDBClusterAccounts", ClusterId=LIBRA, Accounts=[account])
    assert err.value.code == "InvalidParameterValue.AccountAlreadyExistError"
    clock.advance()
    assert [a.AccountName for a in libra_send(libra, "DescribeLibraDBClusterAccounts", ClusterId=LIBRA).AccountSet] \
        == ["analyst"]


@pytest.mark.parametrize("code", ["ResourceBusy", "ResourceInUse", "ResourceUnavailable.InstanceLockFail",
                                  "FailedOperation.OperationFailedError"])
def test_libradb_busy_cluster_answers_in_the_tencent_envelope(cloud, libra, clock, code):
    cloud.admin.busy("libradb", LIBRA, 2, code=code, reads=True)
    with pytest.raises(TencentCloudSDKException) as err:
        libra_send(libra, "DescribeLibraDBClusterAccounts", ClusterId=LIBRA)
    assert err.value.code == code and err.value.requestId
    clock.advance(2.1)
    assert libra_send(libra, "DescribeLibraDBClusterAccounts", ClusterId=LIBRA).TotalCount == 0


# --- profiles and knobs ------------------------------------------------------------------------

def test_instant_profile_and_scale(cloud, rds, clock):
    assert cloud.admin.behaviour()["profile"] == "realistic"
    cloud.admin.set_behaviour(scale=15)                      # 3 s windows (0.2 s x 15)
    rds_create(rds, "slow")
    clock.advance(2.9)
    assert rds_account(rds, "slow").account_status == "Unavailable"
    clock.advance(0.2)
    assert rds_account(rds, "slow").account_status == "Available"
    cloud.admin.set_behaviour(profile="instant")
    rds_create(rds, "fast")
    assert rds_account(rds, "fast").account_status == "Available"


def test_account_settle_can_be_lengthened(cloud, rds, clock):
    cloud.admin.set_behaviour(account_settle=60)
    rds_create(rds, "app")
    clock.advance(59)
    assert rds_account(rds, "app").account_status == "Unavailable"
    clock.advance(1.1)
    assert rds_account(rds, "app").account_status == "Available"


def test_a_delete_in_flight_completes_when_the_cloud_restarts(localcloud_factory, tmp_path, clock):
    state = tmp_path / "s.sqlite"
    first = localcloud_factory(state=state, behaviour=Behaviour("realistic", clock=clock))
    client = RdsClient(_config(first))
    rds_create(client, "app")
    clock.advance()
    client.delete_account(rm.DeleteAccountRequest(dbinstance_id=MYSQL, account_name="app"))
    first.stop()
    second = localcloud_factory(state=state, behaviour=Behaviour("realistic", clock=clock))
    assert rds_account(RdsClient(_config(second)), "app") is None
