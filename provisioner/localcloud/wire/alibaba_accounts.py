"""The account-change actions RDS and PolarDB both have, on the wire: the same five actions over
each product's services.alibaba.AccountApi, with that product's parameter names."""

from __future__ import annotations

from typing import Any, Callable

from ..services.alibaba import AccountApi
from ..store import Store
from .alibaba_params import csv, required

Handler = Callable[[Store, dict[str, str]], dict[str, Any]]


def account_changes(api: AccountApi, id_param: str, password_action: str,
                    password_param: str) -> dict[str, Handler]:
    """The account-change actions both Alibaba products have, over that product's service."""
    def delete_account(store: Store, p: dict[str, str]) -> dict[str, Any]:
        api.delete_account(store, *required(p, id_param, "AccountName"))
        return {}

    def set_password(store: Store, p: dict[str, str]) -> dict[str, Any]:
        instance_id, name, password = required(p, id_param, "AccountName", password_param)
        api.set_password(store, instance_id, name, password, password_param)
        return {}

    def modify_description(store: Store, p: dict[str, str]) -> dict[str, Any]:
        api.modify_description(store, *required(p, id_param, "AccountName", "AccountDescription"))
        return {}

    def grant(store: Store, p: dict[str, str]) -> dict[str, Any]:
        instance_id, name, dbs, levels = required(p, id_param, "AccountName", "DBName", "AccountPrivilege")
        api.grant(store, instance_id, name, csv(dbs), csv(levels))
        return {}

    def revoke(store: Store, p: dict[str, str]) -> dict[str, Any]:
        instance_id, name, dbs = required(p, id_param, "AccountName", "DBName")
        api.revoke(store, instance_id, name, csv(dbs))
        return {}

    return {"DeleteAccount": delete_account, password_action: set_password,
            "ModifyAccountDescription": modify_description, "GrantAccountPrivilege": grant,
            "RevokeAccountPrivilege": revoke}
