"""Every documented rule rejects bad input with the field named — before any cloud call."""

import pytest

from provisioner.core.spec import SpecError, validate_spec
from provisioner.products.libradb.spec import LibraDBAccountSpec
from provisioner.products.polardb.spec import PolarDBAccountSpec
from provisioner.products.rds.spec import RdsAccountSpec

GOOD_PASSWORD = "Str0ng-Pass"


def test_rds_reserved_names_per_engine():
    from provisioner.products.rds import rules as rds_rules
    assert "is a reserved keyword" in rds_rules.check_rds_name("eagleye")            # every engine: at preview
    assert rds_rules.check_rds_name("percona") is None                              # MySQL only: not at preview
    assert "reserved keyword on MySQL" in rds_rules.check_rds_name("percona", "MySQL", "8.0")
    assert "reserved keyword on PostgreSQL" in rds_rules.check_rds_name("pg_reader", "PostgreSQL")
    assert rds_rules.check_rds_name("pg_reader", "MySQL", "8.0") is None
    assert "reserved keyword on SQLServer" in rds_rules.check_rds_name("sysadmin", "SQLServer")


def test_rds_postgresql_name_length_follows_the_storage_type():
    from provisioner.products.rds import rules as rds_rules
    name = "a" * 20
    assert rds_rules.check_rds_name(name, "PostgreSQL", "14.0", "cloud_essd") is None
    assert rds_rules.check_rds_name(name, "PostgreSQL", "14.0") is None            # unknown: the loosest bound
    assert "2 to 16 characters long on PostgreSQL 14.0 with local disks" in rds_rules.check_rds_name(
        name, "PostgreSQL", "14.0", "local_ssd")


def failures(model, data):
    with pytest.raises(SpecError) as info:
        validate_spec(model, data)
    return dict(info.value.failures)


@pytest.mark.parametrize("name, reason", [
    ("1abc", "must start with a letter"),
    ("abc_", "end with a letter or digit"),
    ("a" * 31, "1 to 30 characters"),
    ("ab-c", "letters, digits and '_'"),
    ("root", "reserved"),
    ("TencentRoot", "reserved"),
])
def test_libradb_name_rules(name, reason):
    assert reason in failures(LibraDBAccountSpec, {"cluster_id": "c", "name": name})["name"]


@pytest.mark.parametrize("password, reason", [
    ("Ab1!", "8 to 64"),
    ("A" * 65, "8 to 64"),
    ("Abcdefg1\n", "control characters"),
])
def test_libradb_password_rules(password, reason):
    found = failures(LibraDBAccountSpec, {"cluster_id": "c", "name": "app", "password": password})
    assert reason in found["password"]
    assert password not in str(found)


@pytest.mark.parametrize("password", ["abcdefgh", "alllowercase", "Abcdefg1 ", "Abcdefg1é", "a" * 64])
def test_libradb_password_only_length_is_documented(password):
    """cynosdb NewAccount.AccountPassword: "8 to 64 characters" is the whole documented rule."""
    assert validate_spec(LibraDBAccountSpec, {"cluster_id": "c", "name": "app", "password": password}).password == password


def test_libradb_host_description_connections_privileges():
    found = failures(LibraDBAccountSpec, {
        "cluster_id": "c", "name": "app", "host": "10.0.0", "description": "x" * 256,
        "max_user_connections": 10241,
        "privileges": {"global": ["SELECT", "FLY"], "databases": {"db": ["PROCESS"]}, "tables": {"notable": ["SELECT"]}},
    })
    assert "IPv4" in found["host"]
    assert "255" in found["description"]
    assert "10240" in found["max_user_connections"]
    assert "'FLY' is not a privilege" in found["privileges.global"]
    assert "only be granted globally" in found["privileges.databases.db"]
    assert "database.table" in found["privileges.tables.notable"]


def test_libradb_privileges_normalised_regardless_of_order_and_case():
    a = validate_spec(LibraDBAccountSpec, {"cluster_id": "c", "name": "app",
                                           "privileges": {"databases": {"d": ["select", "INSERT", "SELECT"]}}})
    b = validate_spec(LibraDBAccountSpec, {"cluster_id": "c", "name": "app",
                                           "privileges": {"databases": {"d": ["INSERT", "SELECT"]}}})
    assert a.privileges.normalised() == b.privileges.normalised() == {
        "global": [], "databases": {"d": ["INSERT", "SELECT"]}, "tables": {}}


@pytest.mark.parametrize("engine, version, name, reason", [
    ("MySQL", "8.0", "a" * 33, "2 to 32"),
    ("MySQL", "5.6", "a" * 17, "2 to 16"),
    ("MariaDB", None, "a" * 17, "2 to 16"),
    ("PostgreSQL", None, "a" * 64, "2 to 63"),
    ("PostgreSQL", None, "AppUser", "lower-case"),
    (None, None, "admin", "reserved keyword"),
    (None, None, "x", "2 to 64"),
])
def test_rds_name_rules_by_engine(engine, version, name, reason):
    found = failures(RdsAccountSpec, {"instance_id": "rm-1", "name": name, "engine": engine,
                                      "engine_version": version})
    assert reason in found["name"]


