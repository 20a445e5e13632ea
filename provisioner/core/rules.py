"""The clouds' documented account rules, as data and pure checks.

One source for both sides: the pydantic specs use these to reject bad input at `preview`,
and the local cloud uses them to answer like the real service. Each check returns None when
the value is fine, or a sentence naming the rule it breaks (never echoing a password).
Sources: ../shared/seeds/ (the three API pages) and ../shared/docs/wire-protocols.md.

Every pattern is matched against the whole value (`fullmatch`): `re.match(r"...$")` also
accepts a value that ends in a newline, and the clouds do not.
"""

from __future__ import annotations

import ipaddress
import re

from provisioner.products.rds import reserved_names

# --- Passwords -------------------------------------------------------------------------------

ALIBABA_PASSWORD_SPECIALS = "!@#$%^&*()_+-="
LIBRADB_PASSWORD_SPECIALS = "~!@#$%^&*_-+=|\\(){}[]:;'<>,.?/"


def check_password(password: str, *, min_len: int, max_len: int, specials: str, min_classes: int = 3) -> str | None:
    if not isinstance(password, str):
        return "must be a string"
    if not min_len <= len(password) <= max_len:
        return f"must be {min_len} to {max_len} characters long"
    allowed = set(specials)
    if any(not (c.isascii() and (c.isalnum() or c in allowed)) for c in password):
        return f"may contain only letters, digits and the special characters {specials}"
    classes = sum(
        any(test(c) for c in password)
        for test in (str.isupper, str.islower, str.isdigit, lambda c: c in allowed)
    )
    if classes < min_classes:
        return (f"must contain at least {min_classes} of: upper-case letters, lower-case letters, "
                f"digits, special characters ({specials})")
    return None


def check_libradb_password(password: str) -> str | None:
    """What the API documents: 8 to 64 characters (cynosdb NewAccount.AccountPassword, "密码长度
    范围为8到64个字符"); no character-class rule is documented for analysis clusters, so none is
    enforced (the service answers InvalidParameterValue.IllegalPassword for what it refuses)."""
    if not isinstance(password, str):
        return "must be a string"
    if not 8 <= len(password) <= 64:
        return "must be 8 to 64 characters long"
    if any(not c.isprintable() for c in password):
        return "must not contain control characters"
    return None


def check_alibaba_password(password: str) -> str | None:
    """RDS and PolarDB share this rule: 8-32 characters, three of four classes."""
    return check_password(password, min_len=8, max_len=32, specials=ALIBABA_PASSWORD_SPECIALS)


# --- Identifiers every API takes -------------------------------------------------------------

# Cluster/instance ids: RDS DescribeDBInstanceAttribute and PolarDB DescribeDBClusters take a
# comma-separated list of ids (Alibaba API reference, DBInstanceId / DBClusterIds), so an id with a
# comma would describe one instance and write to another; no id of any of the three clouds contains
# whitespace or a comma (rm-uf6wjk5xxxxxxx, pc-bp1xxxxxxxx, libradb-i794jfvg in the seeds).
_INSTANCE_ID = re.compile(r"[^\s,]+")


def check_instance_id(value: str) -> str | None:
    if not _INSTANCE_ID.fullmatch(value):
        return "must be a cluster/instance id: not empty, no whitespace and no ','"
    return None


# Region ids: lower-case words joined by '-' on both clouds (Tencent "ap-guangzhou",
# "ap-shenzhen-fsi" in seed 000's list; Alibaba "cn-hangzhou", "ap-southeast-1"). Only the form is
# checked: the lists grow, and a region the API does not serve is its own clear error.
_REGION = re.compile(r"[a-z]+(?:-[a-z0-9]+)+")


def check_region(value: str) -> str | None:
    if not _REGION.fullmatch(value):
        return "must be a region id such as ap-guangzhou or cn-hangzhou (lower-case words joined by '-')"
    return None


# Database and table names, as keys of privileges. MySQL: identifiers are at most 64 characters
# (dev.mysql.com/doc/refman/8.0/en/identifier-length.html), may not contain U+0000 or characters
# beyond the Basic Multilingual Plane, and database and table names cannot end with a space
# (dev.mysql.com/doc/refman/8.0/en/identifiers.html); RDS and PolarDB CreateDatabase: DBName at
# most 64 characters. RDS and PolarDB GrantAccountPrivilege / CreateAccount take DBName as a
# comma-separated list (seed 004, DBName: "separate the names with commas"): a name with a comma
# becomes two names, one with surrounding whitespace is trimmed and never reads back as given
# (a permanent diff). Leading whitespace is refused for LibraDB too: one rule for all three, and
# no console or CreateDatabase call of these clouds makes such a name.
DATABASE_NAME_MAX = 64
TABLE_NAME_MAX = 64


def check_database_name(name: str, *, comma_list: bool, what: str = "database name") -> str | None:
    if not 1 <= len(name) <= DATABASE_NAME_MAX:
        return f"{what} must be 1 to {DATABASE_NAME_MAX} characters long"
    if name != name.strip():
        return f"{what} must not start or end with whitespace"
    if comma_list and "," in name:
        return f"{what} must not contain ',' (the API separates database names with commas)"
    if any(c == "\x00" or ord(c) > 0xFFFF for c in name):
        return f"{what} must not contain U+0000 or characters outside the Basic Multilingual Plane"
    return None


# --- LibraDB (Tencent Cloud cynosdb analysis clusters) ---------------------------------------

