"""PolarDB 2017-08-01: account state and rules. Error codes: docs/localcloud-alibaba.md.
Parameters and response shapes: wire/polardb.py.
"""

from __future__ import annotations

from typing import Any

from provisioner.core import rules
from provisioner.products.polardb import rules as polardb_rules

from ..store import Account, Instance, Store
from . import alibaba as c

PRODUCT = "polardb"

ERRORS: c.Errors = {
    "instance_not_found": (404, "InvalidDBClusterId.NotFound", "The DBClusterId provided does not exist in our records."),
    "locked": (403, "OperationDenied.LockMode", "The operation is not permitted due to lock of Cluster."),
    "not_running": (403, "OperationDenied.DBClusterStatus", "The operation is not permitted due to Cluster status."),
    "account_not_found": (404, "InvalidAccountName.NotFound", "The specified account does not exist."),
    "name_malformed": (400, "InvalidAccountName.Malformed", "The specified parameter AccountName is not valid."),
    "name_duplicate": (400, "InvalidAccountName.Duplicate", "The specified account name already exists."),
    "password": (400, "InvalidAccountPassword.Malformed", "The specified parameter AccountPassword is not valid."),
    "description": (400, "InvalidAccountDescription.Malformed", 'The specified parameter "AccountDescription" is not valid.'),
    "privilege": (400, "InvalidAccountPrivilege.Malformed", 'The specified parameter "AccountPrivilege" is not valid.'),
    "account_type": (400, "InvalidAccountType.Malformed", 'The specified parameter "AccountType" is not valid.'),
    "type_conflict": (403, "OperationDenied.AccountType", "The operation is not permitted due to type of account."),
    "engine": (403, "OperationDenied.DBClusterEngine", "The operation is not permitted due to engine of Cluster."),
    "quota": (403, "QuotaExceeded.AccountName", "The quota of account exceeds."),
    "db_not_found": (404, "InvalidDBName.NotFound", "The specified database does not exist."),
}


def cluster(store: Store, cluster_id: str) -> Instance:
    return c.instance(store, ERRORS, PRODUCT, cluster_id)


def _database_rules(inst: Instance, acct_type: str) -> None:
    """Per-database privileges exist only for Normal accounts of PolarDB for MySQL."""
    if inst.engine != "MySQL":
        raise c.fail(ERRORS, "engine", f"database privileges are managed this way only on MySQL, not {inst.engine}")
    if acct_type != "Normal":
        raise c.fail(ERRORS, "type_conflict", f"database privileges apply only to Normal accounts, not {acct_type}")


def create_account(store: Store, cluster_id: str, name: str, password: str, description: str, kind: str,
                   dbs: list[str] | None, levels: list[str], for_all_dbs: bool, token: str = "",
                   identity: str = "") -> dict[str, Any]:
    """{} or, with a ClientToken, {"RequestId"}: the first call's when the token was used before
    (identity: the request's parameters, services.alibaba.replay)."""
    with store.atomic():
        if token and (first := c.replay(store, PRODUCT, token, identity)):
            return first
        inst = cluster(store, cluster_id)
        c.check(ERRORS, "name_malformed", polardb_rules.check_polardb_name(name), "AccountName")
        c.check(ERRORS, "password", rules.check_alibaba_password(password), "AccountPassword")
        if description:
            c.check(ERRORS, "description", polardb_rules.check_polardb_description(description), "AccountDescription")
        if kind not in polardb_rules.POLARDB_ACCOUNT_TYPES:
            raise c.fail(ERRORS, "account_type", f"AccountType must be one of {', '.join(polardb_rules.POLARDB_ACCOUNT_TYPES)}")
        granted = _create_privileges(inst, kind, dbs, levels, for_all_dbs)
        c.writable(ERRORS, inst)
        if kind == "Super" and inst.engine == "MySQL" and any(
                a.account_type == "Super" for a in store.list_accounts(PRODUCT, inst.id)):
            raise c.fail(ERRORS, "type_conflict", "a PolarDB for MySQL cluster has at most one Super account")
        acct = Account(product=PRODUCT, instance_id=inst.id, name=name, account_type=kind,
                       description=description, privileges=granted)
        acct.set_password(password)
        c.before_create(store, acct)
        c.insert(store, ERRORS, acct)
        c.created(store, acct)
        return c.remember(store, PRODUCT, token, identity) if token else {}


def _create_privileges(inst: Instance, kind: str, dbs: list[str] | None, levels: list[str],
                       for_all: bool) -> dict[str, str]:
    """DBName (None: not given) + AccountPrivilege (ReadWrite when omitted, per the docs), or
    PrivForAllDB with one AccountPrivilege for every current database (future databases are not
    modelled)."""
    if dbs is None and not for_all:
        return {}   # AccountPrivilege alone has no effect (documented)
    _database_rules(inst, kind)
    if for_all:
        if len(levels) != 1:
            raise c.fail(ERRORS, "privilege", "PrivForAllDB=1 needs exactly one AccountPrivilege")
        return c.privileges(ERRORS, inst, list(inst.databases), levels * len(inst.databases),
                            polardb_rules.check_polardb_privilege)
    return c.privileges(ERRORS, inst, dbs or [], levels, polardb_rules.check_polardb_privilege, default="ReadWrite")


def find_accounts(store: Store, cluster_id: str, name: str) -> list[c.Shown]:
    """The cluster's accounts (only `name`, when given) as DescribeAccounts shows them now."""
    return c.find_accounts(store, cluster(store, cluster_id), name)


def database_holders(store: Store, cluster_id: str) -> tuple[Instance, list[Account]]:
    """The cluster and its accounts (DescribeDatabases lists what each holds, as stored)."""
    inst = cluster(store, cluster_id)
    return inst, store.list_accounts(PRODUCT, inst.id)


def find_clusters(store: Store, region: str, ids: set[str], db_type: str, status: str) -> list[Instance]:
    return [i for i in store.list_instances(PRODUCT) if i.region == region
            and (not ids or i.id in ids) and (not db_type or i.engine == db_type) and (not status or i.status == status)]


CHANGES = c.AccountApi(PRODUCT, ERRORS, polardb_rules.check_polardb_description,
                       lambda inst, v: polardb_rules.check_polardb_privilege(v),
                       lambda inst, acct: _database_rules(inst, acct.account_type), guard_revoke=True)
