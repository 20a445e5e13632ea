"""ApsaraDB RDS 2014-08-15: account state and rules, per engine. Error codes:
docs/localcloud-alibaba.md. Parameters and response shapes: wire/rds.py.
"""

from __future__ import annotations

from provisioner.core import rules
from provisioner.products.rds import reserved_names
from provisioner.products.rds import rules as rds_rules

from .. import behaviour
from ..store import Account, Instance, Store
from . import alibaba as c

PRODUCT = "rds"
DEFAULT_STORAGE_TYPE = "cloud_essd"   # what an instance without DBInstanceStorageType reports

ERRORS: c.Errors = {
    "instance_not_found": (404, "InvalidDBInstanceId.NotFound", "Specified instance does not exist or not support."),
    "locked": (404, "IncorrectDBInstanceLockMode", "Current DB instance lock mode does not support this operation."),
    "not_running": (403, "IncorrectDBInstanceState", "Current DB instance state does not support this operation."),
    "account_not_found": (404, "InvalidAccountName.NotFound", "Specified account does not exist."),
    "name_malformed": (400, "InvalidAccountName.Malformed", "Specified account name is not valid."),
    "name_reserved": (400, "InvalidAccountName.Forbid", "Specified account name is a keyword in RDS."),
    "name_duplicate": (400, "InvalidAccountName.Duplicate", "Specified account name already exists in this instance."),
    "password": (400, "InvalidAccountPassword.Format", "Specified account password is not valid."),
    "description": (400, "InvalidAccountDescription.Format", "Specified account description is not valid."),
    "privilege": (400, "InvalidAccountPrivilege.Malformed", "Specified account privilege is not valid."),
    "account_type": (400, "InvalidAccountType.Malformed", "Specified account type is not valid."),
    "sysadmin": (400, "InvalidEngineVersion.NotSupported", "Current db instance does not support sysadmin."),
    "type_conflict": (403, "IncorrectAccountType", "Current account type does not support this operation."),
    "quota": (403, "AccountLimitExceeded", "AccountQuotaExceeded: Exceeding the allowed amount of account"),
    "db_not_found": (404, "InvalidDBName.NotFound", "Specified DB name does not exist."),
    # PostgreSQL has no revoke (terraform-provider-alicloud db_account_privilege: "the PostgreSql
    # database does not support revoking"); the code is modelled on PolarDB's
    # OperationDenied.DBClusterEngine (the real RDS answer is not documented).
    "engine": (403, "OperationDenied.DBInstanceEngine", "The operation is not permitted due to engine of instance."),
    "account_locked": (403, "AccountActionForbidden", "The account action is forbidden in the current account status."),
}

# How DescribeAccounts reports a DBOwner grant back, per engine (terraform-provider-alicloud
# service_alicloud_rds.go WaitForAccountPrivilege: "postgresql response has a bug, DBOwner will
# be changed to ALL", "sqlserver ... DBOwner will be changed to DbOwner").
DBOWNER_READ_BACK = {"PostgreSQL": "ALL", "SQLServer": "DbOwner"}

_ONE_PRIVILEGED = rds_rules.RDS_ONE_PRIVILEGED_ENGINES


def instance(store: Store, instance_id: str) -> Instance:
    return c.instance(store, ERRORS, PRODUCT, instance_id)


def _check_name(inst: Instance, name: str) -> None:
    if reserved_names.rds_reserved(name, inst.engine):
        raise c.fail(ERRORS, "name_reserved", name)
    storage = inst.attrs.get("DBInstanceStorageType") or DEFAULT_STORAGE_TYPE
    c.check(ERRORS, "name_malformed", rds_rules.check_rds_name(name, inst.engine, inst.version, storage), "AccountName")


def create_account(store: Store, instance_id: str, name: str, password: str, description: str, kind: str) -> None:
    with store.atomic():
        inst = instance(store, instance_id)
        _check_name(inst, name)
        c.check(ERRORS, "password", rules.check_alibaba_password(password), "AccountPassword")
        if description:
            c.check(ERRORS, "description", rds_rules.check_rds_description(description), "AccountDescription")
        if kind not in rds_rules.RDS_ACCOUNT_TYPES:
            raise c.fail(ERRORS, "account_type", f"AccountType must be one of {', '.join(rds_rules.RDS_ACCOUNT_TYPES)}")
        if kind == "Sysadmin" and inst.engine != "SQLServer":
            raise c.fail(ERRORS, "sysadmin", f"Sysadmin accounts exist only on SQLServer, not {inst.engine}")
        c.writable(ERRORS, inst)
        # The seed: PostgreSQL allows several privileged accounts; the other engines one.
        if kind != "Normal" and inst.engine != "PostgreSQL" and any(
                a.account_type == kind for a in store.list_accounts(PRODUCT, inst.id)):
            raise c.fail(ERRORS, "type_conflict", f"a {inst.engine} instance has at most one {kind} account")
        acct = Account(product=PRODUCT, instance_id=inst.id, name=name, account_type=kind, description=description)
        acct.set_password(password)
        c.before_create(store, acct)
        c.insert(store, ERRORS, acct)
        c.created(store, acct)


