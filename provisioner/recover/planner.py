"""What to do with each pending create of an account resource, decided from the exported
deployment and a lookup of the account in the cloud (command.py passes lookup.cloud_lookup; the
tests a dict). Pure but for the lookup: returns the edited deployment and one outcome each.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable

from provisioner.compat import ACCOUNT_TYPES  # type token -> provider class (module, name)
from provisioner.products import by_type_token

if TYPE_CHECKING:   # the providers (and the Pulumi SDK) load only when a pending create is planned
    from provisioner.core.provider import AccountProvider


@dataclass
class Outcome:
    urn: str
    action: str          # "imported" | "cleared" | "conflict" | "skipped"
    reason: str
    resource_id: str | None = None

    @property
    def short(self) -> str:
        type_, _, name = self.urn.rpartition("::")
        return f"{type_.rpartition(':')[2]} {name}"


@dataclass
class Plan:
    deployment: dict[str, Any]
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(o.action in ("imported", "cleared", "conflict") for o in self.outcomes)


def provider_for(type_: str) -> AccountProvider:
    """A provider of the account type (the class its resources' state names; compat.py)."""
    product = by_type_token(type_)
    if product is None:
        raise KeyError(type_)
    return product.new_provider()


def differences(provider, spec, live) -> list[str]:
    """What the live account has that the interrupted create did not ask for (the fields the
    create request sets; privileges are set after it, so they may not have been reached)."""
    current = provider.from_live(live)
    wanted: dict[str, Any] = {"description": spec.description or ""}
    if "account_type" in current:
        wanted["account_type"] = getattr(spec, "account_type", None) or "Normal"
    if "max_user_connections" in current and getattr(spec, "max_user_connections", None) is not None:
        wanted["max_user_connections"] = spec.max_user_connections
    return [f"{k} is {current.get(k)!r}, the create asked for {v!r}"
            for k, v in wanted.items() if (current.get(k) or ("" if k == "description" else None)) != v]


Lookup = Callable[[Any, Any], Any]   # (provider, spec) -> LiveAccount | None


def plan(deployment: dict[str, Any], lookup: Lookup, *, settle: float = 0.0,
         sleep: Callable[[float], None] = time.sleep) -> Plan:
    """Decide, for each pending create, and return the edited deployment (pure but for lookup)."""
    deployment = copy.deepcopy(deployment)
    result = Plan(deployment)
    pending = deployment.get("pending_operations") or []
    creates = [op for op in pending if op.get("type") == "creating" and op["resource"]["type"] in ACCOUNT_TYPES]
    for op in pending:
        if op.get("type") == "creating" and op not in creates:
            result.outcomes.append(Outcome(op["resource"]["urn"], "skipped", "not an account resource of this "
                                           "provisioner: resolve it with an interactive `pulumi refresh`"))
    looked: list[tuple[dict, Any, Any, Any]] = []
    in_state = {(r.get("urn"), r.get("id")) for r in deployment.get("resources") or [] if not r.get("delete")}
    for op in creates:
        provider = provider_for(op["resource"]["type"])
        inputs = {k: v for k, v in (op["resource"].get("inputs") or {}).items() if k != "password"}
        spec = provider.identity(inputs)
        if (op["resource"]["urn"], provider.resource_id(spec)) in in_state:   # a later `up` made it
            result.outcomes.append(Outcome(op["resource"]["urn"], "cleared", "already in the state",
                                           provider.resource_id(spec)))
            continue
        looked.append((op, provider, spec, lookup(provider, spec)))
    if settle > 0 and any(live is None for *_, live in looked):
        sleep(settle)   # a create sent just before the crash may still be landing: look again
        looked = [(op, p, s, live if live is not None else lookup(p, s)) for op, p, s, live in looked]

    keep = [op for op in pending if op not in creates]
    resources = deployment.setdefault("resources", [])
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    for op, provider, spec, live in looked:
        urn, rid = op["resource"]["urn"], provider.resource_id(spec)
        if live is None:
            result.outcomes.append(Outcome(urn, "cleared", "not in the cloud: the create never happened; "
                                           "`pulumi up` creates it", rid))
            continue
        diffs = differences(provider, spec, live)
        if diffs and not spec.adopt:
            result.outcomes.append(Outcome(urn, "conflict", f"exists but {'; '.join(diffs)}: it may not be ours and "
                                           "is not taken over (`pulumi up` will refuse it unless adopt=True)", rid))
            continue
        resource = copy.deepcopy(op["resource"])
        resource["id"] = rid
        # The outputs are the inputs without a password: whether the create got as far as setting
        # it is unknown (and a generated one is lost), so the next `up` sees a password change and
        # sets it, along with the declared description and privileges.
        resource["outputs"] = {k: v for k, v in (resource.get("inputs") or {}).items() if k != "password"}
        resource["outputs"]["password_generated"] = False
        resource.setdefault("created", now)
        resource.setdefault("modified", now)
        live_same_urn = [i for i, r in enumerate(resources) if r.get("urn") == urn and not r.get("delete")]
        why = "adopt=True" if diffs else "matches the interrupted create"
        if live_same_urn:
            # The URN is already taken by another account of ours: the old half of an interrupted
            # create-before-delete replacement, or one a later `up` created. The state keeps that
            # one; the recovered account goes in marked for deletion: the next `up` deletes it
            # (re-creating it if the program still declares it) instead of leaking it.
            resource["delete"] = True
            resources.insert(live_same_urn[0], resource)
            result.outcomes.append(Outcome(urn, "imported", f"exists and {why}, but the state already holds "
                                           f"{resources[live_same_urn[0] + 1].get('id')} under this name: "
                                           "recorded for deletion by the next `pulumi up`", rid))
            continue
        resources.append(resource)
        result.outcomes.append(Outcome(urn, "imported", f"exists and {why}: now in the state; `pulumi up` "
                                       "sets its password, description and privileges", rid))
    deployment["pending_operations"] = keep
    return result