LIBRADB_NAME_MAX = 30
LIBRADB_RESERVED_NAMES = frozenset({
    "root", "tencentroot", "mysql", "sys", "mysql.sys", "mysql.session", "mysql.infoschema",
})
LIBRADB_DESCRIPTION_MAX = 255
LIBRADB_MAX_USER_CONNECTIONS = 10240
LIBRADB_PRIVILEGES = frozenset({
    "SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER", "INDEX", "REFERENCES",
    "CREATE VIEW", "SHOW VIEW", "CREATE TEMPORARY TABLES", "LOCK TABLES", "EXECUTE",
    "CREATE ROUTINE", "ALTER ROUTINE", "EVENT", "TRIGGER", "SHOW DATABASES", "PROCESS", "RELOAD",
})
# Privileges that only make sense globally (MySQL semantics).
LIBRADB_GLOBAL_ONLY_PRIVILEGES = frozenset({"SHOW DATABASES", "PROCESS", "RELOAD"})
_LIBRADB_NAME = re.compile(r"[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?")


def check_libradb_name(name: str) -> str | None:
    if not 1 <= len(name) <= LIBRADB_NAME_MAX:
        return f"must be 1 to {LIBRADB_NAME_MAX} characters long"
    if not _LIBRADB_NAME.fullmatch(name):
        return "may contain only letters, digits and '_', must start with a letter and end with a letter or digit"
    if name.lower() in LIBRADB_RESERVED_NAMES:
        return f"'{name}' is a reserved system account name"
    return None


def check_libradb_host(host: str) -> str | None:
    """'%' or an IPv4 address: the cynosdb NewAccount model documents Host as "主机(%或ipv4地址)" and
    the TDSQL-C console accepts "IP addresses and %"; MySQL-style patterns such as 10.0.% are
    not documented for analysis clusters, so they are refused here rather than guessed."""
    if host == "%":
        return None
    try:
        ipaddress.IPv4Address(host)
    except ValueError:
        return "must be '%' (any host) or an IPv4 address"
    return None


def check_libradb_description(description: str) -> str | None:
    if len(description) > LIBRADB_DESCRIPTION_MAX:
        return f"must be at most {LIBRADB_DESCRIPTION_MAX} characters long"
    return None


def check_libradb_max_user_connections(value: int) -> str | None:
    if not 1 <= value <= LIBRADB_MAX_USER_CONNECTIONS:
        return f"must be between 1 and {LIBRADB_MAX_USER_CONNECTIONS}"
    return None


def check_libradb_table_key(key: str) -> str | None:
    """'database.table' as the spec writes it; the API takes Db and TableName as separate
    fields (TablePrivileges[{Db, TableName, Privileges}]); TableName at most 64 characters
    (MySQL identifier limit; the local cloud answers InvalidParameterValue.ParamError)."""
    db, dot, table = key.partition(".")
    if not dot or not db or not table:
        return f"table key '{key}' must have the form 'database.table'"
    return (check_database_name(db, comma_list=False)
            or check_database_name(table, comma_list=False, what="table name"))


def check_libradb_privilege(privilege: str, *, scope: str) -> str | None:
    """scope is 'global', 'database' or 'table'."""
    if privilege not in LIBRADB_PRIVILEGES:
        return f"'{privilege}' is not a privilege; valid: {', '.join(sorted(LIBRADB_PRIVILEGES))}"
    if scope != "global" and privilege in LIBRADB_GLOBAL_ONLY_PRIVILEGES:
        return f"'{privilege}' can only be granted globally"
    return None


# --- Alibaba Cloud ApsaraDB RDS -------------------------------------------------------------

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


def check_rds_account_type_privileges(account_type: str, privileges: dict[str, str],
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


# --- Alibaba Cloud PolarDB ------------------------------------------------------------------

POLARDB_ACCOUNT_TYPES = ("Normal", "Super")
POLARDB_RESERVED_NAMES = frozenset({
    "root", "admin", "administrator", "aliyun_root", "mysql", "sys", "system", "replicator",
    "polardb", "information_schema", "performance_schema",
})
POLARDB_PRIVILEGES = ("ReadWrite", "ReadOnly", "DMLOnly", "DDLOnly", "ReadIndex")
# Per-database privileges exist only on PolarDB for MySQL (OperationDenied.DBClusterEngine
# elsewhere), and a MySQL cluster has at most one Super account (OperationDenied.AccountType):
# PolarDB CreateAccount / GrantAccountPrivilege error tables.
POLARDB_PRIVILEGE_ENGINES = ("MySQL",)
POLARDB_ONE_SUPER_ENGINES = ("MySQL",)
_POLARDB_NAME = re.compile(r"[a-z][a-z0-9_]*[a-z0-9]")


def check_polardb_name(name: str) -> str | None:
    if not 2 <= len(name) <= 16:
        return "must be 2 to 16 characters long"
    if not _POLARDB_NAME.fullmatch(name):
        return "may contain only lower-case letters, digits and '_', must start with a lower-case letter and end with a letter or digit"
    if name in POLARDB_RESERVED_NAMES:
        return f"'{name}' is reserved by the system (root, admin and others)"
    return None


def check_polardb_description(description: str) -> str | None:
    if not 2 <= len(description) <= 256:
        return "must be 2 to 256 characters long"
    if description.startswith(("http://", "https://")):
        return "must not start with http:// or https://"
    return None


def check_polardb_privilege(privilege: str) -> str | None:
    if privilege not in POLARDB_PRIVILEGES:
        return f"'{privilege}' is not a valid privilege; valid: {', '.join(POLARDB_PRIVILEGES)}"
    return None
