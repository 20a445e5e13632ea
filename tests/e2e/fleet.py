"""A fleet of accounts over extra clusters/instances, and the checks that the cloud equals the
Pulumi state: shared by the chaos and crash tests (test_chaos.py, test_crash.py).

"Cloud equals state" means: the accounts on the fleet's instances (admin interface) are exactly
the accounts in `pulumi stack export` (no leak, none lost, no duplicate), each declared account
exactly once, with the declared description/privileges and a password that verifies.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from provisioner.products.libradb.rules import normalize_privileges

TYPE_PRODUCT = {
    "pulumi-python:dynamic/provisioner:LibraDBAccount": "libradb",
    "pulumi-python:dynamic/provisioner:RdsAccount": "rds",
    "pulumi-python:dynamic/provisioner:PolarDBAccount": "polardb",
}

INSTANCES = [
    *({"product": "libradb", "id": f"libradb-fleet0{i}", "engine": "LibraDB", "version": "1.0",
       "region": "ap-guangzhou", "status": "running", "account_quota": 200,
       "databases": ["analytics", "events"], "attrs": {"Vip": "127.0.0.1", "Vport": 9030 + i}}
      for i in (1, 2, 3)),
    *({"product": "rds", "id": f"rm-fleet0{i}", "engine": "MySQL", "version": "8.0", "region": "cn-hangzhou",
       "status": "Running", "account_quota": 500, "databases": ["orders", "payments", "reporting"],
       "attrs": {"ConnectionString": f"rm-fleet0{i}.mysql.rds.aliyuncs.com", "Port": "3306"}}
      for i in (1, 2)),
    {"product": "rds", "id": "pgm-fleet03", "engine": "PostgreSQL", "version": "14.0", "region": "cn-hangzhou",
     # A PostgreSQL database has one owner (DBOwner): one database per account of the fleet.
     "status": "Running", "account_quota": 500, "databases": ["catalog"] + [f"catalog{i:02d}" for i in range(100)],
     "attrs": {"ConnectionString": "pgm-fleet03.pg.rds.aliyuncs.com", "Port": "5432"}},
    *({"product": "polardb", "id": f"pc-fleet0{i}", "engine": "MySQL", "version": "8.0", "region": "cn-hangzhou",
       "status": "Running", "account_quota": 200, "databases": ["inventory", "archive"],
       "attrs": {"ConnectionString": f"pc-fleet0{i}.rwlb.rds.aliyuncs.com", "Port": "3306"}}
      for i in (1, 2, 3)),
]
INSTANCE_IDS = {(i["product"], i["id"]) for i in INSTANCES}


def add_instances(admin) -> None:
    for instance in INSTANCES:
        admin.put_instance(**instance)


def password(kind: str, i: int) -> str:
    return f"Fleet-{kind[:3]}-Pass{i:02d}"


def fleet(per_type: int = 10) -> dict[str, dict[str, Any]]:
    """`per_type` accounts of each product over its 3 clusters/instances; every other account has
    an explicit password (the rest are generated); varied descriptions, hosts and privileges."""
    out: dict[str, dict[str, Any]] = {}
    for i in range(per_type):
        explicit = i % 2 == 0
        lib = {"kind": "libradb", "cluster_id": f"libradb-fleet0{i % 3 + 1}", "name": f"lib_user{i:02d}",
               "description": f"libradb fleet account {i}",
               "privileges": [{"global": ["PROCESS"]},
                              {"databases": {"analytics": ["SELECT", "SHOW VIEW"]}},
                              {"databases": {"events": ["INSERT", "SELECT"]},
                               "tables": {"analytics.sessions": ["SELECT"]}}][i % 3]}
        if i % 4 == 3:
            lib["host"] = f"10.0.0.{i}"
        rds_pg = i % 3 == 2
        rds = {"kind": "rds", "instance_id": "pgm-fleet03" if rds_pg else f"rm-fleet0{i % 3 + 1}",
               "name": f"rds_user{i:02d}", "description": f"rds-fleet-account-{i}",
               "privileges": {f"catalog{i:02d}": "DBOwner"} if rds_pg else
               [{"orders": "ReadWrite"}, {"orders": "ReadOnly", "payments": "DMLOnly"}][i % 2]}
        polar = {"kind": "polardb", "cluster_id": f"pc-fleet0{i % 3 + 1}", "name": f"polar_user{i:02d}",
                 "description": f"polardb fleet account {i}",
                 "privileges": [{"inventory": "ReadWrite"}, {"inventory": "ReadOnly", "archive": "DMLOnly"}][i % 2]}
        for spec in (lib, rds, polar):
            if explicit:
                spec["password"] = password(spec["kind"], i)
            out[spec["name"]] = spec   # resource name = account name (unique across kinds here)
    return out


# --- identities -------------------------------------------------------------------------------

def _key(product: str, instance_id: str, name: str, host: str | None) -> tuple[str, str, str, str]:
    return product, instance_id, name, (host or "%") if product == "libradb" else ""


def declared_key(spec: dict[str, Any]) -> tuple[str, str, str, str]:
    return _key(spec["kind"], spec.get("cluster_id") or spec.get("instance_id"), spec["name"], spec.get("host"))


def cloud_accounts(admin) -> list[dict[str, Any]]:
    """Every account on the fleet's instances (a list: duplicates would show)."""
    return [a for a in admin.accounts() if (a["product"], a["instance_id"]) in INSTANCE_IDS]


