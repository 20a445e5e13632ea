"""The generated stack: N accounts over 10 clusters/instances per account type, the local-cloud
seed that matches it, and the "10% of passwords and descriptions" change.

Accounts are declared interleaved (LibraDB, RDS, PolarDB, LibraDB, ...) and round-robin over
the clusters of their type (`order="interleaved"`, the default): consecutive resources, which
the engine runs together, sit on different clusters. `order="grouped"` declares them cluster
by cluster instead (the friendly case for per-cluster caching and create batching).
Everything is deterministic: the same N gives the same stack.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

TYPES = ("libradb", "rds", "polardb")

LIBRADB_DBS = ["analytics", "events", "etl_staging", "finance"]
RDS_DBS = ["orders", "payments", "reporting", "customers"]
POLARDB_DBS = ["inventory", "inventory_archive", "shipping", "pricing"]
TEAMS = ["orders", "billing", "search", "growth", "risk", "ops", "catalog", "mobile", "data", "infra"]

LIBRADB_DB_PRIVS = [["SELECT", "SHOW VIEW"], ["SELECT"], ["SELECT", "INSERT", "UPDATE", "DELETE"],
                    ["SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER", "INDEX"]]
ALIBABA_PRIVS = ["ReadWrite", "ReadOnly", "DMLOnly", "DDLOnly"]
POLARDB_PRIVS = ["ReadWrite", "ReadOnly", "DMLOnly", "DDLOnly", "ReadIndex"]


def cluster_ids(product: str, count: int) -> list[str]:
    if product == "libradb":
        return [f"libradb-bench{i:03d}" for i in range(1, count + 1)]
    if product == "rds":
        return [f"rm-benchmysql{i:02d}" for i in range(1, count + 1)]
    return [f"pc-benchpolar{i:02d}" for i in range(1, count + 1)]


@dataclass
class Workload:
    accounts: dict[str, dict[str, Any]]      # resource name -> accounts.json entry (with "kind")
    seed: dict[str, Any]                     # the local cloud's seed
    clusters: dict[str, list[str]]           # product -> cluster/instance ids
    placement: dict[str, tuple[str, str]]    # resource name -> (product, cluster id)

    @property
    def n(self) -> int:
        return len(self.accounts)

    def per_cluster(self) -> dict[tuple[str, str], int]:
        out: dict[tuple[str, str], int] = {}
        for product, cluster in self.placement.values():
            out[(product, cluster)] = out.get((product, cluster), 0) + 1
        return out

    def count(self, product: str) -> int:
        return sum(1 for p, _ in self.placement.values() if p == product)


def _split(n: int) -> dict[str, int]:
    base, extra = divmod(n, len(TYPES))
    return {t: base + (1 if i < extra else 0) for i, t in enumerate(TYPES)}


def _password(product: str, idx: int, version: int = 1) -> str:
    # 3+ character classes; specials valid for both clouds' rules.
    return f"Bench{version}-{product[:3].capitalize()}#{idx:04d}x"


def _libradb(idx: int, cluster: str) -> dict[str, Any]:
    team = TEAMS[idx % len(TEAMS)]
    dbs = LIBRADB_DBS[: 1 + idx % 3]
    privileges: dict[str, Any] = {"databases": {db: LIBRADB_DB_PRIVS[(idx + j) % len(LIBRADB_DB_PRIVS)]
                                                for j, db in enumerate(dbs)}}
    if idx % 7 == 0:
        privileges["global"] = ["PROCESS"]
    if idx % 5 == 0:
        privileges["tables"] = {f"{dbs[0]}.daily_summary": ["SELECT"]}
    spec: dict[str, Any] = {
        "kind": "libradb", "cluster_id": cluster, "name": f"{team}_analyst_{idx:04d}",
        "description": f"{team} team: analytics reader #{idx} (managed by the provisioner)",
        "privileges": privileges,
    }
    if idx % 4 == 0:
        spec["max_user_connections"] = 50 + idx % 200
    if idx % 9 == 0:
        spec["host"] = f"10.0.{idx % 250}.{1 + idx % 250}"
    return spec


def _rds(idx: int, cluster: str) -> dict[str, Any]:
    team = TEAMS[idx % len(TEAMS)]
    dbs = RDS_DBS[: 1 + idx % 3]
    spec: dict[str, Any] = {
        "kind": "rds", "instance_id": cluster, "name": f"svc_{team}_{idx:04d}",
        "description": f"{team}-service-account-{idx}",
        "privileges": {db: ALIBABA_PRIVS[(idx + j) % len(ALIBABA_PRIVS)] for j, db in enumerate(dbs)},
    }
    if idx % 2 == 0:
        spec["engine"], spec["engine_version"] = "MySQL", "8.0"
    return spec


def _polardb(idx: int, cluster: str) -> dict[str, Any]:
    team = TEAMS[idx % len(TEAMS)]
    dbs = POLARDB_DBS[: 1 + idx % 3]
    return {
        "kind": "polardb", "cluster_id": cluster, "name": f"{team[:5]}_app{idx:04d}",
        "description": f"{team} service: application account {idx}",
        "privileges": {db: POLARDB_PRIVS[(idx + j) % len(POLARDB_PRIVS)] for j, db in enumerate(dbs)},
    }


MAKERS = {"libradb": _libradb, "rds": _rds, "polardb": _polardb}


def generate(n: int, clusters_per_type: int = 10, order: str = "interleaved") -> Workload:
    if n < len(TYPES):
        raise ValueError("need at least 3 accounts (one per type)")
    counts = _split(n)
    clusters = {t: cluster_ids(t, max(1, min(clusters_per_type, counts[t]))) for t in TYPES}
    entries: list[tuple[str, dict[str, Any], str, str]] = []
    for t in TYPES:
        for idx in range(counts[t]):
            cluster = clusters[t][idx % len(clusters[t])]
            spec = MAKERS[t](idx, cluster)
            if idx % 2 == 0:   # explicit passwords for half, generated for the other half
                spec["password"] = _password(t, idx)
            entries.append((f"{t}-{idx:04d}", spec, t, cluster))
    if order == "interleaved":
        entries.sort(key=lambda e: (int(e[0].split("-")[1]), TYPES.index(e[2])))
    elif order == "grouped":
        entries.sort(key=lambda e: (TYPES.index(e[2]), e[3], e[0]))
    else:
        raise ValueError(f"unknown order {order!r}")
    accounts = {name: spec for name, spec, _, _ in entries}
    placement = {name: (t, c) for name, _, t, c in entries}
    return Workload(accounts, make_seed(clusters, placement), clusters, placement)


def make_seed(clusters: dict[str, list[str]], placement: dict[str, tuple[str, str]]) -> dict[str, Any]:
    per_cluster: dict[str, int] = {}
    for _, c in placement.values():
        per_cluster[c] = per_cluster.get(c, 0) + 1
    instances = []
    for i, cid in enumerate(clusters["libradb"]):
        instances.append({"product": "libradb", "id": cid, "name": f"bench-analytics-{i + 1}", "engine": "LibraDB",
                          "version": "1.0", "region": "ap-guangzhou", "status": "running",
                          "account_quota": max(200, 2 * per_cluster.get(cid, 0)), "databases": LIBRADB_DBS,
                          "attrs": {"Vip": "127.0.0.1", "Vport": 9030 + i, "Zone": "ap-guangzhou-3"}})
    for cid in clusters["rds"]:
        instances.append({"product": "rds", "id": cid, "name": f"bench-{cid}", "engine": "MySQL", "version": "8.0",
                          "region": "cn-hangzhou", "status": "Running", "lock_mode": "Unlock",
                          "account_quota": max(500, 2 * per_cluster.get(cid, 0)), "databases": RDS_DBS,
                          "attrs": {"ConnectionString": f"{cid}.mysql.rds.aliyuncs.com", "Port": "3306"}})
    for cid in clusters["polardb"]:
        instances.append({"product": "polardb", "id": cid, "name": f"bench-{cid}", "engine": "MySQL",
                          "version": "8.0", "region": "cn-hangzhou", "status": "Running", "lock_mode": "Unlock",
                          "account_quota": max(200, 2 * per_cluster.get(cid, 0)), "databases": POLARDB_DBS,
                          "attrs": {"ConnectionString": f"{cid}.rwlb.rds.aliyuncs.com", "Port": "3306"}})
    return {"instances": instances, "accounts": []}


def change_tenth(accounts: dict[str, dict[str, Any]], fraction: float = 0.1) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Every 10th account (spread over types and clusters) gets a new description and a new
    password: explicit passwords get a new value, generated ones a new password_version."""
    out = copy.deepcopy(accounts)
    step = max(1, round(1 / fraction))
    changed = [name for i, name in enumerate(out) if i % step == 0]
    for name in changed:
        spec = out[name]
        product, idx = spec["kind"], int(name.split("-")[1])
        spec["description"] = spec["description"] + ("-v2" if product == "rds" else " (rotated)")
        if "password" in spec:
            spec["password"] = _password(product, idx, version=2)
        else:
            spec["password_version"] = "2"
    return out, changed