def read_back(inst: Instance, level: str) -> str:
    """How the engine reports a privilege back (DBOwner differs)."""
    return DBOWNER_READ_BACK.get(inst.engine, level) if level == "DBOwner" else level


def find_accounts(store: Store, instance_id: str, name: str) -> tuple[Instance, list[c.Shown]]:
    """The instance and its accounts (only `name`, when given) as they show now."""
    inst = instance(store, instance_id)
    return inst, c.find_accounts(store, inst, name)


def instances(store: Store, ids: list[str]) -> list[Instance]:
    """Every instance asked for, in order (the first unknown one is the error)."""
    return [instance(store, instance_id) for instance_id in ids]


def find_instances(store: Store, region: str, ids: set[str], engine: str, status: str) -> list[Instance]:
    return [i for i in store.list_instances(PRODUCT) if i.region == region
            and (not ids or i.id in ids) and (not engine or i.engine == engine) and (not status or i.status == status)]


def database_holders(store: Store, instance_id: str) -> tuple[Instance, list[tuple[Account, dict[str, str]]]]:
    """Each account with what it holds as DescribeAccounts would show it now (grants show later)."""
    inst = instance(store, instance_id)
    return inst, [(a, c.shown(store, a)[1]) for a in store.list_accounts(PRODUCT, inst.id)]


def _guard_privileges(inst: Instance, acct: Account) -> None:
    if acct.account_type != "Normal" and inst.engine in _ONE_PRIVILEGED:
        raise c.fail(ERRORS, "type_conflict", f"a {acct.account_type} account already has every privilege")


# --- PostgreSQL: one owner per database, no revoke, an owning account left in Lock on delete ------

def _refuse_revoke(inst: Instance, acct: Account) -> None:
    if inst.engine == "PostgreSQL":
        raise c.fail(ERRORS, "engine", "PostgreSQL instances do not support revoking a database privilege")


def _one_owner(store: Store, inst: Instance, acct: Account, granted: dict[str, str]) -> None:
    """A PostgreSQL database has one owner: granting DBOwner moves it from its previous owner."""
    if inst.engine != "PostgreSQL":
        return
    for other in store.list_accounts(PRODUCT, inst.id):
        lost = [db for db in granted if other.name != acct.name and other.privileges.get(db) == "DBOwner"]
        if lost:
            before = dict(other.privileges)
            for db in lost:
                other.privileges.pop(db)
            store.save_account(other)
            behaviour.of(store).account_changed(c.key(other), shown_privileges=before)


def _lock_owner_on_delete(store: Store, inst: Instance, acct: Account) -> bool:
    """Deleting a PostgreSQL account that owns databases leaves it in Lock (its databases go to
    the instance's privileged account); it can be deleted after UnlockAccount (Terraform's
    rds account Delete does exactly that, PR #4040)."""
    if inst.engine != "PostgreSQL":
        return False
    if acct.status == "Lock":
        raise c.fail(ERRORS, "account_locked", f"account {acct.name} is locked; unlock it first")
    if not any(level == "DBOwner" for level in acct.privileges.values()):
        return False
    before = dict(acct.privileges)
    acct.status, acct.privileges = "Lock", {}
    store.save_account(acct)
    behaviour.of(store).account_changed(c.key(acct), shown_privileges=before)
    return True


def unlock_account(store: Store, instance_id: str, name: str) -> None:
    with store.atomic():
        _, acct = CHANGES.writable_account(store, instance_id, name)
        if acct.status == "Lock":
            acct.status = "Available"
            store.save_account(acct)
            behaviour.of(store).account_changed(c.key(acct))


CHANGES = c.AccountApi(PRODUCT, ERRORS, rds_rules.check_rds_description,
                       lambda inst, v: rds_rules.check_rds_privilege(v, inst.engine), _guard_privileges,
                       refuse_revoke=_refuse_revoke, after_grant=_one_owner, delete_instead=_lock_owner_on_delete)
