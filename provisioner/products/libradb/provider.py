"""LibraDBAccount: the dynamic provider's hooks for LibraDB accounts (the rest is core/provider.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from provisioner.core.adapter import InstanceInfo, LiveAccount
from provisioner.core.diffing import FieldPolicy
from provisioner.core.provider import AccountProvider
from provisioner.products.libradb import rules as libradb_rules
from provisioner.products.libradb.spec import LibraDBAccountSpec

if TYPE_CHECKING:   # the SDK-backed adapter loads on the first cloud call, never at import
    from provisioner.products.libradb.adapter import LibraDBAdapter


class LibraDBAccountProvider(AccountProvider):
    product = "libradb"
    spec_model = LibraDBAccountSpec
    instance_field = "cluster_id"
    policy = FieldPolicy(
        replace=frozenset({"cluster_id", "name", "region", "max_user_connections"}),
        in_place=frozenset({"host", "description", "privileges"}),
        identity=frozenset({"cluster_id", "name", "host"}),
        optional=frozenset({"description", "max_user_connections"}),
    )

    def host(self, spec: LibraDBAccountSpec) -> str:
        return spec.host

    def resource_id(self, spec: LibraDBAccountSpec) -> str:
        return f"{spec.cluster_id}:{spec.name}@{spec.host}"

    def parse_id(self, id_: str) -> dict[str, Any]:
        cluster_id, _, rest = id_.partition(":")
        name, _, host = rest.rpartition("@") if "@" in rest else (rest, "", "%")
        return {"cluster_id": cluster_id, "name": name, "host": host or "%"}

    def to_inputs(self, spec: LibraDBAccountSpec) -> dict[str, Any]:
        inputs = spec.model_dump(mode="json")
        inputs["privileges"] = spec.privileges.normalised()
        return inputs

    def from_live(self, live: LiveAccount) -> dict[str, Any]:
        return {"host": live.host, "description": live.description, "privileges": live.privileges,
                "max_user_connections": live.max_user_connections}

    def adopt_problem(self, spec: LibraDBAccountSpec, live: LiveAccount) -> tuple[str, str] | None:
        # max_user_connections has no modify API: adopted with another value, the first refresh
        # would see the live one and replace (delete and re-create) the adopted account.
        declared = spec.max_user_connections
        if declared is None or live.max_user_connections in (None, declared):
            return None
        return ("max_user_connections", f"{self.where(spec)} exists with max_user_connections="
                f"{live.max_user_connections}, declared {declared}; the API cannot change it, so adopting "
                f"would replace the account later. Declare {live.max_user_connections} (or omit it) to adopt it.")

    def account_label(self, props: Mapping[str, Any]) -> str:
        return f"{props.get('name')}@{props.get('host') or '%'}"

    def name_problem(self, name: str, instance: InstanceInfo) -> str | None:
        # System accounts: LibraDB refuses even to describe their privileges (InvalidParameterValue.InternalAccount).
        return libradb_rules.check_libradb_name(name)

    def privileged_reason(self, live: LiveAccount) -> str | None:
        admin = sorted(set((live.privileges or {}).get("global") or []) & libradb_rules.ADMIN_GLOBAL_PRIVILEGES)
        return f"global {', '.join(admin)}" if admin else None

    def discovered_inputs(self, instance: InstanceInfo, live: LiveAccount, region: str) -> dict[str, Any]:
        data = super().discovered_inputs(instance, live, region)
        data["host"] = live.host or "%"
        data["privileges"] = live.privileges or {"global": [], "databases": {}, "tables": {}}
        return data

    def code_arguments(self, spec: LibraDBAccountSpec) -> dict[str, Any]:
        data = super().code_arguments(spec)
        privileges = {k: v for k, v in spec.privileges.normalised().items() if v}
        data.pop("privileges", None)
        if privileges:
            data["privileges"] = privileges
        if data.get("host") == "%":
            data.pop("host")
        return data

    def databases_in(self, privileges: Any) -> list[str]:
        """{"global": [...], "databases": {db: [...]}, "tables": {"db.table": [...]}}."""
        if not isinstance(privileges, Mapping):
            return []
        names = [str(db) for db in (privileges.get("databases") or {})]
        return names + [str(key).partition(".")[0] for key in (privileges.get("tables") or {})]

    def before_update(self, adapter: LibraDBAdapter, spec: LibraDBAccountSpec, olds: dict[str, Any]) -> None:
        old_host = olds.get("host") or "%"
        if old_host != spec.host:
            adapter.set_host(spec.cluster_id, spec.name, old_host, spec.host)
