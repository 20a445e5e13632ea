"""LibraDBAccount: an account on a Tencent Cloud LibraDB analysis cluster."""

from __future__ import annotations

from typing import Any, Mapping, Optional

import pulumi
from pulumi import Input, Output
from pulumi.dynamic import Resource

from provisioner.cloud.base import AccountAdapter, LiveAccount
from provisioner.diffing import FieldPolicy
from provisioner.resources import precheck
from provisioner.resources.args import secret_options, to_props
from provisioner.resources.base import AccountProvider
from provisioner.specs.libradb import LibraDBAccountSpec


class LibraDBAccountArgs:
    def __init__(self, *, cluster_id: Input[str], name: Input[str], host: Input[str] = "%",
                 password: Optional[Input[str]] = None, password_version: Optional[Input[str]] = None,
                 description: Optional[Input[str]] = None, max_user_connections: Optional[Input[int]] = None,
                 privileges: Optional[Input[Mapping[str, Any]]] = None, region: Optional[Input[str]] = None,
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
            adapter.set_host(spec.cluster_id, spec.name, old_host, spec.host)


class LibraDBAccount(Resource, module="provisioner", name="LibraDBAccount"):
    """An account on a LibraDB analysis cluster, reconciled by `pulumi up`."""

    cluster_id: Output[str]
    name: Output[str]
    host: Output[str]
    password: Output[str]
    """The account's password (secret), given or generated."""
    password_managed: Output[bool]
    """False while the password is not managed (imported or adopted without one); ``password`` is then unset."""
    description: Output[Optional[str]]
    max_user_connections: Output[Optional[int]]
    privileges: Output[dict]
    engine: Output[str]
    endpoint: Output[str]
    """host:port of the cluster for applications."""

    def __init__(self, resource_name: str, args: LibraDBAccountArgs,
                 opts: Optional[pulumi.ResourceOptions] = None):
        props = precheck.check("LibraDBAccount", resource_name, LibraDBAccountProvider.spec_model, to_props(args), args)
        super().__init__(LibraDBAccountProvider(), resource_name, props, secret_options(opts))
