"""PolarDBAccount: an account on an Alibaba Cloud PolarDB cluster."""

from __future__ import annotations

from typing import Any, Mapping, NotRequired, Optional, TypedDict, Unpack, overload

import pulumi
from pulumi import Input, Output
from pulumi.dynamic import Resource

from provisioner.core import precheck
from provisioner.core.args import prepare_program, resource_args_opts, secret_options, to_props
from provisioner.core.outputs import AccountOutputs
from provisioner.products.polardb.provider import PolarDBAccountProvider
from provisioner.products.polardb.spec import PolarDBAccountType, PolarDBPrivilege


class PolarDBAccountArgs:
    """The arguments of a PolarDBAccount (each documented on ``__init__``)."""

    cluster_id: Input[str]
    name: Input[str]
    password: Optional[Input[str]]
    password_version: Optional[Input[str]]
    account_type: PolarDBAccountType
    description: Optional[Input[str]]
    privileges: Optional[Input[Mapping[str, Input[PolarDBPrivilege]]]]
    region: Optional[Input[str]]
    adopt: bool

    def __init__(self, *, cluster_id: Input[str], name: Input[str], password: Optional[Input[str]] = None,
                 password_version: Optional[Input[str]] = None, account_type: PolarDBAccountType = "Normal",
                 description: Optional[Input[str]] = None,
                 privileges: Optional[Input[Mapping[str, Input[PolarDBPrivilege]]]] = None, region: Optional[Input[str]] = None, adopt: bool = False):
        """
        :param cluster_id: The PolarDB cluster, e.g. ``pc-bp1xxxxxxxx``. Changing it replaces the account.
        :param name: 2-16 characters: lower-case letters, digits and ``_``, starting with a lower-case letter and
            ending with a letter or digit; not root, admin or another reserved name. Changing it replaces the account.
        :param password: 8-32 characters with at least three of upper, lower, digit and special characters from
            ``!@#$%^&*()_+-=``. Omit it to have one generated (exported as the secret output ``password``).
        :param password_version: Change this value (any string) to rotate a generated password.
        :param account_type: ``Normal`` (default) or ``Super``. Always sent: the API itself would silently create
            a Super account when it is omitted. A PolarDB for MySQL cluster has at most one Super account.
            Changing it replaces the account.
        :param description: 2-256 characters, not starting with http:// or https://. Omitted means not managed.
        :param privileges: ``{database: privilege}`` with ReadWrite, ReadOnly, DMLOnly, DDLOnly or ReadIndex;
            Normal accounts only. Omitted means none.
        :param region: The Alibaba Cloud region, e.g. ``cn-hangzhou``; default from config or ALIBABA_CLOUD_REGION_ID.
        :param adopt: Take over an existing account with this identity (description and privileges set;
            the password is kept unless ``password`` or ``password_version`` is given). Without it an
            existing account is an error.
        """
        self.cluster_id, self.name, self.password = cluster_id, name, password
        self.password_version, self.account_type = password_version, account_type
        self.description, self.privileges, self.region, self.adopt = description, privileges, region, adopt


class PolarDBAccountArgsDict(TypedDict):
    """PolarDBAccountArgs as a dict: the same keys, documented on ``PolarDBAccountArgs.__init__``."""

    cluster_id: Input[str]
    name: Input[str]
    password: NotRequired[Optional[Input[str]]]
    password_version: NotRequired[Optional[Input[str]]]
    account_type: NotRequired[PolarDBAccountType]
    description: NotRequired[Optional[Input[str]]]
    privileges: NotRequired[Optional[Input[Mapping[str, Input[PolarDBPrivilege]]]]]
    region: NotRequired[Optional[Input[str]]]
    adopt: NotRequired[bool]


class PolarDBAccount(AccountOutputs, Resource, module="provisioner", name="PolarDBAccount"):
    """An account on a PolarDB cluster, reconciled by `pulumi up`.

    Arguments: a PolarDBAccountArgs, a dict of the same keys (PolarDBAccountArgsDict), or keywords.
    """

    @overload
    def __init__(self, resource_name: str, args: PolarDBAccountArgs | PolarDBAccountArgsDict,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None: ...

    @overload
    def __init__(self, resource_name: str, opts: Optional[pulumi.ResourceOptions] = None,
                 **kwargs: Unpack[PolarDBAccountArgsDict]) -> None: ...

    def __init__(self, resource_name: str, *args: Any, **kwargs: Any) -> None:
        prepare_program()
        resource_args, opts = resource_args_opts(PolarDBAccountArgs, args, kwargs)
        props = precheck.check("PolarDBAccount", resource_name, PolarDBAccountProvider.spec_model,
                               to_props(resource_args), resource_args)
        super().__init__(PolarDBAccountProvider(), resource_name, props, secret_options(opts))

    @property
    def cluster_id(self) -> Output[str]:
        """The PolarDB cluster the account is on."""
        return pulumi.get(self, "cluster_id")

    @property
    def account_type(self) -> Output[str]:
        """``Normal`` or ``Super``."""
        return pulumi.get(self, "account_type")

    @property
    def privileges(self) -> Output[dict[str, str]]:
        """``{database: privilege}`` as applied."""
        return pulumi.get(self, "privileges")
