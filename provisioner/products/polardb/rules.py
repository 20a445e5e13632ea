"""Alibaba Cloud PolarDB: the documented account rules, as data and pure checks.

Used by the spec (at `preview`) and by the local cloud (to answer like the real service); each
check returns None when the value is fine, or a sentence naming the rule it breaks.
Every pattern is matched against the whole value (`fullmatch`).
"""

from __future__ import annotations

import re

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
