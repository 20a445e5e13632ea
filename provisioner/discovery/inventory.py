"""What exists: the live accounts of the clusters/instances asked for (or of a whole region),
each as the spec a stack would declare for it, or the reason it is left out.

Left out unless asked for: privileged accounts (RDS Super/Sysadmin, PolarDB Super, LibraDB
accounts holding global DDL/administrative privileges) — they are usually the DBA's, not the
stack's. Always left out: accounts no stack can declare (system and reserved names, or live
values that break today's input rules), listed with the rule they break.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from provisioner.core.adapter import CloudApiError, InstanceInfo, LiveAccount
from provisioner.core.spec import AccountSpec, SpecError
from provisioner.products import product as registered

if TYPE_CHECKING:
    from provisioner.core.provider import AccountProvider

def provider_for(product: str) -> "AccountProvider":
    return registered(product).new_provider()


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



def classify(product: str, instance: InstanceInfo, live: LiveAccount, region: str, *,
             include_privileged: bool) -> Found:
    provider = provider_for(product)
    found = Found(product, instance, live, privileged=provider.privileged_reason(live))
    data = provider.discovered_inputs(instance, live, region)
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
    """System and reserved accounts: no stack can declare them."""
    return provider_for(product).name_problem(name, instance)


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