def state_keys(export: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """The accounts the state knows (live resources; pending operations are checked apart)."""
    keys = []
    for res in export["deployment"].get("resources") or []:
        product = TYPE_PRODUCT.get(res["type"])
        if product is None or res.get("delete"):
            continue
        outs = res.get("outputs") or {}
        keys.append(_key(product, outs.get("cluster_id") or outs.get("instance_id"), outs["name"], outs.get("host")))
    return keys


def export(stack) -> dict[str, Any]:
    return json.loads(stack.export())


# --- the check ----------------------------------------------------------------------------------

def assert_cloud_matches_state(stack, declared: dict[str, dict[str, Any]]) -> None:
    admin = stack.cloud.admin
    exported = export(stack)
    assert not exported["deployment"].get("pending_operations"), exported["deployment"]["pending_operations"]
    state = state_keys(exported)
    live = cloud_accounts(admin)
    cloud = [_key(a["product"], a["instance_id"], a["name"], a["host"]) for a in live]
    want = [declared_key(spec) for spec in declared.values()]

    assert [k for k, n in Counter(state).items() if n > 1] == [], "an account is in the state twice"
    assert [k for k, n in Counter(cloud).items() if n > 1] == [], "an account is in the cloud twice"
    leaked, lost = set(cloud) - set(state), set(state) - set(cloud)
    assert not leaked and not lost, f"cloud and state differ: only in the cloud {sorted(leaked)}, " \
                                    f"only in the state {sorted(lost)}"
    assert sorted(state) == sorted(want), f"state {sorted(state)} != declared {sorted(want)}"

    by_key = {_key(a["product"], a["instance_id"], a["name"], a["host"]): a for a in live}
    generated = stack.outputs(secrets=True)
    for resource_name, spec in declared.items():
        account = by_key[declared_key(spec)]
        assert account["description"] == spec["description"], (resource_name, account)
        assert account["account_type"] == spec.get("account_type", "Normal"), (resource_name, account)
        if spec["kind"] == "libradb":
            got = normalize_privileges({
                "global": account["privileges"].get("global") or [],
                "databases": {d["Db"]: d["Privileges"] for d in account["privileges"].get("database") or []},
                "tables": {f'{t["Db"]}.{t["TableName"]}': t["Privileges"]
                           for t in account["privileges"].get("table") or []}})
            assert got == normalize_privileges(spec["privileges"]), (resource_name, got)
        else:
            assert account["privileges"] == spec["privileges"], (resource_name, account)
        secret = spec.get("password") or generated[resource_name]["password"]
        product, instance_id, name, host = declared_key(spec)
        assert admin.verify_password(product, instance_id, name, secret, host=host or None), \
            f"password of {resource_name} does not verify ({'explicit' if spec.get('password') else 'generated'})"


def evolve(declared: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """A second version of the fleet: every third account changes its description and privileges
    (grants and revokes), every fourth rotates its password (explicit: a new one) and every fourth
    its generated one (a new password_version), two LibraDB accounts move host, and one account
    per product is renamed (a replacement: create the new, delete the old)."""
    out: dict[str, dict[str, Any]] = {}
    for resource_name, spec in declared.items():
        spec = json.loads(json.dumps(spec))
        kind, n = spec["kind"], int(spec["name"][-2:])
        if n % 3 == 0:
            spec["description"] += "-v2" if kind == "rds" else " v2"
            spec["privileges"] = {"libradb": {"global": ["PROCESS"], "databases": {"events": ["SELECT"]}},
                                  "rds": {"payments": "ReadWrite", "reporting": "ReadOnly"},
                                  "polardb": {"archive": "ReadWrite"}}[kind]
        if n % 4 == 2 and spec.get("password"):
            spec["password"] = spec["password"].replace("Pass", "Rotated")
        if n % 4 == 1 and not spec.get("password"):
            spec["password_version"] = "2"
        if kind == "libradb" and n in (2, 3):
            spec["host"] = "%" if spec.get("host", "%") != "%" else f"192.168.1.{n}"
        if n == 7:
            spec["name"] = spec["name"].replace("_user", "_renamed")
        out[resource_name] = spec
    return out
