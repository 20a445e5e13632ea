"""The guardrails, as plain functions of one account's inputs (or of all accounts).

Each returns the violation messages, [] when the account complies. Messages name the account
and its cluster/instance and never carry a value of the password.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from provisioner.review.changes import provider_for

if TYPE_CHECKING:
    from provisioner.core.provider import AccountProvider

# Account types that hold every privilege on the instance. RDS: Super (MySQL/MariaDB/SQL Server
# 2008 R2 privileged account) and Sysadmin (SQL Server) — CreateAccount's AccountType in the RDS
# API 2014-08-15; PolarDB: Super — CreateAccount's AccountType in the PolarDB API 2017-08-01.
PRIVILEGED_ACCOUNT_TYPES = ("Super", "Sysadmin")

# Databases that belong to the engine itself:
#  MySQL (RDS MySQL, PolarDB for MySQL, LibraDB — MySQL protocol): mysql (MySQL 8.0 manual §7.3 "The
#    mysql System Schema"), information_schema (ch. 28), performance_schema (ch. 29), sys (ch. 30);
#  PostgreSQL: postgres, template0, template1 (PostgreSQL manual §22.3 "Template Databases");
#  SQL Server: master, model, msdb, tempdb (Microsoft Learn, "System databases").
SYSTEM_DATABASES = ("mysql", "information_schema", "performance_schema", "sys",
                    "postgres", "template0", "template1",
                    "master", "model", "msdb", "tempdb")

ANY_HOST = ("%",)             # LibraDB: the account may connect from anywhere
DEFAULT_MAX_ACCOUNTS = 50     # per cluster/instance; set per stack (maxAccounts)


def is_account(type_token: str) -> bool:
    return provider_for(type_token) is not None


def _account_provider(type_token: str) -> AccountProvider:
    """The provider of an account's type token; the rules run on accounts only (is_account)."""
    provider = provider_for(type_token)
    if provider is None:
        raise ValueError(f"not an account resource type: {type_token}")
    return provider


def describe(type_token: str, props: Mapping[str, Any]) -> str:
    provider = _account_provider(type_token)
    return f"{provider.product} account '{provider.account_label(props)}' on {props.get(provider.instance_field)}"


def privileged_account_type(type_token: str, props: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    forbidden = config.get("accountTypes") or PRIVILEGED_ACCOUNT_TYPES
    account_type = props.get("account_type")
    if account_type in forbidden:
        return [f"{describe(type_token, props)} is a {account_type} account; use a Normal account with "
                f"per-database privileges instead"]
    return []


def any_host(type_token: str, props: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    if "host" not in _account_provider(type_token).spec_model.model_fields:
        return []   # accounts without a host (Alibaba's) connect from what the instance allows
    host = props.get("host") or "%"   # the resource's default host is '%'
    if host in (config.get("hosts") or ANY_HOST):
        return [f"{describe(type_token, props)} may connect from any host ('{host}'); set host to the "
                f"client's IPv4 address"]
    return []


def system_database_privileges(type_token: str, props: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    system = {d.lower() for d in (config.get("databases") or SYSTEM_DATABASES)}
    databases = _account_provider(type_token).databases_in(props.get("privileges"))
    hit = sorted({db for db in databases if db.lower() in system})
    if hit:
        return [f"{describe(type_token, props)} has privileges on the system database"
                f"{'s' if len(hit) > 1 else ''} {', '.join(hit)}"]
    return []


def generated_password(type_token: str, props: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    if props.get("password") is not None:
        return [f"{describe(type_token, props)} sets its password in the program; omit password to have one "
                f"generated (rotate it with password_version)"]
    return []


def description_required(type_token: str, props: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    description = props.get("description")
    if not (isinstance(description, str) and description.strip()):
        return [f"{describe(type_token, props)} has no description; say who or what uses it"]
    return []


def too_many_accounts(resources: Iterable[tuple[str, str, Mapping[str, Any]]],
                      config: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(urn, message) for every account beyond the limit on its cluster/instance; `resources` are
    (type token, urn, props) of the whole stack."""
    limit = int(config.get("maxAccounts") or DEFAULT_MAX_ACCOUNTS)
    per_instance: dict[tuple[str, str], list[tuple[str, Mapping[str, Any]]]] = defaultdict(list)
    for type_token, urn, props in resources:
        if is_account(type_token):
            provider = _account_provider(type_token)
            per_instance[(provider.product, str(props.get(provider.instance_field)))].append((urn, props))
    found = []
    for (product, instance), accounts in sorted(per_instance.items()):
        accounts.sort(key=lambda account: account[0])   # by URN: the same account is named every run
        if len(accounts) > limit:
            found.append((accounts[limit][0], f"{product} {instance} would have {len(accounts)} accounts in this "
                                              f"stack; at most {limit} are allowed (maxAccounts)"))
    return found

