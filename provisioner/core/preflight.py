"""Checks against the live cluster or instance, run at `check` (so at `preview`, and again at
`up` before any step of the resource) whenever a resource would create an account or change
what it holds — never for a resource that does not change, so a no-op preview makes no call.

They catch what the cloud would refuse, before anything irreversible: an unknown cluster or
instance, credentials the cloud refuses, the engine's name and privilege rules, account-type
rules, missing databases, and an account that already exists where a new one would be made.
Reads only, from the adapters' per-process cache: one instance Describe, one account list and
one database list per instance and operation, however many resources share it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from provisioner.core import operation, stack_state
from provisioner.core.adapter import CloudApiError, LiveAccount
from provisioner.core.settings import MissingCredentials
from provisioner.core.spec import AccountSpec, SpecError

if TYPE_CHECKING:
    from provisioner.core.provider import AccountProvider

Failure = tuple[str, str]


@dataclass(frozen=True)
class Intent:
    """What `up` is about to do with the resource's account."""
    creating: bool            # a new account appears under this identity (create, adopt, or a replace to a new identity)
    recreating: bool = False  # delete-before-replace: our own account is deleted, then created again
    privileges: bool = False  # the privileges change in place

    @property
    def any(self) -> bool:
        return self.creating or self.recreating or self.privileges


def live_failures(provider: "AccountProvider", spec: AccountSpec, intent: Intent) -> list[Failure]:
    try:
        adapter = provider._adapter(spec)
    except MissingCredentials as exc:
        return [("", f"cannot check {provider.where(spec)} against the cloud: {exc}")]
    instance_id, field = provider.instance_id(spec), provider.instance_field
    try:
        instance = adapter.describe_instance(instance_id)
    except CloudApiError as exc:
        return [(field, f"cannot read {provider.product} {_noun(provider)} '{instance_id}': {exc}")]
    failures: list[Failure] = []
    try:
        provider.check_live(spec, instance)
    except SpecError as exc:
        failures += [(f, f"{r} (instance engine {instance.engine} {instance.version})") for f, r in exc.failures]
    try:
        accounts = adapter.accounts(instance_id)
        live = accounts.get((spec.name, _host_key(provider, spec)))
        if intent.creating and live is not None:
            failures += provider.collision_failures(spec, live)
        own = live if intent.recreating else None
        failures += provider.live_rule_failures(spec, instance, accounts, own=own)
        if intent.creating or intent.recreating or intent.privileges:
            failures += _missing_databases(provider, spec, adapter.list_databases(instance_id))
    except CloudApiError as exc:
        failures.append(("", f"cannot check {provider.where(spec)} against the cloud: {exc}"))
    return failures


def _host_key(provider: "AccountProvider", spec: AccountSpec) -> str:
    return provider.host(spec)


def _noun(provider: "AccountProvider") -> str:
    return "instance" if provider.instance_field == "instance_id" else "cluster"


def _missing_databases(provider: "AccountProvider", spec: AccountSpec,
                       databases: frozenset[str] | None) -> list[Failure]:
    if databases is None:   # the API cannot list databases (LibraDB): the grant itself tells
        return []
    missing = sorted(db for db in provider.privilege_databases(spec) if db not in databases)
    known = ", ".join(sorted(databases)[:20]) or "none"
    return [(f"privileges.{db}", f"database '{db}' does not exist on {_noun(provider)} "
             f"{provider.instance_id(spec)} (it has: {known}); create it first or remove the privilege")
            for db in missing]


def exists_message(provider: "AccountProvider", spec: AccountSpec, live: LiveAccount) -> str:
    """Why an account we are about to create is already there, and what to do — never a step that
    loses data. Tells apart: the same account declared twice in this program, a resource renamed
    without an alias (the state holds the account under another name), an account made outside."""
    where = provider.where(spec)
    urn = operation.calling_urn()
    here = operation.resource_name(urn)
    owner = stack_state.owner_in_state(urn, provider.resource_id(spec))
    if owner is not None and owner != urn:
        old = operation.resource_name(owner)
        return (f"{where} already exists: this stack manages it as resource '{old}'. If you renamed "
                f"'{old}' to '{here}', keep the account by telling Pulumi: add "
                f"opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name=\"{old}\")]) to '{here}'. "
                f"If '{old}' is still declared, two resources declare one account: remove one of them. "
                f"(Setting adopt=True is not needed here.)")
    return (f"{where} already exists and is not managed by this stack. To take it over, set adopt=True "
            f"on '{here}' (its description and privileges are then set as declared; its password is kept "
            f"unless you declare password or password_version; its account type must match: "
            f"{live.account_type}); otherwise choose another name.")


def duplicate_message(provider: "AccountProvider", spec: AccountSpec, other_urn: str) -> str:
    here = operation.resource_name(operation.calling_urn())
    return (f"{provider.where(spec)} is declared by two resources of this program, "
            f"'{operation.resource_name(other_urn)}' and '{here}': declare it once (one of the two "
            f"would otherwise delete or overwrite the other's account)")


def plan_intent(provider: "AccountProvider", olds: dict[str, Any], inputs: dict[str, Any]) -> Intent:
    """What `up` will do, from the recorded inputs and the new ones (no cloud call)."""
    from provisioner.core.diffing import plan_diff
    if not olds or not olds.get(provider.instance_field) or not olds.get("name"):
        return Intent(creating=True)
    plan = plan_diff(provider.policy, olds, inputs)
    if plan.replaces:
        return Intent(creating=not plan.delete_before_replace, recreating=plan.delete_before_replace)
    return Intent(creating=False, privileges="privileges" in plan.changed)
