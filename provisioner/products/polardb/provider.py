"""PolarDBAccount: the dynamic provider's hooks for PolarDB accounts (the rest is core/provider.py)."""

from __future__ import annotations

import uuid
from typing import Any

from provisioner.core.adapter import InstanceInfo, LiveAccount
from provisioner.core.diffing import FieldPolicy
from provisioner.core.provider import AccountProvider
from provisioner.products.polardb import rules as polardb_rules
from provisioner.products.polardb.spec import PolarDBAccountSpec


class PolarDBAccountProvider(AccountProvider):
    product = "polardb"
    spec_model = PolarDBAccountSpec
    instance_field = "cluster_id"
    policy = FieldPolicy(
        replace=frozenset({"cluster_id", "name", "account_type", "region"}),
        in_place=frozenset({"description", "privileges"}),
        identity=frozenset({"cluster_id", "name"}),
        optional=frozenset({"description"}),
    )

    def live_rule_failures(self, spec: PolarDBAccountSpec, instance: InstanceInfo,
                           accounts: dict[tuple[str, str], LiveAccount], *,
                           own: LiveAccount | None) -> list[tuple[str, str]]:
        failures = []
        if spec.privileges and instance.engine not in polardb_rules.POLARDB_PRIVILEGE_ENGINES:
            failures.append(("privileges", f"per-database privileges exist only on PolarDB for MySQL, not on "
                             f"{instance.engine} (the API refuses them with OperationDenied.DBClusterEngine)"))
        if spec.account_type == "Super" and instance.engine in polardb_rules.POLARDB_ONE_SUPER_ENGINES:
            other = sorted(a.name for a in accounts.values() if a.account_type == "Super" and a.name != spec.name)
            if other:
                failures.append(("account_type", f"PolarDB for MySQL cluster {spec.cluster_id} already has its one "
                                 f"Super account, '{other[0]}'"))
        return failures

    def client_token(self, spec: PolarDBAccountSpec, props: dict[str, Any]) -> str:
        # One token per create: the adapter's retries of this create reuse it, so a create whose
        # response was lost is answered with the first result instead of a duplicate.
        return uuid.uuid4().hex

    def name_problem(self, name: str, instance: InstanceInfo) -> str | None:
        return polardb_rules.check_polardb_name(name)
