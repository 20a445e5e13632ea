"""The three dynamic providers driven directly (check → create → diff → update → read → delete)
through the official SDKs against the local cloud: every field's create, in-place and replace
path, drift, adoption, validation, retries, and where a password may and may not appear."""

from __future__ import annotations

import base64
import threading

import dill
import pytest
from pulumi.dynamic.dynamic import serialize_provider

from provisioner.core import clients as factory
from provisioner.core.provider import ProvisionError
from provisioner.products.libradb.resource import LibraDBAccountProvider
from provisioner.products.polardb.resource import PolarDBAccountProvider
from provisioner.products.rds.resource import RdsAccountProvider

PASSWORD, OTHER = "First-Pass1", "Second-Pass2"

CASES = {
    "libradb": (LibraDBAccountProvider, "libradb-local001", "cluster_id", {
        "name": "etl", "host": "%", "password": PASSWORD, "description": "loads events",
        "max_user_connections": 20, "privileges": {"databases": {"analytics": ["SELECT"]}},
    }, {"description": "loads more events", "host": "10.0.0.8",
        "privileges": {"global": ["PROCESS"], "databases": {"events": ["SELECT", "INSERT"]}}},
        {"max_user_connections": 30, "name": "etl2"}),
    "rds": (RdsAccountProvider, "rm-localmysql80", "instance_id", {
        "name": "orders_app", "password": PASSWORD, "description": "orders", "privileges": {"orders": "ReadWrite"},
    }, {"description": "orders-v2", "privileges": {"payments": "ReadOnly", "orders": "DMLOnly"}},
        {"account_type": "Super", "name": "orders_svc"}),
    "polardb": (PolarDBAccountProvider, "pc-localmysql01", "cluster_id", {
        "name": "inventory", "password": PASSWORD, "description": "inventory service",
        "privileges": {"inventory": "DMLOnly"},
    }, {"description": "inventory, archived", "privileges": {"inventory_archive": "ReadOnly"}},
        {"account_type": "Super", "name": "inventory2"}),   # Super: privileges are dropped below (both APIs)
}


def inputs(product, **changes):
    provider_class, instance, key, base, _, _ = CASES[product]
    news = {key: instance, **base, **changes}
    result = provider_class().check_static({}, news)
    assert result.failures == [], [(f.property, f.reason) for f in result.failures]
    return {**result.inputs, "__provider": "serialized"}


def live(cloud, product, name=None):
    _, instance, _, base, _, _ = CASES[product]
    return {a["name"]: a for a in cloud.admin.accounts(product, instance)}.get(name or base["name"])


def host_of(account):
    return account.get("host") or ""


@pytest.mark.parametrize("product", CASES)
def test_create_then_each_in_place_field(localcloud, product):
    provider = CASES[product][0]()
    _, instance, _, base, in_place, _ = CASES[product]
    news = inputs(product)
    created = provider.create(news)
    outs = {**created.outs, "__provider": "serialized"}
    account = live(localcloud, product)
    assert account["description"] == base["description"]
    assert localcloud.admin.verify_password(product, instance, base["name"], PASSWORD, host=host_of(account) or None)
    assert provider.diff(created.id, outs, news).changes is False

    declared = {}
    for field, value in {**in_place, "password": OTHER}.items():
        declared[field] = value
        changed = inputs(product, **declared)
        diff = provider.diff(created.id, outs, changed)
        assert diff.changes is True and diff.replaces == [], field
        outs = {**provider.update(created.id, outs, changed).outs, "__provider": "serialized"}
        assert provider.diff(created.id, outs, changed).changes is False, field
    account = live(localcloud, product)
    assert account["description"] == in_place["description"]
    if product == "libradb":
        assert account["host"] == "10.0.0.8"
        assert account["privileges"] == {"global": ["PROCESS"], "database": [
            {"Db": "events", "Privileges": ["INSERT", "SELECT"]}], "table": []}
    else:
        assert account["privileges"] == in_place["privileges"]
    assert localcloud.admin.verify_password(product, instance, base["name"], OTHER, host=host_of(account) or None)
    provider.delete(created.id, outs)
    assert live(localcloud, product) is None
    provider.delete(created.id, outs)   # already gone: still fine


@pytest.mark.parametrize("product", CASES)
def test_replace_fields(localcloud, product):
    provider = CASES[product][0]()
    replaces = CASES[product][5]
    news = inputs(product)
    outs = {**provider.create(news).outs, "__provider": "serialized"}
    for field, value in replaces.items():
        extra = {"privileges": {}} if field == "account_type" else {}   # a Super account takes no grants
        diff = provider.diff("id", outs, inputs(product, **{field: value}, **extra))
        assert diff.replaces == [field], field
        # Same identity (only the type or connection limit changes): the old one must go first.
        assert diff.delete_before_replace is (field != "name"), field


