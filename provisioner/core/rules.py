"""The account rules every product shares, as data and pure checks (each product's own rules are in
provisioner/products/<product>/rules.py).

One source for both sides: the pydantic specs use these to reject bad input at `preview`,
and the local cloud uses them to answer like the real service. Each check returns None when
the value is fine, or a sentence naming the rule it breaks (never echoing a password).
Sources: ../shared/seeds/ (the three API pages) and ../shared/docs/wire-protocols.md.

Every pattern is matched against the whole value (`fullmatch`): `re.match(r"...$")` also
accepts a value that ends in a newline, and the clouds do not.
"""

from __future__ import annotations

import re

# --- Passwords -------------------------------------------------------------------------------

ALIBABA_PASSWORD_SPECIALS = "!@#$%^&*()_+-="


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
