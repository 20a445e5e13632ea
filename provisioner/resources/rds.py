"""RdsAccount: an account on an Alibaba Cloud ApsaraDB RDS instance."""

from __future__ import annotations

from typing import Literal, Mapping, Optional

import pulumi
from pulumi import Input, Output
from pulumi.dynamic import Resource

from provisioner import rules
from provisioner.cloud.base import InstanceInfo, LiveAccount
from provisioner.diffing import FieldPolicy
from provisioner.resources import precheck
from provisioner.resources.args import secret_options, to_props
from provisioner.resources.base import AccountProvider
from provisioner.specs.common import SpecError
from provisioner.specs.rds import RdsAccountSpec, engine_rule_failures


class RdsAccountArgs:
    def __init__(self, *, instance_id: Input[str], name: Input[str], password: Optional[Input[str]] = None,
                 password_version: Optional[Input[str]] = None,
                 account_type: Literal["Normal", "Super", "Sysadmin"] = "Normal",
                 description: Optional[Input[str]] = None,
                 privileges: Optional[Input[Mapping[str, str]]] = None, region: Optional[Input[str]] = None,
                 engine: Optional[str] = None, engine_version: Optional[str] = None, adopt: bool = False):
        """
        :param instance_id: The RDS instance, e.g. ``rm-uf6wjk5xxxxxxx``. Changing it replaces the account.
        :param name: Account name: lower-case letters, digits and ``_`` (upper case allowed on MySQL), starting
            with a letter, ending with a letter or digit; 2-32 characters on MySQL 5.7/8.0, 2-16 on MySQL 5.6 and
            MariaDB, 2-63 on PostgreSQL, 2-64 on SQL Server; not a reserved keyword. Changing it replaces the account.
        :param password: 8-32 characters with at least three of upper, lower, digit and special characters from
            ``!@#$%^&*()_+-=``. Omit it to have one generated (exported as the secret output ``password``).
        :param password_version: Change this value (any string) to rotate a generated password.
        :param account_type: ``Normal`` (default), ``Super`` or ``Sysadmin`` (SQL Server only). Changing it
            replaces the account.
        :param description: 2-256 characters, starting with a letter or Chinese character, containing only
            letters, digits, Chinese characters, ``_`` and ``-``; not starting with http:// or https://.
            Omitted means not managed.
        :param privileges: ``{database: privilege}`` with ReadWrite, ReadOnly, DDLOnly, DMLOnly (MySQL,
            MariaDB) or DBOwner (PostgreSQL, SQL Server). Omitted means none.
        :param region: The Alibaba Cloud region, e.g. ``cn-hangzhou``; default from config or ALIBABA_CLOUD_REGION_ID.
        :param engine: Optional hint (MySQL, MariaDB, PostgreSQL, SQLServer) so the engine's own name and
            privilege rules are checked at preview; they are always checked against the live instance.
        :param engine_version: Optional hint with ``engine``, e.g. ``8.0`` or ``5.6``.
        :param adopt: Take over an existing account with this identity (description and privileges set;
            the password is kept unless ``password`` or ``password_version`` is given). Without it an
            existing account is an error.
        """
        self.instance_id, self.name, self.password = instance_id, name, password
        self.password_version, self.account_type = password_version, account_type
        self.description, self.privileges, self.region = description, privileges, region
        self.engine, self.engine_version, self.adopt = engine, engine_version, adopt


class RdsAccountProvider(AccountProvider):
    product = "rds"
    spec_model = RdsAccountSpec
    instance_field = "instance_id"
    policy = FieldPolicy(
        replace=frozenset({"instance_id", "name", "account_type", "region"}),
        in_place=frozenset({"description", "privileges"}),
        identity=frozenset({"instance_id", "name"}),
        optional=frozenset({"description"}),
    )

    def check_live(self, spec: RdsAccountSpec, instance: InstanceInfo) -> None:
        failures = engine_rule_failures(spec, instance.engine, instance.version)
        if failures:
            raise SpecError(failures)

    def live_rule_failures(self, spec: RdsAccountSpec, instance: InstanceInfo,
                           accounts: dict[tuple[str, str], LiveAccount], *,
                           own: LiveAccount | None) -> list[tuple[str, str]]:
        if spec.account_type == "Normal" or instance.engine not in rules.RDS_ONE_PRIVILEGED_ENGINES:
            return []
        failures = []
        if spec.privileges:
            failures.append(("privileges", f"a {spec.account_type} account on {instance.engine} already holds every "
                             f"database privilege and takes no per-database grants (the API refuses them with "
                             f"IncorrectAccountType): remove privileges, or keep account_type=\"Normal\""))
        other = sorted(a.name for a in accounts.values()
                       if a.account_type == spec.account_type and a.name != spec.name)
        if other:
            failures.append(("account_type", f"{instance.engine} instance {spec.instance_id} already has its one "
                             f"{spec.account_type} account, '{other[0]}'; an instance has at most one"))
        return failures


class RdsAccount(Resource, module="provisioner", name="RdsAccount"):
    """An account on an ApsaraDB RDS instance, reconciled by `pulumi up`."""

    instance_id: Output[str]
    name: Output[str]
    password: Output[str]
    """The account's password (secret), given or generated."""
    password_managed: Output[bool]
    """False while the password is not managed (imported or adopted without one); ``password`` is then unset."""
    account_type: Output[str]
    description: Output[Optional[str]]
    privileges: Output[dict]
    engine: Output[str]
    endpoint: Output[str]
    """host:port of the instance for applications."""

    def __init__(self, resource_name: str, args: RdsAccountArgs, opts: Optional[pulumi.ResourceOptions] = None):
        props = precheck.check("RdsAccount", resource_name, RdsAccountProvider.spec_model, to_props(args), args)
        super().__init__(RdsAccountProvider(), resource_name, props, secret_options(opts))
