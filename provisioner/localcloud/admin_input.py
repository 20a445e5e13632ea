"""Admin and seed JSON -> store records, type-checked: a wrong type is refused here (the admin
interface answers 400), never stored to break later API calls."""

from __future__ import annotations

from typing import Any

from .store import PRODUCTS, Account, Store

ACCOUNT_FIELDS = {"account_type", "description", "max_user_connections", "password_rotation",
                   "privileges", "status"}
INSTANCE_FIELDS = {"status", "lock_mode", "account_quota", "databases", "attrs", "name"}

# Field -> (check, what it must be). Used for admin writes and the seed's accounts.
_STR = (lambda v: isinstance(v, str), "a string")
_OPT_INT = (lambda v: v is None or (isinstance(v, int) and not isinstance(v, bool)), "an integer or null")
_TYPES: dict[str, tuple[Any, str]] = {
    "product": _STR, "id": _STR, "instance_id": _STR, "name": _STR, "host": _STR, "password": _STR,
    "engine": _STR, "version": _STR, "region": _STR, "status": _STR, "lock_mode": _STR,
    "account_type": _STR, "description": _STR,
    "account_quota": (lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0, "a non-negative integer"),
    "databases": (lambda v: isinstance(v, list) and all(isinstance(d, str) for d in v), "a list of strings"),
    "attrs": (lambda v: isinstance(v, dict), "an object"),
    "privileges": (lambda v: isinstance(v, dict), "an object"),
    "max_user_connections": _OPT_INT, "password_rotation": _OPT_INT,
}


def check_types(data: dict[str, Any]) -> None:
    for key, value in data.items():
        check, what = _TYPES.get(key, (lambda v: True, ""))
        if key == "host" and value is None:
            continue
        if not check(value):
            raise AdminError(400, f"{key} must be {what}, got {type(value).__name__}")


def check_privileges(product: str, privileges: dict[str, Any]) -> None:
    """The stored shapes (store.Account.privileges): what the services read back."""
    def names(v: Any) -> bool:
        return isinstance(v, list) and all(isinstance(x, str) for x in v)

    if product == "libradb":
        entries = {"database": ("Db",), "table": ("Db", "TableName")}
        ok = set(privileges) <= {"global", "database", "table"} and names(privileges.get("global", [])) and all(
            isinstance(privileges.get(kind, []), list) and all(
                isinstance(e, dict) and set(e) == {*keys, "Privileges"} and names(e["Privileges"])
                and all(isinstance(e[k], str) for k in keys) for e in privileges.get(kind, []))
            for kind, keys in entries.items())
        shape = '{"global": [str], "database": [{"Db", "Privileges": [str]}], "table": [{"Db", "TableName", "Privileges"}]}'
    else:
        ok = all(isinstance(k, str) and isinstance(v, str) for k, v in privileges.items())
        shape = "{database: privilege} with strings"
    if not ok:
        raise AdminError(400, f"privileges of a {product} account must be {shape}")


class AdminError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def default_host(product: str) -> str:
    """LibraDB identities are (name, host) with host "%" by default; Alibaba uses ""."""
    return "%" if product == "libradb" else ""


def identity(data: dict[str, Any]) -> tuple[str, str, str, str]:
    check_types({k: data[k] for k in ("product", "instance_id", "name", "host") if k in data})
    product, instance_id, name = data.get("product"), data.get("instance_id"), data.get("name")
    if product not in PRODUCTS:
        raise AdminError(400, f"product must be one of {list(PRODUCTS)}")
    if not instance_id or not name:
        raise AdminError(400, "instance_id and name are required")
    host = data.get("host")
    return product, instance_id, name, default_host(product) if host is None else host


def account_from_dict(store: Store, data: dict[str, Any]) -> Account:
    """Build an account from admin/seed JSON (`type` is accepted for `account_type`)."""
    product, instance_id, name, host = identity(data)
    if store.get_instance(product, instance_id) is None:
        raise AdminError(404, f"no {product} instance {instance_id}")
    data = {("account_type" if k == "type" else k): v for k, v in data.items()}
    unknown = set(data) - ACCOUNT_FIELDS - {"product", "instance_id", "name", "host", "password"}
    if unknown:
        raise AdminError(400, f"unknown account fields {sorted(unknown)}")
    check_types({k: v for k, v in data.items() if k != "password" or v is not None})
    check_privileges(product, data.get("privileges", {}))
    acct = Account(product=product, instance_id=instance_id, name=name, host=host,
                   **{k: v for k, v in data.items() if k in ACCOUNT_FIELDS})
    acct.set_password(str(data.get("password") or ""))
    return acct