@pytest.mark.parametrize("password, reason", [
    ("Ab1!", "8 to 32"),
    ("Abcdefgh1!" * 4, "8 to 32"),
    ("abcdefgh", "at least 3 of"),
    ("Abcdefg1~", "may contain only"),   # ~ is not among RDS's specials
])
def test_alibaba_password_rules(password, reason):
    for model, key in ((RdsAccountSpec, "instance_id"), (PolarDBAccountSpec, "cluster_id")):
        found = failures(model, {key: "x", "name": "app", "password": password})
        assert reason in found["password"]


@pytest.mark.parametrize("description, reason", [
    ("x", "2 to 256"),
    ("http://example", "http://"),
    ("orders service", "only letters"),
    ("1st", "start with a letter"),
])
def test_rds_description_rules(description, reason):
    assert reason in failures(RdsAccountSpec, {"instance_id": "rm", "name": "app",
                                               "description": description})["description"]


def test_rds_privileges_and_type_by_engine():
    found = failures(RdsAccountSpec, {"instance_id": "rm", "name": "app", "engine": "PostgreSQL",
                                      "privileges": {"db": "ReadWrite"}, "account_type": "Sysadmin"})
    assert "DBOwner" in found["privileges.db"]
    assert "Sysadmin" in found["account_type"]
    assert "ReadWrite" in failures(RdsAccountSpec, {"instance_id": "rm", "name": "app",
                                                     "privileges": {"db": "Everything"}})["privileges.db"]


@pytest.mark.parametrize("name, reason", [
    ("App", "lower-case"), ("a", "2 to 16"), ("a" * 17, "2 to 16"), ("root", "reserved"), ("admin", "reserved"),
    ("app_", "end with a letter or digit"),
])
def test_polardb_name_rules(name, reason):
    assert reason in failures(PolarDBAccountSpec, {"cluster_id": "pc", "name": name})["name"]


def test_polardb_type_privileges_description():
    found = failures(PolarDBAccountSpec, {"cluster_id": "pc", "name": "app", "account_type": "Root",
                                          "description": "https://x", "privileges": {"db": "All"}})
    assert "Normal" in found["account_type"]
    assert "http" in found["description"]
    assert "ReadIndex" in found["privileges.db"]
    assert "Normal accounts only" in failures(PolarDBAccountSpec, {
        "cluster_id": "pc", "name": "app", "account_type": "Super", "privileges": {"db": "ReadOnly"}})["privileges"]


def test_polardb_defaults_to_normal_not_super():
    assert validate_spec(PolarDBAccountSpec, {"cluster_id": "pc", "name": "app"}).account_type == "Normal"


def test_unknown_fields_are_rejected():
    assert "name_typo" in failures(RdsAccountSpec, {"instance_id": "rm", "name": "app", "name_typo": 1})


def test_repr_hides_password():
    spec = validate_spec(RdsAccountSpec, {"instance_id": "rm", "name": "app", "password": GOOD_PASSWORD})
    assert GOOD_PASSWORD not in repr(spec) and GOOD_PASSWORD not in str(spec)


# --- whole-value matching, separators, combinations, lengths (issue 16) ----------------------

@pytest.mark.parametrize("model, data", [
    (LibraDBAccountSpec, {"cluster_id": "c", "name": "ab\n"}),
    (RdsAccountSpec, {"instance_id": "rm", "name": "ab\n"}),
    (PolarDBAccountSpec, {"cluster_id": "pc", "name": "ab\n"}),
    (RdsAccountSpec, {"instance_id": "rm", "name": "app", "description": "reports\n"}),
])
def test_a_trailing_newline_is_refused(model, data):
    found = failures(model, data)
    assert set(found) == {"description" if "description" in data else "name"}


@pytest.mark.parametrize("model, key", [(RdsAccountSpec, "instance_id"), (PolarDBAccountSpec, "cluster_id")])
@pytest.mark.parametrize("db, reason", [
    ("a,b", "','"), (" orders", "whitespace"), ("orders ", "whitespace"), ("orders\n", "whitespace"),
    ("d" * 65, "1 to 64"), ("", "1 to 64"), ("a\x00b", "U+0000"), ("a\U0001F600", "Basic Multilingual Plane"),
])
def test_alibaba_database_keys_refuse_separators_and_surrounding_whitespace(model, key, db, reason):
    found = failures(model, {key: "x", "name": "app", "privileges": {db: "ReadOnly"}})
    assert reason in found[f"privileges.{db}"]