# --- what each phase inherently needs (for the rate-limit floor) ------------------------------

CREATE_BATCH = 20    # accounts per CreateLibraDBClusterAccounts / DeleteLibraDBClusterAccounts call
DESCRIBE_PAGE = {"libradb": 100, "rds": 200, "polardb": 100}


def inherent_calls(w: Workload, phase: str, changed: list[str] | None = None) -> dict[str, int]:
    """The cloud calls a phase cannot do without, by product:Action (see docs/benchmarks.md).
    Only calls that matter for a documented rate limit need to be exact; the rest are listed
    for completeness."""
    per_cluster = w.per_cluster()
    lib_clusters = [n for (p, _), n in per_cluster.items() if p == "libradb"]
    n_lib = w.count("libradb")
    lib_with_privs = sum(1 for name, spec in w.accounts.items() if spec["kind"] == "libradb"
                         and any(spec.get("privileges", {}).get(k) for k in ("global", "databases", "tables")))
    calls: dict[str, int] = {}
    if phase == "up":
        calls["libradb:CreateLibraDBClusterAccounts"] = sum(math.ceil(n / CREATE_BATCH) for n in lib_clusters)
        calls["libradb:ModifyLibraDBClusterAccountPrivilege"] = lib_with_privs   # create takes no privileges
        calls["rds:CreateAccount"] = w.count("rds")
        calls["rds:GrantAccountPrivilege"] = sum(1 for s in w.accounts.values() if s["kind"] == "rds" and s.get("privileges"))
        calls["polardb:CreateAccount"] = w.count("polardb")   # privileges travel with the create
    elif phase == "refresh":
        for product in ("libradb", "rds", "polardb"):
            pages = sum(math.ceil(n / DESCRIBE_PAGE[product]) for (p, _), n in per_cluster.items() if p == product)
            action = "DescribeLibraDBClusterAccounts" if product == "libradb" else "DescribeAccounts"
            calls[f"{product}:{action}"] = pages
        calls["libradb:DescribeLibraDBClusterAccountAllPrivileges"] = n_lib   # no list API returns privileges
    elif phase == "update":
        changed = changed or []
        for name in changed:
            product = w.accounts[name]["kind"]
            if product == "libradb":
                keys = ["libradb:ResetLibraDBClusterAccountPassword", "libradb:ModifyLibraDBClusterAccountDescription"]
            elif product == "rds":
                keys = ["rds:ResetAccountPassword", "rds:ModifyAccountDescription"]
            else:
                keys = ["polardb:ModifyAccountPassword", "polardb:ModifyAccountDescription"]
            for k in keys:
                calls[k] = calls.get(k, 0) + 1
    elif phase == "destroy":
        calls["libradb:DeleteLibraDBClusterAccounts"] = sum(math.ceil(n / CREATE_BATCH) for n in lib_clusters)
        calls["rds:DeleteAccount"] = w.count("rds")
        calls["polardb:DeleteAccount"] = w.count("polardb")
    return {k: v for k, v in calls.items() if v}
