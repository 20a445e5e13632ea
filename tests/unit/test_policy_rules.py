"""The guardrails as plain functions: what each refuses, what it lets through, what it says."""

from __future__ import annotations

import pytest

from provisioner.policy import rules
from provisioner.policy.pack import policies

RDS = "pulumi-python:dynamic/provisioner:RdsAccount"
POLARDB = "pulumi-python:dynamic/provisioner:PolarDBAccount"
LIBRADB = "pulumi-python:dynamic/provisioner:LibraDBAccount"


def rds(**fields):
    return {"instance_id": "rm-1", "name": "app", "account_type": "Normal", "privileges": {}, **fields}


@pytest.mark.parametrize("type_, props, refused", [
    (RDS, rds(account_type="Super"), True),
    (RDS, rds(account_type="Sysadmin"), True),
    (RDS, rds(), False),
    (POLARDB, {"cluster_id": "pc-1", "name": "app", "account_type": "Super"}, True),
    (LIBRADB, {"cluster_id": "libradb-1", "name": "app", "host": "%"}, False),
])
def test_privileged_account_types(type_, props, refused):
    assert bool(rules.privileged_account_type(type_, props, {})) is refused


def test_privileged_account_types_configurable():
    assert rules.privileged_account_type(RDS, rds(account_type="Sysadmin"), {"accountTypes": ["Super"]}) == []


def test_any_host_only_for_libradb_and_default_host_counts():
    assert rules.any_host(LIBRADB, {"cluster_id": "c", "name": "a"}, {})           # default '%'
    assert rules.any_host(LIBRADB, {"cluster_id": "c", "name": "a", "host": "10.1.2.3"}, {}) == []
    assert rules.any_host(RDS, rds(), {}) == []


@pytest.mark.parametrize("type_, privileges, hit", [
    (RDS, {"orders": "ReadWrite", "MySQL": "ReadOnly"}, "MySQL"),
    (RDS, {"postgres": "DBOwner"}, "postgres"),
    (RDS, {"orders": "ReadWrite"}, None),
    (RDS, {"databases": "ReadOnly"}, None),     # a database named like LibraDB's key is just a database
    (LIBRADB, {"global": ["SELECT"], "databases": {"information_schema": ["SELECT"]}, "tables": {}}, "information_schema"),
    (LIBRADB, {"tables": {"sys.t1": ["SELECT"]}}, "sys"),
    (LIBRADB, {"databases": {"analytics": ["SELECT"]}}, None),
])
def test_system_databases(type_, privileges, hit):
    props = rds(privileges=privileges) if type_ == RDS else {"cluster_id": "c", "name": "a", "privileges": privileges}
    found = rules.system_database_privileges(type_, props, {})
    assert (found[0].endswith(f"system database {hit}") if hit else found == []), found


def test_generated_passwords_only_never_echoes_the_password():
    found = rules.generated_password(RDS, rds(password="Plain-Pass1"), {})
    assert found and "Plain-Pass1" not in found[0]
    assert rules.generated_password(RDS, rds(password=None), {}) == []


@pytest.mark.parametrize("description, refused", [(None, True), ("", True), ("  ", True), ("orders", False)])
def test_description_required(description, refused):
    assert bool(rules.description_required(RDS, rds(description=description), {})) is refused


def test_too_many_accounts_counts_per_instance_and_names_the_first_beyond_the_limit():
    resources = [(RDS, f"urn:{i}", rds(name=f"a{i}")) for i in range(3)]
    resources += [(RDS, "urn:other", rds(instance_id="rm-2")), ("pulumi:pulumi:Stack", "urn:s", {})]
    assert rules.too_many_accounts(resources, {"maxAccounts": 3}) == []
    assert rules.too_many_accounts(resources, {"maxAccounts": 2}) == [
        ("urn:2", "rds rm-1 would have 3 accounts in this stack; at most 2 are allowed (maxAccounts)")]


def test_the_pack_has_every_rule_once():
    names = [p.name for p in policies()]
    assert sorted(names) == sorted(set(names)) == sorted([
        "no-privileged-accounts", "no-any-host", "no-system-database-privileges", "generated-passwords-only",
        "description-required", "max-accounts-per-instance"])


@pytest.mark.parametrize("stack", ["prod", "dev", "local"])
def test_each_stacks_policy_config_names_real_rules_and_levels(stack):
    import json
    from pathlib import Path
    config = json.loads((Path(__file__).resolve().parents[2] / "policy" / f"{stack}.json").read_text())
    names = {p.name for p in policies()}
    assert set(config) == names
    levels = {k: v if isinstance(v, str) else v["enforcementLevel"] for k, v in config.items()}
    assert set(levels.values()) <= {"mandatory", "advisory", "disabled"}
    if stack == "prod":
        assert set(levels.values()) == {"mandatory"}
    else:   # outside prod only the prod rules relax
        relaxed = {k for k, v in levels.items() if v != "mandatory"}
        assert relaxed == {"no-privileged-accounts", "no-any-host", "generated-passwords-only"}
