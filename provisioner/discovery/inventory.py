"""What exists: the live accounts of the clusters/instances asked for (or of a whole region),
each as the spec a stack would declare for it, or the reason it is left out.

Left out unless asked for: privileged accounts (RDS Super/Sysadmin, PolarDB Super, LibraDB
accounts holding global DDL/administrative privileges) — they are usually the DBA's, not the
stack's. Always left out: accounts no stack can declare (system and reserved names, or live
values that break today's input rules), listed with the rule they break.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

from provisioner.products.libradb import rules as libradb_rules

from provisioner.products.polardb import rules as polardb_rules

from provisioner.products.rds import rules as rds_rules
from provisioner.core.adapter import CloudApiError, InstanceInfo, LiveAccount
from provisioner.core.spec import AccountSpec, SpecError
from provisioner.products import NAMES as PRODUCTS

if TYPE_CHECKING:
    from provisioner.core.provider import AccountProvider

# Global privileges that change every database's schema or the server itself (MySQL semantics):
# an account holding one of them globally is an administrator, not an application account.
LIBRADB_ADMIN_GLOBAL = frozenset({"CREATE", "DROP", "ALTER", "INDEX", "REFERENCES", "CREATE ROUTINE",
                                  "ALTER ROUTINE", "EVENT", "TRIGGER", "RELOAD"})


def provider_for(product: str) -> "AccountProvider":
    if product == "libradb":
        from provisioner.products.libradb.resource import LibraDBAccountProvider
        return LibraDBAccountProvider()
    if product == "rds":
        from provisioner.products.rds.resource import RdsAccountProvider
        return RdsAccountProvider()
    from provisioner.products.polardb.resource import PolarDBAccountProvider
    return PolarDBAccountProvider()


@dataclass
class Found:
    product: str
    instance: InstanceInfo
    live: LiveAccount
    spec: AccountSpec | None = None         # None: cannot be declared (see excluded)
    privileged: str | None = None           # why it counts as privileged
    excluded: str | None = None             # why it is not declared
    notes: list[str] = field(default_factory=list)

    @property
    def declared(self) -> bool:
        return self.spec is not None and self.excluded is None


def privileged_reason(product: str, live: LiveAccount) -> str | None:
    if product in ("rds", "polardb") and live.account_type != "Normal":
        return f"{live.account_type} account"
    if product == "libradb":
        admin = sorted(set((live.privileges or {}).get("global") or []) & LIBRADB_ADMIN_GLOBAL)
        if admin:
            return f"global {', '.join(admin)}"
    return None


def spec_data(product: str, provider: "AccountProvider", instance: InstanceInfo, live: LiveAccount,
              region: str) -> dict[str, Any]:
    """The arguments a stack would give for the account as it is (privileges in the cloud's form)."""
    data: dict[str, Any] = {provider.instance_field: instance.id, "name": live.name}
    if product == "libradb":
        data["host"] = live.host or "%"
    else:
        data["account_type"] = live.account_type or "Normal"
    if live.description:
        data["description"] = live.description
    data["privileges"] = live.privileges or ({} if product != "libradb" else {"global": [], "databases": {}, "tables": {}})
    data["region"] = region
    return data


def classify(product: str, instance: InstanceInfo, live: LiveAccount, region: str, *,
             include_privileged: bool) -> Found:
    provider = provider_for(product)
    found = Found(product, instance, live, privileged=privileged_reason(product, live))
    data = spec_data(product, provider, instance, live, region)
    try:
        found.spec = provider._spec(data)
    except SpecError as exc:
        fields = {f.split(".")[0] for f, _ in exc.failures}
        if fields == {"description"}:
            # A description today's rules refuse (set before they existed): leave it unmanaged.
            data.pop("description")
            found.notes.append(f"description not managed: {exc}")
            found.spec = provider._spec(data)
        else:
            found.excluded = f"cannot be declared: {exc}"
            return found
    if found.privileged and not include_privileged:
        found.excluded = f"privileged ({found.privileged}); pass --include-privileged to declare it"
    return found


def name_problem(product: str, name: str, instance: InstanceInfo) -> str | None:
    """System and reserved accounts: no stack can declare them (and LibraDB refuses even to
    describe their privileges: InvalidParameterValue.InternalAccount)."""
    if product == "libradb":
        return libradb_rules.check_libradb_name(name)
    if product == "rds":
        return rds_rules.check_rds_name(name, instance.engine, instance.version)
    return polardb_rules.check_polardb_name(name)


def discover(product: str, adapter, instance_ids: Iterable[str] | None, *,
             include_privileged: bool = False, unread: list[str] | None = None) -> list[Found]:
    """Every account of the given instances (None: every instance of the adapter's region),
    sorted by instance and name. Read-only: one account list per instance (and page), plus
    LibraDB's one privileges call per declarable account. An instance that cannot be read (not
    found, isolated, ...) is named in `unread` and the others are still read."""
    ids = list(instance_ids) if instance_ids is not None else adapter.list_instance_ids()
    out: list[Found] = []
    for instance_id in sorted(dict.fromkeys(ids)):
        try:
            out += _instance_accounts(product, adapter, instance_id, include_privileged)
        except CloudApiError as exc:
            if unread is None:
                raise
            unread.append(f"{product} {instance_id}: {exc}")
    return out


def _instance_accounts(product: str, adapter, instance_id: str, include_privileged: bool) -> list[Found]:
    out: list[Found] = []
    instance = adapter.describe_instance(instance_id)
    for (name, host), listed in sorted(adapter.accounts(instance_id).items()):
        problem = name_problem(product, name, instance)
        if problem:
            out.append(Found(product, instance, listed, excluded=f"system account, cannot be declared: "
                                                                f"name: {problem}"))
            continue
        live = adapter.get_account(instance_id, name, host)   # with privileges (LibraDB: one call)
        if live is not None:   # deleted since the list was read
            out.append(classify(product, instance, live, adapter.settings.region,
                                include_privileged=include_privileged))
    return out
