"""LibraDB (Tencent Cloud cynosdb analysis clusters): the documented account rules, as data and pure checks.

Used by the spec (at `preview`) and by the local cloud (to answer like the real service); each
check returns None when the value is fine, or a sentence naming the rule it breaks.
Every pattern is matched against the whole value (`fullmatch`).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from provisioner.core.rules import check_database_name

LIBRADB_PASSWORD_SPECIALS = "~!@#$%^&*_-+=|\\(){}[]:;'<>,.?/"


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
# Global privileges that change every database's schema or the server itself (MySQL semantics):
# an account holding one of them globally is an administrator, not an application account.
ADMIN_GLOBAL_PRIVILEGES = frozenset({"CREATE", "DROP", "ALTER", "INDEX", "REFERENCES", "CREATE ROUTINE",
                                     "ALTER ROUTINE", "EVENT", "TRIGGER", "RELOAD"})
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


def normalize_privileges(p: dict[str, Any] | None) -> dict[str, Any]:
    """The one normalised form of LibraDB privileges (the spec's output, the adapter's read-back,
    what the diff compares): every scope present, privileges sorted and unique, empty entries dropped."""
    p = p or {}
    return {
        "global": sorted(set(p.get("global") or [])),
        "databases": {db: sorted(set(v)) for db, v in sorted((p.get("databases") or {}).items()) if v},
        "tables": {t: sorted(set(v)) for t, v in sorted((p.get("tables") or {}).items()) if v},
    }
