"""The shared diff engine classifies each field and never needs a secret to do so."""

from provisioner.products.libradb.resource import LibraDBAccountProvider
from provisioner.products.polardb.resource import PolarDBAccountProvider
from provisioner.products.rds.resource import RdsAccountProvider

PASSWORD = "Str0ng-Pass"


def checked(provider, news):
    result = provider.check_static({}, news)
    assert result.failures == [], [(f.property, f.reason) for f in result.failures]
    return result.inputs


def outputs(provider, news, **extra):
    outs = dict(checked(provider, news), password_generated=news.get("password") is None, **extra)
    outs["__provider"] = "serialized-provider-v1"
    return outs


RDS = {"instance_id": "rm-1", "name": "app", "password": PASSWORD, "description": "orders",
       "privileges": {"orders": "ReadWrite", "payments": "ReadOnly"}}


def test_no_change_ignores_provider_and_privilege_order():
    p = RdsAccountProvider()
    olds = outputs(p, RDS)
    news = checked(p, dict(RDS, privileges={"payments": "ReadOnly", "orders": "ReadWrite"}))
    news["__provider"] = "serialized-provider-v2"
    d = p.diff("rm-1:app", olds, news)
    assert d.changes is False and d.replaces == []


def test_in_place_fields():
    p = RdsAccountProvider()
    olds = outputs(p, RDS)
    for change in ({"description": "orders2"}, {"password": "0ther-Pass"}, {"privileges": {"orders": "ReadOnly"}}):
        d = p.diff("id", olds, checked(p, dict(RDS, **change)))
        assert d.changes is True and d.replaces == [], change


def test_replace_fields_and_delete_before_replace():
    p = RdsAccountProvider()
    olds = outputs(p, RDS)
    renamed = p.diff("id", olds, checked(p, dict(RDS, name="app2")))
    assert renamed.replaces == ["name"] and renamed.delete_before_replace is False
    retyped = p.diff("id", olds, checked(p, dict(RDS, account_type="Super", privileges={})))
    # Same name on the same instance: the new account would collide with the old one.
    assert retyped.replaces == ["account_type"] and retyped.delete_before_replace is True
    assert "name" in retyped.stables and "instance_id" in retyped.stables


def test_unmanaged_description_is_not_compared():
    p = PolarDBAccountProvider()
    spec = {"cluster_id": "pc", "name": "app", "password": PASSWORD}
    olds = outputs(p, spec)
    olds["description"] = "set by someone else"
    assert p.diff("id", olds, checked(p, spec)).changes is False


def test_generated_password_rotates_only_with_password_version():
    p = PolarDBAccountProvider()
    spec = {"cluster_id": "pc", "name": "app"}
    olds = dict(outputs(p, spec), password="Generated-1x")
    assert p.diff("id", olds, checked(p, spec)).changes is False
    assert p.diff("id", olds, checked(p, dict(spec, password_version="2"))).changes is True


def test_libradb_host_in_place_max_connections_replace():
    p = LibraDBAccountProvider()
    spec = {"cluster_id": "c", "name": "etl", "password": PASSWORD, "max_user_connections": 10,
            "privileges": {"databases": {"d": ["select"]}}}
    olds = outputs(p, spec)
    moved = p.diff("id", olds, checked(p, dict(spec, host="10.0.0.1")))
    assert moved.changes and moved.replaces == []
    more = p.diff("id", olds, checked(p, dict(spec, max_user_connections=20)))
    assert more.replaces == ["max_user_connections"] and more.delete_before_replace is True
    same = p.diff("id", olds, checked(p, dict(spec, privileges={"databases": {"d": ["SELECT"]}})))
    assert same.changes is False


def test_check_reports_field_and_rule_without_the_password():
    p = RdsAccountProvider()
    bad = "short"
    result = p.check({}, {"instance_id": "rm", "name": "root", "password": bad, "__provider": "x"})
    found = {f.property: f.reason for f in result.failures}
    # The engine echoes a failing property's value, so password failures are resource-level.
    assert set(found) == {"name", ""} and found[""].startswith("password: must be 8 to 32")
    assert bad not in str(found)


def test_check_tolerates_values_unknown_at_preview():
    unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    p = RdsAccountProvider()
    result = p.check({}, {"instance_id": unknown, "name": "app", "password": unknown})
    assert result.failures == []


def test_a_number_recorded_by_the_engine_as_a_double_is_no_change_at_preview():
    # The engine hands recorded inputs back as protobuf doubles (50.0); check validates the new
    # ones to ints (50). Seen as a replace, a no-op preview read every such cluster.
    from provisioner.core import preflight
    p = LibraDBAccountProvider()
    spec = {"cluster_id": "c", "name": "etl", "max_user_connections": 50, "privileges": {"databases": {"d": ["SELECT"]}}}
    recorded = dict(checked(p, spec), max_user_connections=50.0)
    assert not preflight.plan_intent(p, recorded, checked(p, spec)).any
    assert p.diff("id", dict(recorded, password_generated=True), checked(p, spec)).changes is False
    assert preflight.plan_intent(p, recorded, checked(p, dict(spec, max_user_connections=51))).recreating
