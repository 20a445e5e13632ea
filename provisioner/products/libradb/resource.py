"""LibraDBAccount: an account on a Tencent Cloud LibraDB analysis cluster."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, NotRequired, Optional, Sequence, TypedDict, Unpack, cast, overload

import pulumi
from pulumi import Input, Output
from pulumi.dynamic import Resource

from provisioner.core.adapter import AccountAdapter, LiveAccount
from provisioner.core.diffing import FieldPolicy
from provisioner.core import precheck
from provisioner.core.args import resource_args_opts, secret_options, to_props
from provisioner.core.provider import AccountProvider
from provisioner.core.outputs import AccountOutputs
from provisioner.products.libradb.spec import LibraDBAccountSpec

if TYPE_CHECKING:   # the SDK-backed adapter loads on the first cloud call, never at import
    from provisioner.products.libradb.adapter import LibraDBAdapter


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


class LibraDBAccountProvider(AccountProvider):
    product = "libradb"
    spec_model = LibraDBAccountSpec
    instance_field = "cluster_id"
    policy = FieldPolicy(
        replace=frozenset({"cluster_id", "name", "region", "max_user_connections"}),
        in_place=frozenset({"host", "description", "privileges"}),
        identity=frozenset({"cluster_id", "name", "host"}),
        optional=frozenset({"description", "max_user_connections"}),
    )

    def host(self, spec: LibraDBAccountSpec) -> str:
        return spec.host

    def resource_id(self, spec: LibraDBAccountSpec) -> str:
        return f"{spec.cluster_id}:{spec.name}@{spec.host}"

    def parse_id(self, id_: str) -> dict[str, Any]:
        cluster_id, _, rest = id_.partition(":")
        name, _, host = rest.rpartition("@") if "@" in rest else (rest, "", "%")
        return {"cluster_id": cluster_id, "name": name, "host": host or "%"}

    def to_inputs(self, spec: LibraDBAccountSpec) -> dict[str, Any]:
        inputs = spec.model_dump(mode="json")
        inputs["privileges"] = spec.privileges.normalised()
        return inputs

    def from_live(self, live: LiveAccount) -> dict[str, Any]:
        return {"host": live.host, "description": live.description, "privileges": live.privileges,
                "max_user_connections": live.max_user_connections}

    def adopt_problem(self, spec: LibraDBAccountSpec, live: LiveAccount) -> tuple[str, str] | None:
        # max_user_connections has no modify API: adopted with another value, the first refresh
        # would see the live one and replace (delete and re-create) the adopted account.
        declared = spec.max_user_connections
        if declared is None or live.max_user_connections in (None, declared):
            return None
        return ("max_user_connections", f"{self._where(spec)} exists with max_user_connections="
                f"{live.max_user_connections}, declared {declared}; the API cannot change it, so adopting "
                f"would replace the account later. Declare {live.max_user_connections} (or omit it) to adopt it.")

    def before_update(self, adapter: AccountAdapter, spec: LibraDBAccountSpec, olds: dict[str, Any]) -> None:
        old_host = olds.get("host") or "%"
        if old_host != spec.host:
            cast("LibraDBAdapter", adapter).set_host(spec.cluster_id, spec.name, old_host, spec.host)


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
