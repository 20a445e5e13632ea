"""Alibaba Cloud ApsaraDB RDS: the documented account rules, as data and pure checks.

Used by the spec (at `preview`) and by the local cloud (to answer like the real service); each
check returns None when the value is fine, or a sentence naming the rule it breaks.
Every pattern is matched against the whole value (`fullmatch`).
"""

from __future__ import annotations

import re
from typing import Mapping

from provisioner.products.rds import reserved_names

RDS_ACCOUNT_TYPES = ("Normal", "Super", "Sysadmin")
# Reserved account names per engine: provisioner/products/rds/reserved_names.py (data, with sources).
RDS_RESERVED_NAMES = reserved_names.RDS_ANY_ENGINE
# Privileges each engine accepts in GrantAccountPrivilege.
RDS_PRIVILEGES_BY_ENGINE = {
    "MySQL": ("ReadWrite", "ReadOnly", "DDLOnly", "DMLOnly"),
    "MariaDB": ("ReadWrite", "ReadOnly", "DDLOnly", "DMLOnly"),
    "PostgreSQL": ("DBOwner",),
    "SQLServer": ("ReadWrite", "ReadOnly", "DBOwner"),
}
RDS_PRIVILEGES = ("ReadWrite", "ReadOnly", "DDLOnly", "DMLOnly", "DBOwner")
# Engines where a privileged (Super/Sysadmin) account is unique per instance and already holds
# every database privilege, so GrantAccountPrivilege to it is refused with IncorrectAccountType
# (seed 003 CreateAccount/GrantAccountPrivilege; docs/localcloud-alibaba.md rule table).
# PostgreSQL allows several privileged accounts, which take grants.
RDS_ONE_PRIVILEGED_ENGINES = ("MySQL", "MariaDB", "SQLServer")
_RDS_NAME_LOWER = re.compile(r"[a-z](?:[a-z0-9_]*[a-z0-9])?")
_RDS_NAME_MIXED = re.compile(r"[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?")
# How DescribeAccounts/DescribeDatabases report a DBOwner grant back, per engine: read-back value
# -> the privilege that was granted (terraform-provider-alicloud service_alicloud_rds.go,
# WaitForAccountPrivilege: "postgresql response has a bug, DBOwner will be changed to ALL",
# "sqlserver response has a bug, DBOwner will be changed to DbOwner").
RDS_PRIVILEGE_READ_BACK = {"PostgreSQL": {"ALL": "DBOwner"}, "SQLServer": {"DbOwner": "DBOwner"}}


# RDS PostgreSQL storage types with local disks: account names 2-16 characters there, 2-63 on
# cloud disks (CreateAccount doc: "PostgreSQL with local disks ... 2 to 16", "with cloud disks
# ... 2 to 63"; DescribeDBInstanceAttribute DBInstanceStorageType: local_ssd, cloud_ssd, cloud_essd*).
RDS_LOCAL_STORAGE = frozenset({"local_ssd", "ephemeral_ssd"})


def rds_name_length(engine: str | None, version: str | None, storage_type: str | None = None) -> tuple[int, int]:
    """Name length limits by engine (and PostgreSQL storage type, when the instance reports it);
    with no engine known, the loosest documented bound."""
    if engine == "MySQL":
        return (2, 16) if version == "5.6" else (2, 32)
    if engine == "MariaDB":
        return (2, 16)
    if engine == "PostgreSQL":
        return (2, 16) if storage_type in RDS_LOCAL_STORAGE else (2, 63)
    if engine == "SQLServer":
        return (2, 64)
    return (2, 64)


def check_rds_name(name: str, engine: str | None = None, version: str | None = None,
                   storage_type: str | None = None) -> str | None:
    low, high = rds_name_length(engine, version, storage_type)
    if not low <= len(name) <= high:
        where = f" on {engine} {version or ''}".rstrip() if engine else ""
        if engine == "PostgreSQL" and storage_type in RDS_LOCAL_STORAGE:
            where += f" with local disks ({storage_type})"
        return f"must be {low} to {high} characters long{where}"
    pattern = _RDS_NAME_MIXED if engine in (None, "MySQL") else _RDS_NAME_LOWER
    if not pattern.fullmatch(name):
        letters = "letters" if pattern is _RDS_NAME_MIXED else "lower-case letters"
        return f"may contain only {letters}, digits and '_', must start with a letter and end with a letter or digit"
    if reserved_names.rds_reserved(name, engine):
        on = f" on {engine}" if engine else ""
        return f"'{name}' is a reserved keyword{on} and cannot be an account name"
    return None


_RDS_DESCRIPTION = re.compile(r"[A-Za-z\u4e00-\u9fff][A-Za-z0-9\u4e00-\u9fff_\-]*")


def check_rds_description(description: str) -> str | None:
    if not 2 <= len(description) <= 256:
        return "must be 2 to 256 characters long"
    if description.startswith(("http://", "https://")):
        return "must not start with http:// or https://"
    if not _RDS_DESCRIPTION.fullmatch(description):
        return "must start with a letter or Chinese character and contain only letters, digits, Chinese characters, '_' and '-'"
    return None


# Privileged accounts (Super; Sysadmin on SQL Server) hold every privilege on MySQL, MariaDB and SQL
# Server (RDS_ONE_PRIVILEGED_ENGINES): GrantAccountPrivilege on them is refused with
# IncorrectAccountType ("Current account type does not support this operation", seed 003;
# reproduced in issue 9). PostgreSQL allows several privileged accounts (seed 003) and makes any
# account a database's owner (DBOwner).


def check_rds_account_type_privileges(account_type: str, privileges: Mapping[str, str],
                                      engine: str | None = None) -> str | None:
    """With no engine known, refuse only what no engine accepts: a privileged account with a
    privilege other than DBOwner (PostgreSQL takes DBOwner alone; the others take no grant)."""
    if account_type == "Normal" or not privileges:
        return None
    fix = 'remove privileges, or keep account_type="Normal"'
    if engine in RDS_ONE_PRIVILEGED_ENGINES or account_type == "Sysadmin":
        on = f" on {engine}" if engine else ""
        return (f"a {account_type} account{on} already holds every database privilege and takes no per-database "
                f"grants (the API refuses them with IncorrectAccountType): {fix}")
    if engine is None and any(p != "DBOwner" for p in privileges.values()):
        return (f"a {account_type} account takes no per-database grants on MySQL, MariaDB or SQL Server, where it "
                f"already holds every database privilege (the API refuses them with IncorrectAccountType), and "
                f"only DBOwner on PostgreSQL: {fix}")
    return None


def check_rds_privilege(privilege: str, engine: str | None = None) -> str | None:
    allowed = RDS_PRIVILEGES_BY_ENGINE.get(engine, RDS_PRIVILEGES) if engine else RDS_PRIVILEGES
    if privilege not in allowed:
        on = f" on {engine}" if engine else ""
        return f"'{privilege}' is not a valid privilege{on}; valid: {', '.join(allowed)}"
    return None
