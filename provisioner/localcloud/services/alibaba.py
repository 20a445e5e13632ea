"""Account state and rules RDS and PolarDB share. The two APIs follow the same rules with
different parameter names, error codes and response shapes; each product's service supplies an
`Errors` table (rule -> status, code, message) and calls these helpers with parsed parameters."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Any, Callable

from provisioner.core import rules

from .. import behaviour
from ..errors import CloudError
from ..store import Account, AccountExists, Instance, Store

Errors = dict[str, tuple[int, str, str]]   # rule -> (HTTP status, code, documented message)


def fail(errors: Errors, rule: str, detail: str | None = None) -> CloudError:
    """The documented message, plus why (for the provisioner's users); never a password."""
    status, code, message = errors[rule]
    return CloudError(code, f"{message} ({detail})" if detail else message, status)


def new_request_id() -> str:
    return str(uuid.uuid4()).upper()   # Alibaba's form: D4D4BE8A-DD46-440A-BFCD-EE31DA81C9DD


# --- topology ----------------------------------------------------------------------------------

def instance(store: Store, errors: Errors, product: str, instance_id: str) -> Instance:
    inst = store.get_instance(product, instance_id)
    if inst is None:
        raise fail(errors, "instance_not_found", instance_id)
    return inst


def writable(errors: Errors, inst: Instance) -> None:
    """Account changes need an unlocked, running instance (the seeds' preconditions)."""
    if inst.lock_mode != "Unlock":
        raise fail(errors, "locked", f"lock mode {inst.lock_mode}")
    if inst.status != "Running":
        raise fail(errors, "not_running", f"status {inst.status}")


def account(store: Store, errors: Errors, inst: Instance, name: str) -> Account:
    acct = store.get_account(inst.product, inst.id, name)
    if acct is None:
        raise fail(errors, "account_not_found", name)
    return acct


def insert(store: Store, errors: Errors, acct: Account) -> None:
    """Uniqueness then quota; call inside store.atomic() with the other rules."""
    inst = store.get_instance(acct.product, acct.instance_id)
    assert inst is not None   # the service found the instance before building the account
    if store.get_account(acct.product, acct.instance_id, acct.name) is not None:
        raise fail(errors, "name_duplicate", acct.name)
    if store.count_accounts(acct.product, acct.instance_id) >= inst.account_quota:
        raise fail(errors, "quota", f"at most {inst.account_quota} accounts")
    try:
        store.insert_account(acct)
    except AccountExists:
        raise fail(errors, "name_duplicate", acct.name) from None


def check(errors: Errors, rule: str, problem: str | None, what: str) -> None:
    if problem:
        raise fail(errors, rule, f"{what} {problem}")


# --- privileges --------------------------------------------------------------------------------

def privileges(errors: Errors, inst: Instance, dbs: list[str], levels: list[str],
               check_privilege: Callable[[str], str | None], default: str | None = None) -> dict[str, str]:
    """DBName and AccountPrivilege lists, paired in order (both APIs document that the counts
    must match); every database must exist on the instance."""
    if not levels and default:
        levels = [default] * len(dbs)
    if len(levels) != len(dbs):
        raise fail(errors, "privilege", f"{len(dbs)} DBName value(s) but {len(levels)} AccountPrivilege "
                   "value(s); give one privilege per database, in the same order")
    for level in levels:
        check(errors, "privilege", check_privilege(level), "AccountPrivilege")
    for db in dbs:
        if db not in inst.databases:
            raise fail(errors, "db_not_found", db)
    return dict(zip(dbs, levels))


def revoke(store: Store, errors: Errors, inst: Instance, acct: Account, dbs: list[str]) -> None:
    for db in dbs:
        if db not in inst.databases:
            raise fail(errors, "db_not_found", db)
    for db in dbs:   # revoking what was never granted is a no-op, as on the real services
        acct.privileges.pop(db, None)
    store.save_account(acct)


# --- idempotency (PolarDB ClientToken) ---------------------------------------------------------
# A token is remembered only when the call succeeded, in the same transaction as its effect.
# Beside the first call's RequestId we keep a salted fingerprint of its parameters (as a second
# client_tokens row): a token reused with different parameters is refused with ECS's documented
# IdempotentParameterMismatch instead of silently ignoring the new values. `identity` is the
# request's parameters as the wire layer canonicalises them (wire/alibaba_params.py).

def _fingerprint(identity: str, salt: str) -> str:
    return f"{salt}${hashlib.sha256((salt + identity).encode()).hexdigest()}"


def replay(store: Store, product: str, token: str, identity: str) -> dict[str, Any] | None:
    """The first call's answer if this token was used before, else None."""
    request_id = store.token_request_id(product, token)
    if request_id is None:
        return None
    stored = store.token_request_id(product, token + "\x00params") or "$"
    if stored != _fingerprint(identity, stored.split("$", 1)[0]):
        raise CloudError("IdempotentParameterMismatch", "The request uses the same client token as a "
                         "previous, but non-identical request.", 400)
    return {"RequestId": request_id}


def remember(store: Store, product: str, token: str, identity: str) -> dict[str, Any]:
    request_id = new_request_id()
    store.remember_token(product, token, request_id)
    store.remember_token(product, token + "\x00params", _fingerprint(identity, secrets.token_hex(8)))
    return {"RequestId": request_id}


# --- account changes shared by RDS and PolarDB ---------------------------------------------------

def key(acct: Account) -> behaviour.Key:
    return (acct.product, acct.instance_id, acct.name, acct.host)


def created(store: Store, acct: Account) -> None:
    """A CreateAccount was accepted: the account settles (and its create-time grants show later)."""
    behaviour.of(store).account_changed(key(acct), shown_privileges={} if acct.privileges else None)


def before_create(store: Store, acct: Account) -> None:
    """Too many account tasks in flight on the instance refuse a create as well."""
    behaviour.of(store).check_account_write(key(acct), "Available")


def shown(store: Store, acct: Account) -> tuple[str, dict[str, str]]:
    """(AccountStatus, privileges) as DescribeAccounts reports them right now."""
    b = behaviour.of(store)
    return b.account_status(key(acct), acct.status), b.shown_privileges(key(acct), acct.privileges)


@dataclass(frozen=True)
class Shown:
    """An account as DescribeAccounts reports it now: its status and the privileges that show."""
    account: Account
    status: str
    privileges: dict[str, str]


def find_accounts(store: Store, inst: Instance, name: str) -> list[Shown]:
    """The instance's accounts (only `name`, when given) as they show now."""
    return [Shown(a, *shown(store, a)) for a in store.list_accounts(inst.product, inst.id) if not name or a.name == name]


@dataclass(frozen=True)
class AccountApi:
    """What differs between the two products' account-change actions; the actions are the same."""
    product: str
    errors: Errors
    check_description: Callable[[str], str | None]
    check_privilege: Callable[[Instance, str], str | None]
    # Raised before a grant (and a revoke, when guard_revoke) for accounts that cannot take one.
    guard_privileges: Callable[[Instance, Account], None]
    guard_revoke: bool = False
    # Engine facts (RDS PostgreSQL): refuse a revoke; after a grant, take the databases from
    # their previous owners; a delete that leaves the account in Lock (returns True) instead.
    refuse_revoke: Callable[[Instance, Account], None] | None = None
    after_grant: Callable[[Store, Instance, Account, dict[str, str]], None] | None = None
    delete_instead: Callable[[Store, Instance, Account], bool] | None = None

    def writable_account(self, store: Store, instance_id: str, name: str) -> tuple[Instance, Account]:
        """The instance and the account, both ready for a write (else the product's error)."""
        inst = instance(store, self.errors, self.product, instance_id)
        return inst, self._writable_account(store, inst, name)

    def _writable_account(self, store: Store, inst: Instance, name: str) -> Account:
        writable(self.errors, inst)
        acct = account(store, self.errors, inst, name)
        behaviour.of(store).check_account_write(key(acct), acct.status)
        return acct

    def delete_account(self, store: Store, instance_id: str, name: str) -> None:
        b = behaviour.of(store)
        with store.atomic():
            inst, acct = self.writable_account(store, instance_id, name)
            if self.delete_instead and self.delete_instead(store, inst, acct):
                return
            if b.delete_later(key(acct)):   # listed, name taken, until the delete completes
                acct.status = "Deleting"
                store.save_account(acct)
            else:
                store.delete_account(self.product, inst.id, name)
                b.forget(key(acct))

    def set_password(self, store: Store, instance_id: str, name: str, password: str, field: str) -> None:
        with store.atomic():
            inst = instance(store, self.errors, self.product, instance_id)
            check(self.errors, "password", rules.check_alibaba_password(password), field)
            acct = self._writable_account(store, inst, name)
            acct.set_password(password)
            store.save_account(acct)
            behaviour.of(store).account_changed(key(acct))

    def modify_description(self, store: Store, instance_id: str, name: str, description: str) -> None:
        with store.atomic():
            inst = instance(store, self.errors, self.product, instance_id)
            check(self.errors, "description", self.check_description(description), "AccountDescription")
            acct = self._writable_account(store, inst, name)
            acct.description = description
            store.save_account(acct)
            behaviour.of(store).account_changed(key(acct))

    def grant(self, store: Store, instance_id: str, name: str, dbs: list[str], levels: list[str]) -> None:
        with store.atomic():
            inst = instance(store, self.errors, self.product, instance_id)
            granted = privileges(self.errors, inst, dbs, levels, lambda v: self.check_privilege(inst, v))
            acct = self._writable_account(store, inst, name)
            self.guard_privileges(inst, acct)
            before = dict(acct.privileges)
            acct.privileges.update(granted)   # granting what is already held succeeds (documented)
            store.save_account(acct)
            behaviour.of(store).account_changed(key(acct), shown_privileges=before)
            if self.after_grant:
                self.after_grant(store, inst, acct, granted)

    def revoke(self, store: Store, instance_id: str, name: str, dbs: list[str]) -> None:
        with store.atomic():
            inst, acct = self.writable_account(store, instance_id, name)
            if self.guard_revoke:
                self.guard_privileges(inst, acct)
            if self.refuse_revoke:
                self.refuse_revoke(inst, acct)
            before = dict(acct.privileges)
            revoke(store, self.errors, inst, acct, dbs)
            behaviour.of(store).account_changed(key(acct), shown_privileges=before)
