"""The policy pack: the rules of rules.py as CrossGuard policies, configurable per stack.

Every policy is mandatory unless the stack's policy config says otherwise
(`pulumi preview --policy-pack-config policy/<stack>.json`): the prod-only rules are turned
to advisory (or disabled) for the other stacks there, and maxAccounts is set per stack.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from provisioner.policy import rules

NAME = "provisioner-accounts"

_STRINGS = {"type": "array", "items": {"type": "string"}}


def _resource_policy(name: str, description: str, rule: Callable[..., list[str]],
                     schema: dict[str, Any] | None = None) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if rules.is_account(args.resource_type):
            for message in rule(args.resource_type, args.props, args.get_config() or {}):
                report(message, None)   # no urn: the engine names the resource being validated
    return ResourceValidationPolicy(name=name, description=description, validate=validate,
                                    config_schema=PolicyConfigSchema(properties=schema) if schema else None)


def _max_accounts(args: StackValidationArgs, report: ReportViolation) -> None:
    resources = [(r.resource_type, r.urn, r.props) for r in args.resources]
    for urn, message in rules.too_many_accounts(resources, args.get_config() or {}):
        report(message, urn)


def policies() -> list:
    return [
        _resource_policy("no-privileged-accounts",
                         "No Super or Sysadmin accounts (prod): they hold every privilege on the instance.",
                         rules.privileged_account_type,
                         {"accountTypes": {**_STRINGS, "default": list(rules.PRIVILEGED_ACCOUNT_TYPES)}}),
        _resource_policy("no-any-host",
                         "No LibraDB account that may connect from any host ('%') (prod).",
                         rules.any_host, {"hosts": {**_STRINGS, "default": list(rules.ANY_HOST)}}),
        _resource_policy("no-system-database-privileges",
                         "No privileges on the engine's system databases (mysql, sys, postgres, master, ...).",
                         rules.system_database_privileges,
                         {"databases": {**_STRINGS, "default": list(rules.SYSTEM_DATABASES)}}),
        _resource_policy("generated-passwords-only",
                         "Passwords are generated, never written in the program (prod).",
                         rules.generated_password),
        _resource_policy("description-required",
                         "Every account says who or what uses it (description).",
                         rules.description_required),
        StackValidationPolicy(name="max-accounts-per-instance",
                              description="At most maxAccounts accounts per cluster or instance in a stack.",
                              validate=_max_accounts,
                              config_schema=PolicyConfigSchema(properties={"maxAccounts": {
                                  "type": "integer", "minimum": 1, "default": rules.DEFAULT_MAX_ACCOUNTS}})),
    ]


def serve(initial_config: Mapping[str, Any] | None = None) -> None:
    """Start the analyzer (prints its port, serves until the engine stops it)."""
    PolicyPack(name=NAME, enforcement_level=EnforcementLevel.MANDATORY, policies=policies(),
               initial_config=dict(initial_config) if initial_config else None)
