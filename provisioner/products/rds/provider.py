"""RdsAccount: the dynamic provider's hooks for RDS accounts (the rest is core/provider.py)."""

from __future__ import annotations

from typing import Any

from provisioner.core.adapter import InstanceInfo, LiveAccount
from provisioner.core.diffing import FieldPolicy
from provisioner.core.provider import AccountProvider, ProvisionError
from provisioner.core.spec import SpecError
from provisioner.products.rds import rules as rds_rules
from provisioner.products.rds.spec import RdsAccountSpec, engine_rule_failures


class RdsAccountProvider(AccountProvider):
    product = "rds"
    spec_model = RdsAccountSpec
    instance_field = "instance_id"
    policy = FieldPolicy(
        replace=frozenset({"instance_id", "name", "account_type", "region"}),
        in_place=frozenset({"description", "privileges"}),
        identity=frozenset({"instance_id", "name"}),
        optional=frozenset({"description"}),
    )

    def diff(self, _id: str, olds: dict, news: dict):
        result = super().diff(_id, olds, news)
        if not result.replaces:   # a replacement deletes the old account: nothing is revoked
            self._refuse_postgresql_revoke(olds, news)
        return result

    @staticmethod
    def _refuse_postgresql_revoke(olds: dict, news: dict) -> None:
        """RDS PostgreSQL has no revoke (terraform-provider-alicloud db_account_privilege: "the
        PostgreSql database does not support revoking"; a database has one owner): say so at
        preview instead of failing halfway through `up`."""
        old, new = olds.get("privileges"), news.get("privileges")
        if olds.get("engine") != "PostgreSQL" or not isinstance(old, dict) or not isinstance(new, dict):
            return
        removed = sorted(db for db in old if db not in new)
        if removed:
            raise ProvisionError(
                f"rds account '{news.get('name') or olds.get('name')}' on {olds.get('instance_id')}: privileges on "
                f"{', '.join(removed)} cannot be removed: RDS PostgreSQL does not support revoking a database "
                f"privilege (a database keeps its owner). Keep them in `privileges`, grant the database to "
                f"another account, or replace the account (e.g. a new name).")

    def check_live(self, spec: RdsAccountSpec, instance: InstanceInfo) -> None:
        failures = engine_rule_failures(spec, instance.engine, instance.version, instance.storage_type)
        if failures:
            raise SpecError(failures)

    def live_rule_failures(self, spec: RdsAccountSpec, instance: InstanceInfo,
                           accounts: dict[tuple[str, str], LiveAccount], *,
                           own: LiveAccount | None) -> list[tuple[str, str]]:
        if spec.account_type == "Normal" or instance.engine not in rds_rules.RDS_ONE_PRIVILEGED_ENGINES:
            return []
        failures = []
        if spec.privileges:
            failures.append(("privileges", f"a {spec.account_type} account on {instance.engine} already holds every "
                             f"database privilege and takes no per-database grants (the API refuses them with "
                             f"IncorrectAccountType): remove privileges, or keep account_type=\"Normal\""))
        other = sorted(a.name for a in accounts.values()
                       if a.account_type == spec.account_type and a.name != spec.name)
        if other:
            failures.append(("account_type", f"{instance.engine} instance {spec.instance_id} already has its one "
                             f"{spec.account_type} account, '{other[0]}'; an instance has at most one"))
        return failures

    def name_problem(self, name: str, instance: InstanceInfo) -> str | None:
        return rds_rules.check_rds_name(name, instance.engine, instance.version)

    def code_arguments(self, spec: RdsAccountSpec) -> dict[str, Any]:
        data = super().code_arguments(spec)
        if data.get("account_type") == "Normal":
            data.pop("account_type")   # RDS's default (PolarDB's is written: the API's default there is Super)
        return data
