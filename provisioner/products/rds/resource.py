"""RdsAccount: an account on an Alibaba Cloud ApsaraDB RDS instance."""

from __future__ import annotations

from typing import Any, Mapping, NotRequired, Optional, TypedDict, Unpack, overload

import pulumi
from pulumi import Input, Output
from pulumi.dynamic import Resource

from provisioner.core import precheck
from provisioner.core.args import prepare_program, resource_args_opts, secret_options, to_props
from provisioner.core.outputs import AccountOutputs
from provisioner.products.rds.provider import RdsAccountProvider
from provisioner.products.rds.spec import RdsAccountType, RdsEngine, RdsPrivilege


class RdsAccountArgs:
    """The arguments of an RdsAccount (each documented on ``__init__``)."""

    instance_id: Input[str]
    name: Input[str]
    password: Optional[Input[str]]
    password_version: Optional[Input[str]]
    account_type: RdsAccountType
    description: Optional[Input[str]]
    privileges: Optional[Input[Mapping[str, Input[RdsPrivilege]]]]
    region: Optional[Input[str]]
    engine: Optional[RdsEngine]
    engine_version: Optional[str]
    adopt: bool

    def __init__(self, *, instance_id: Input[str], name: Input[str], password: Optional[Input[str]] = None,
                 password_version: Optional[Input[str]] = None,
                 account_type: RdsAccountType = "Normal",
                 description: Optional[Input[str]] = None,
                 privileges: Optional[Input[Mapping[str, Input[RdsPrivilege]]]] = None,
                 region: Optional[Input[str]] = None, engine: Optional[RdsEngine] = None,
                 engine_version: Optional[str] = None, adopt: bool = False):
        """
        :param instance_id: The RDS instance, e.g. ``rm-uf6wjk5xxxxxxx``. Changing it replaces the account.
        :param name: Account name: lower-case letters, digits and ``_`` (upper case allowed on MySQL), starting
            with a letter, ending with a letter or digit; 2-32 characters on MySQL 5.7/8.0, 2-16 on MySQL 5.6 and
            MariaDB, 2-63 on PostgreSQL (2-16 with local disks), 2-64 on SQL Server; not a reserved keyword of
            the engine (provisioner/products/rds/reserved_names.py). Changing it replaces the account.
        :param password: 8-32 characters with at least three of upper, lower, digit and special characters from
            ``!@#$%^&*()_+-=``. Omit it to have one generated (exported as the secret output ``password``).
        :param password_version: Change this value (any string) to rotate a generated password.
        :param account_type: ``Normal`` (default), ``Super`` or ``Sysadmin`` (SQL Server only). Changing it
            replaces the account.
        :param description: 2-256 characters, starting with a letter or Chinese character, containing only
            letters, digits, Chinese characters, ``_`` and ``-``; not starting with http:// or https://.
            Omitted means not managed.
        :param privileges: ``{database: privilege}`` with ReadWrite, ReadOnly, DDLOnly, DMLOnly (MySQL,
            MariaDB) or DBOwner (PostgreSQL, SQL Server). Omitted means none. PostgreSQL cannot revoke (a
            database keeps its owner): removing an entry fails at preview.
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


class RdsAccountArgsDict(TypedDict):
    """RdsAccountArgs as a dict: the same keys, documented on ``RdsAccountArgs.__init__``."""

    instance_id: Input[str]
    name: Input[str]
    password: NotRequired[Optional[Input[str]]]
    password_version: NotRequired[Optional[Input[str]]]
    account_type: NotRequired[RdsAccountType]
    description: NotRequired[Optional[Input[str]]]
    privileges: NotRequired[Optional[Input[Mapping[str, Input[RdsPrivilege]]]]]
    region: NotRequired[Optional[Input[str]]]
    engine: NotRequired[Optional[RdsEngine]]
    engine_version: NotRequired[Optional[str]]
    adopt: NotRequired[bool]


class RdsAccount(AccountOutputs, Resource, module="provisioner", name="RdsAccount"):
    """An account on an ApsaraDB RDS instance, reconciled by `pulumi up`.

    Arguments: an RdsAccountArgs, a dict of the same keys (RdsAccountArgsDict), or keywords.
    """

    @overload
    def __init__(self, resource_name: str, args: RdsAccountArgs | RdsAccountArgsDict,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None: ...

    @overload
    def __init__(self, resource_name: str, opts: Optional[pulumi.ResourceOptions] = None,
                 **kwargs: Unpack[RdsAccountArgsDict]) -> None: ...

    def __init__(self, resource_name: str, *args: Any, **kwargs: Any) -> None:
        prepare_program()
        resource_args, opts = resource_args_opts(RdsAccountArgs, args, kwargs)
        props = precheck.check("RdsAccount", resource_name, RdsAccountProvider.spec_model,
                               to_props(resource_args), resource_args)
        super().__init__(RdsAccountProvider(), resource_name, props, secret_options(opts))

    @property
    def instance_id(self) -> Output[str]:
        """The RDS instance the account is on."""
        return pulumi.get(self, "instance_id")

    @property
    def account_type(self) -> Output[str]:
        """``Normal``, ``Super`` or ``Sysadmin``."""
        return pulumi.get(self, "account_type")

    @property
    def privileges(self) -> Output[dict[str, str]]:
        """``{database: privilege}`` as applied."""
        return pulumi.get(self, "privileges")

    @property
    def engine_version(self) -> Output[Optional[str]]:
        """The ``engine_version`` hint, when given."""
        return pulumi.get(self, "engine_version")