@pytest.mark.parametrize("product", CASES)
def test_refresh_sees_drift_and_deletion(localcloud, product):
    provider = CASES[product][0]()
    _, instance, _, base, _, _ = CASES[product]
    created = provider.create(inputs(product))
    outs = {**created.outs, "__provider": "serialized"}
    host = {"host": "%"} if product == "libradb" else {}
    privileges = {"global": ["SELECT"]} if product == "libradb" else {"inventory" if product == "polardb" else "orders": "ReadOnly"}
    localcloud.admin.modify_account(product, instance, base["name"], description="changed by hand",
                                    privileges=privileges, **host)
    factory.reset()   # each `pulumi refresh` is a new provider process with an empty read cache
    read = provider.read(created.id, outs)
    assert read.id == created.id and read.outs["description"] == "changed by hand"
    assert provider.diff(created.id, {**read.outs, "__provider": "x"}, inputs(product)).changes is True
    localcloud.admin.delete_account(product, instance, base["name"], **host)
    factory.reset()
    assert not provider.read(created.id, outs).id


@pytest.mark.parametrize("product", CASES)
def test_existing_account_needs_adopt(localcloud, product):
    provider = CASES[product][0]()
    _, instance, _, base, _, _ = CASES[product]
    host = {"host": "%"} if product == "libradb" else {}
    localcloud.admin.add_account(product, instance, base["name"], "Hand-Made1", description="by hand", **host)
    with pytest.raises(ProvisionError, match="already exists.*adopt=True"):
        provider.create(inputs(product))
    provider.create(inputs(product, adopt=True))
    account = live(localcloud, product)
    assert account["description"] == base["description"]
    assert localcloud.admin.verify_password(product, instance, base["name"], PASSWORD, **host)


@pytest.mark.parametrize("product", CASES)
def test_validation_fails_in_check_with_no_cloud_call(localcloud, product):
    provider_class, instance, key, _, _, _ = CASES[product]
    before = localcloud.admin.counters()
    result = provider_class().check({}, {key: instance, "name": "9bad", "password": "weak", "description": "x" * 300})
    fields = {f.property or f.reason.split(":")[0] for f in result.failures}
    assert {"name", "password", "description"} <= fields
    assert "weak" not in str([(f.property, f.reason) for f in result.failures])
    assert localcloud.admin.counters() == before


def test_rds_engine_rules_checked_against_the_live_instance(localcloud):
    # No engine hint: the PostgreSQL instance's own rules apply before the first write.
    with pytest.raises(ProvisionError, match="privileges.catalog.*DBOwner"):
        RdsAccountProvider().create({"instance_id": "pgm-localpg14", "name": "catalog", "password": PASSWORD,
                                     "privileges": {"catalog": "ReadWrite"}})
    assert live(localcloud, "rds", "catalog") is None


def test_create_survives_throttling(localcloud):
    localcloud.admin.script({"match": "rds:CreateAccount", "count": 3, "fault": "throttle"},
                            {"match": "rds:GrantAccountPrivilege", "count": 2, "fault": "internal", "status": 500})
    RdsAccountProvider().create(inputs("rds"))
    assert live(localcloud, "rds")["privileges"] == {"orders": "ReadWrite"}


def test_create_waits_while_the_instance_is_not_running(localcloud):
    localcloud.admin.set_instance("polardb", "pc-localmysql01", status="Creating")
    described = threading.Event()

    def bring_back():
        # Flip the cluster back once the provider has asked about it at least twice (it waits).
        while not described.is_set():
            calls = localcloud.admin.counters()["calls"].get("polardb:DescribeDBClusterAttribute", {})
            if calls.get("total", 0) >= 2:
                localcloud.admin.set_instance("polardb", "pc-localmysql01", status="Running")
                described.set()
            else:
                described.wait(0.01)

    helper = threading.Thread(target=bring_back, daemon=True)
    helper.start()
    PolarDBAccountProvider().create(inputs("polardb"))
    helper.join(5)
    assert described.is_set() and live(localcloud, "polardb") is not None


def test_no_password_in_serialized_provider_plain_outputs_or_errors(localcloud):
    provider = RdsAccountProvider()
    created = provider.create(inputs("rds"))
    serialized = base64.b64decode(serialize_provider(provider))
    for secret in (PASSWORD.encode(), localcloud.secret_key.encode()):
        assert secret not in serialized
    assert type(dill.loads(serialized)) is RdsAccountProvider
    assert [k for k, v in created.outs.items() if PASSWORD in str(v)] == ["password"]   # the secret output
    generated = provider.create(inputs("rds", name="gen_app", password=None))
    assert [k for k, v in generated.outs.items() if generated.outs["password"] in str(v)] == ["password"]
    localcloud.admin.script({"match": "rds:ResetAccountPassword", "count": 1, "fault": "error", "status": 400,
                             "code": "InvalidAccountPassword.Format", "message": "Specified account password is not valid."})
    olds = {**created.outs, "__provider": "x"}
    with pytest.raises(ProvisionError) as info:
        provider.update(created.id, olds, inputs("rds", password=OTHER))
    message = str(info.value)
    assert "InvalidAccountPassword.Format" in message and "request id" in message
    assert OTHER not in message and PASSWORD not in message and OTHER not in repr(info.value.args)
