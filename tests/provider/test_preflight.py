"""`check` refuses, with reads only, what the cloud would refuse at `up` — and makes no call at
all for a resource that does not change."""

from __future__ import annotations

import pytest

from provisioner.core.operation import Claims, resource_name, stack_and_project
from provisioner.core.provider import ProvisionError
from provisioner.products.polardb.resource import PolarDBAccountProvider
from provisioner.products.rds.resource import RdsAccountProvider

PASSWORD = "First-Pass1"
ORDERS = {"instance_id": "rm-localmysql80", "name": "orders_app", "password": PASSWORD,
          "privileges": {"orders": "ReadWrite"}}
WRITES = {"CreateAccount", "DeleteAccount", "ResetAccountPassword", "ModifyAccountPassword",
          "ModifyAccountDescription", "GrantAccountPrivilege", "RevokeAccountPrivilege"}


def failures(result):
    return {(f.property or f.reason.split(":")[0]): f.reason for f in result.failures}


def calls(cloud):
    return {k: v["total"] for k, v in cloud.admin.counters()["calls"].items()}


def test_a_create_with_a_missing_database_fails_naming_it(localcloud):
    result = RdsAccountProvider().check({}, {**ORDERS, "privileges": {"orders": "ReadWrite", "ghost": "ReadOnly"}})
    assert list(failures(result)) == ["privileges.ghost"]
    assert "database 'ghost' does not exist on instance rm-localmysql80" in result.failures[0].reason


def test_an_unknown_instance_and_refused_credentials_fail(localcloud, monkeypatch):
    result = RdsAccountProvider().check({}, {**ORDERS, "instance_id": "rm-nosuch"})
    assert "InvalidDBInstanceId.NotFound" in failures(result)["instance_id"]
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "not-the-secret")
    from provisioner.core import clients as factory
    factory.reset()
    reason = failures(RdsAccountProvider().check({}, ORDERS))["instance_id"]
    assert "Signature" in reason and "access key" in reason and "not-the-secret" not in reason


def test_engine_rules_of_the_live_instance_apply_without_a_hint(localcloud):
    result = RdsAccountProvider().check({}, {"instance_id": "pgm-localpg14", "name": "catalog",
                                             "privileges": {"catalog": "ReadWrite"}})
    assert "privileges.catalog" in failures(result) and "PostgreSQL" in failures(result)["privileges.catalog"]


def test_no_call_for_a_resource_that_does_not_change(localcloud):
    provider = RdsAccountProvider()
    olds = provider.check_static({}, ORDERS).inputs
    localcloud.admin.reset_counters()
    assert provider.check(olds, dict(ORDERS)).failures == []
    assert calls(localcloud) == {}


def test_normal_to_super_keeping_privileges_is_refused_before_the_delete(localcloud):
    provider = RdsAccountProvider()
    olds = provider.check_static({}, ORDERS).inputs
    reason = failures(provider.check(olds, {**ORDERS, "account_type": "Super"}))["privileges"]
    assert "IncorrectAccountType" in reason
    assert failures(provider.check(olds, {**ORDERS, "account_type": "Super", "privileges": {}})) == {}


def test_a_second_super_account_is_refused(localcloud):
    localcloud.admin.add_account("polardb", "pc-localmysql01", "dba", "Hand-Made1x", account_type="Super")
    result = PolarDBAccountProvider().check({}, {"cluster_id": "pc-localmysql01", "name": "dba2",
                                                 "account_type": "Super"})
    assert "already has its one Super account, 'dba'" in failures(result)["account_type"]


def test_adopting_a_super_account_as_normal_is_refused_before_any_write(localcloud):
    admin = localcloud.admin
    admin.add_account("polardb", "pc-localmysql01", "dba", "Hand-Made1x", account_type="Super", description="dba")
    news = {"cluster_id": "pc-localmysql01", "name": "dba", "adopt": True, "description": "taken over"}
    provider = PolarDBAccountProvider()
    assert "declared Normal" in failures(provider.check({}, news))["account_type"]
    admin.reset_counters()
    with pytest.raises(ProvisionError, match="exists as a Super account but is declared Normal"):
        provider.create(provider.check_static({}, news).inputs)
    assert not {k for k in calls(localcloud) if k.split(":")[1] in WRITES}
    assert admin.verify_password("polardb", "pc-localmysql01", "dba", "Hand-Made1x")


def test_an_account_made_outside_the_stack_fails_with_the_adopt_advice(localcloud):
    localcloud.admin.add_account("rds", "rm-localmysql80", "orders_app", "Hand-Made1x")
    reason = failures(RdsAccountProvider().check({}, ORDERS))["name"]
    assert "already exists and is not managed by this stack" in reason and "adopt=True" in reason
    assert failures(RdsAccountProvider().check({}, {**ORDERS, "adopt": True})) == {}


def test_claims_name_the_other_resource():
    claims = Claims()
    key = ("rds", "rm-1", "app", "")
    assert claims.claim(key, "urn:a") is None and claims.claim(key, "urn:a") is None
    assert claims.claim(key, "urn:b") == "urn:a"
    assert claims.other_owner(key, "urn:b") == "urn:a" and claims.other_owner(key, "urn:a") is None
    assert claims.claim(key, None) is None   # no URN known (not under the engine): no claim


def test_urn_parts():
    urn = "urn:pulumi:prod::db-accounts::pulumi-python:dynamic/provisioner:RdsAccount::orders-app"
    assert resource_name(urn) == "orders-app" and stack_and_project(urn) == ("prod", "db-accounts")
    assert stack_and_project("nonsense") is None


def test_missing_credentials_fail_the_check_cleanly(localcloud, monkeypatch):
    monkeypatch.delenv("ALIBABA_CLOUD_ACCESS_KEY_ID")
    reason = RdsAccountProvider().check({}, ORDERS).failures[0].reason
    assert "no credentials for rds" in reason and "ALIBABA_CLOUD_ACCESS_KEY_ID" in reason


def test_name_length_follows_the_live_engine_without_a_hint(localcloud):
    long_name = "a" * 33
    reason = failures(RdsAccountProvider().check({}, {"instance_id": "rm-localmysql80", "name": long_name}))["name"]
    assert "2 to 32 characters" in reason and "MySQL 8.0" in reason
    assert failures(RdsAccountProvider().check({}, {"instance_id": "pgm-localpg14", "name": long_name})) == {}


def test_adopting_with_another_connection_limit_is_refused(localcloud):
    from provisioner.products.libradb.resource import LibraDBAccountProvider
    localcloud.admin.add_account("libradb", "libradb-local001", "etl", "Hand-Made1x", host="%", max_user_connections=20)
    news = {"cluster_id": "libradb-local001", "name": "etl", "adopt": True, "max_user_connections": 30}
    reason = failures(LibraDBAccountProvider().check({}, news))["max_user_connections"]
    assert "exists with max_user_connections=20, declared 30" in reason
    assert failures(LibraDBAccountProvider().check({}, {**news, "max_user_connections": 20})) == {}
