"""LibraDBAccount: an account on a Tencent Cloud LibraDB analysis cluster."""

from __future__ import annotations

from typing import Any, Mapping, NotRequired, Optional, Sequence, TypedDict, Unpack, overload

import pulumi
from pulumi import Input, Output
from pulumi.dynamic import Resource

from provisioner.core import precheck
from provisioner.core.args import prepare_program, resource_args_opts, secret_options, to_props
from provisioner.core.outputs import AccountOutputs
from provisioner.products.libradb.provider import LibraDBAccountProvider

# {"global": [...], "databases": {db: [...]}, "tables": {"db.table": [...]}} ("global" is a keyword).
LibraDBPrivilegesDict = TypedDict("LibraDBPrivilegesDict", {
    "global": Input[Sequence[Input[str]]],
    "databases": Input[Mapping[str, Input[Sequence[Input[str]]]]],
    "tables": Input[Mapping[str, Input[Sequence[Input[str]]]]],
}, total=False)


class LibraDBAccountArgs:
    """The arguments of a LibraDBAccount (each documented on ``__init__``)."""

    cluster_id: Input[str]
    name: Input[str]
    host: Input[str]
    password: Optional[Input[str]]
    password_version: Optional[Input[str]]
    description: Optional[Input[str]]
    max_user_connections: Optional[Input[int]]
    privileges: Optional[Input[LibraDBPrivilegesDict]]
    region: Optional[Input[str]]
    adopt: bool

    def __init__(self, *, cluster_id: Input[str], name: Input[str], host: Input[str] = "%",
                 password: Optional[Input[str]] = None, password_version: Optional[Input[str]] = None,
                 description: Optional[Input[str]] = None, max_user_connections: Optional[Input[int]] = None,
                 privileges: Optional[Input[LibraDBPrivilegesDict]] = None, region: Optional[Input[str]] = None,
                 adopt: bool = False):
        """
        :param cluster_id: The LibraDB analysis cluster, e.g. ``libradb-i794jfvg``. Changing it replaces the account.
        :param name: Account name: letters, digits and ``_``, starting with a letter and ending with a letter or
            digit, at most 30 characters, not a system account (root, mysql.sys, ...). Changing it replaces the account.
        :param host: The host the account may connect from: ``%`` (any, the default) or an IPv4 address.
            Changed in place (ModifyLibraDBClusterAccountHost).
        :param password: 8-64 characters with at least three of upper, lower, digit and special characters.
            Omit it to have a strong one generated; it is exported as the secret output ``password``.
        :param password_version: Change this value (any string) to rotate a generated password.
        :param description: Free text, at most 255 characters. Omitted means not managed.
        :param max_user_connections: 1-10240. The API cannot change it in place, so a change replaces the
            account. Omitted means the cluster's default, not managed.
        :param privileges: ``{"global": [...], "databases": {db: [...]}, "tables": {"db.table": [...]}}`` with
            MySQL privilege names (SELECT, INSERT, ...). Order and case do not matter. Omitted means none.
        :param region: The Tencent Cloud region, e.g. ``ap-guangzhou``; default from config or TENCENTCLOUD_REGION.
        :param adopt: Take over an existing account with this identity (description and privileges set;
            the password is kept unless ``password`` or ``password_version`` is given). Without it an
            existing account is an error.
        """
        self.cluster_id, self.name, self.host = cluster_id, name, host
        self.password, self.password_version = password, password_version
        self.description, self.max_user_connections = description, max_user_connections
        self.privileges, self.region, self.adopt = privileges, region, adopt


class LibraDBAccountArgsDict(TypedDict):
    """LibraDBAccountArgs as a dict: the same keys, documented on ``LibraDBAccountArgs.__init__``."""

    cluster_id: Input[str]
    name: Input[str]
    host: NotRequired[Input[str]]
    password: NotRequired[Optional[Input[str]]]
    password_version: NotRequired[Optional[Input[str]]]
    description: NotRequired[Optional[Input[str]]]
    max_user_connections: NotRequired[Optional[Input[int]]]
    privileges: NotRequired[Optional[Input[LibraDBPrivilegesDict]]]
    region: NotRequired[Optional[Input[str]]]
    adopt: NotRequired[bool]


class LibraDBAccount(AccountOutputs, Resource, module="provisioner", name="LibraDBAccount"):
    """An account on a LibraDB analysis cluster, reconciled by `pulumi up`.

    Arguments: a LibraDBAccountArgs, a dict of the same keys (LibraDBAccountArgsDict), or keywords.
    """

    @overload
    def __init__(self, resource_name: str, args: LibraDBAccountArgs | LibraDBAccountArgsDict,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None: ...

    @overload
    def __init__(self, resource_name: str, opts: Optional[pulumi.ResourceOptions] = None,
                 **kwargs: Unpack[LibraDBAccountArgsDict]) -> None: ...

    def __init__(self, resource_name: str, *args: Any, **kwargs: Any) -> None:
        prepare_program()
        resource_args, opts = resource_args_opts(LibraDBAccountArgs, args, kwargs)
        props = precheck.check("LibraDBAccount", resource_name, LibraDBAccountProvider.spec_model,
                               to_props(resource_args), resource_args)
        super().__init__(LibraDBAccountProvider(), resource_name, props, secret_options(opts))

    @property
    def cluster_id(self) -> Output[str]:
        """The LibraDB cluster the account is on."""
        return pulumi.get(self, "cluster_id")

    @property
    def host(self) -> Output[str]:
        """The host the account may connect from (``%`` = any)."""
        return pulumi.get(self, "host")

    @property
    def max_user_connections(self) -> Output[Optional[int]]:
        """The connection limit; None when it is not managed."""
        return pulumi.get(self, "max_user_connections")

    @property
    def privileges(self) -> Output[dict[str, Any]]:
        """``{"global": [...], "databases": {db: [...]}, "tables": {"db.table": [...]}}``, normalised
        (upper case, sorted)."""
        return pulumi.get(self, "privileges")