def test_libradb_database_and_table_keys():
    found = failures(LibraDBAccountSpec, {"cluster_id": "c", "name": "app", "privileges": {
        "databases": {" db": ["SELECT"]},
        "tables": {"db." + "t" * 65: ["SELECT"], "db .t": ["SELECT"]}}})
    assert "whitespace" in found["privileges.databases. db"]
    assert "table name must be 1 to 64" in found["privileges.tables.db." + "t" * 65]
    assert "whitespace" in found["privileges.tables.db .t"]
    # Db and TableName are separate JSON fields in this API: a comma is an ordinary character.
    ok = validate_spec(LibraDBAccountSpec, {"cluster_id": "c", "name": "app", "privileges": {
        "databases": {"a,b": ["SELECT"]}, "tables": {"db." + "t" * 64: ["SELECT"]}}})
    assert ok.privileges.databases == {"a,b": ["SELECT"]}


@pytest.mark.parametrize("value", ["rm-a,rm-b", "rm-a ", "", "rm a"])
def test_instance_ids_refuse_lists_and_whitespace(value):
    assert "instance_id" in failures(RdsAccountSpec, {"instance_id": value, "name": "app"})


@pytest.mark.parametrize("engine, account_type, privileges, refused", [
    ("MySQL", "Super", {"db": "ReadWrite"}, True),
    ("MariaDB", "Super", {"db": "ReadOnly"}, True),
    ("SQLServer", "Super", {"db": "DBOwner"}, True),
    ("SQLServer", "Sysadmin", {"db": "DBOwner"}, True),
    ("PostgreSQL", "Super", {"db": "DBOwner"}, False),
    (None, "Super", {"db": "ReadWrite"}, True),     # no engine takes that
    (None, "Super", {"db": "DBOwner"}, False),      # PostgreSQL might: checked live
    (None, "Sysadmin", {"db": "DBOwner"}, True),
    ("MySQL", "Super", {}, False),
    ("MySQL", "Normal", {"db": "ReadWrite"}, False),
])
def test_rds_privileged_accounts_with_privileges(engine, account_type, privileges, refused):
    data = {"instance_id": "rm", "name": "app", "engine": engine, "account_type": account_type,
            "privileges": privileges}
    if refused:
        reason = failures(RdsAccountSpec, data)["privileges"]
        assert "takes no per-database grants" in reason and "IncorrectAccountType" in reason
    else:
        validate_spec(RdsAccountSpec, data)


def test_rds_name_without_engine_hint_accepts_what_some_engine_accepts():
    # 33 to 64 characters: too long for MySQL, fine on SQL Server; the live check at preview and
    # before the first write applies the instance's own engine (engine_rule_failures).
    from provisioner.products.rds.spec import engine_rule_failures
    spec = validate_spec(RdsAccountSpec, {"instance_id": "rm", "name": "a" * 33})
    assert engine_rule_failures(spec, "SQLServer", "2019") == []
    assert "2 to 32" in dict(engine_rule_failures(spec, "MySQL", "8.0"))["name"]


def test_program_precheck_skips_values_known_only_at_up():
    from provisioner.core import precheck
    from provisioner.products.rds.resource import RdsAccountArgs

    class Later:   # an awaitable, like an Output: its value is known only when the engine runs
        def __await__(self):
            yield
    assert precheck.failures(RdsAccountSpec, RdsAccountArgs(instance_id=Later(), name="app")) == []
    found = dict(precheck.failures(RdsAccountSpec, RdsAccountArgs(instance_id=Later(), name="ab\n",
                                                                  privileges={"a,b": "ReadOnly"})))
    assert set(found) == {"name", "privileges.a,b"}
    assert precheck.failures(RdsAccountSpec, RdsAccountArgs(instance_id="rm", name=Later(),
                                                            description="bad desc")) != []


@pytest.mark.parametrize("region, ok", [("ap-guangzhou", True), ("ap-shenzhen-fsi", True), ("cn-hangzhou", True),
                                        ("ap-southeast-1", True), ("cn-hangzhou\n", False), ("Cn-Hangzhou", False),
                                        ("hangzhou", False), (" cn-hangzhou", False)])
def test_region_ids(region, ok):
    data = {"instance_id": "rm", "name": "app", "region": region}
    if ok:
        assert validate_spec(RdsAccountSpec, data).region == region
    else:
        assert "region id" in failures(RdsAccountSpec, data)["region"]


def test_the_typed_literals_are_the_rules_allowed_values():
    """Type checkers need literal Literals; the rules keep the values with their sources: one list."""
    from typing import get_args

    from provisioner.products.polardb import rules as polardb_rules
    from provisioner.products.polardb.spec import PolarDBAccountType, PolarDBPrivilege
    from provisioner.products.rds import rules as rds_rules
    from provisioner.products.rds.spec import RdsAccountType, RdsEngine, RdsPrivilege
    assert get_args(RdsAccountType) == rds_rules.RDS_ACCOUNT_TYPES
    assert get_args(RdsPrivilege) == rds_rules.RDS_PRIVILEGES
    assert get_args(RdsEngine) == tuple(rds_rules.RDS_PRIVILEGES_BY_ENGINE)
    assert get_args(PolarDBAccountType) == polardb_rules.POLARDB_ACCOUNT_TYPES
    assert get_args(PolarDBPrivilege) == polardb_rules.POLARDB_PRIVILEGES
