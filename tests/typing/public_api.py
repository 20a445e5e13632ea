"""Checked by pyright (`make typecheck`), not run: the calls a user's type checker must accept,
and the ones it must refuse (each with a `pyright: ignore` that must be needed)."""

from typing import Mapping

import pulumi

from provisioner import (
                         LibraDBAccount,
                         LibraDBAccountArgs,
                         LibraDBAccountArgsDict,
                         LibraDBPrivilegesDict,
                         PolarDBAccount,
                         PolarDBAccountArgs,
                         PolarDBPrivilege,
                         RdsAccount,
                         RdsAccountArgs,
                         RdsAccountArgsDict,
                         RdsPrivilege,
)

opts = pulumi.ResourceOptions(protect=True)

# The three forms of arguments.
typed = RdsAccount("typed", RdsAccountArgs(instance_id="rm-1", name="app", privileges={"orders": "ReadWrite"}), opts)
as_dict: RdsAccountArgsDict = {"instance_id": "rm-1", "name": "app", "account_type": "Super"}
from_dict = RdsAccount("dict", as_dict, opts=opts)
keywords = RdsAccount("kw", instance_id="rm-1", name="app", description="app", opts=opts)
libra = LibraDBAccount("libra", cluster_id="libradb-1", name="analyst", max_user_connections=10,
                       privileges={"global": ["SELECT"], "databases": {"analytics": ["SELECT"]}})
privileges: LibraDBPrivilegesDict = {"tables": {"events.clicks": ["SELECT"]}}
libra_args: LibraDBAccountArgsDict = {"cluster_id": "libradb-1", "name": "etl", "privileges": privileges}
LibraDBAccount("libra-dict", libra_args)
LibraDBAccount("libra-typed", LibraDBAccountArgs(cluster_id="libradb-1", name="etl", host="10.0.0.1"))
PolarDBAccount("polar", PolarDBAccountArgs(cluster_id="pc-1", name="app", privileges={"inventory": "DMLOnly"}))
PolarDBAccount("polar-kw", cluster_id=pulumi.Output.from_input("pc-1"), name="app")

# Outputs are typed.
endpoint: pulumi.Output[str] = typed.endpoint
password: pulumi.Output[str] = from_dict.password
connections: pulumi.Output[int | None] = libra.max_user_connections
generated: pulumi.Output[bool] = keywords.password_generated

# Refused.
RdsAccount("missing-name", instance_id="rm-1")  # pyright: ignore[reportCallIssue]
RdsAccount("bad-type", instance_id="rm-1", name="app", account_type="Owner")  # pyright: ignore[reportArgumentType]
RdsAccount("bad-privilege", RdsAccountArgs(instance_id="rm-1", name="app",
                                           privileges={"orders": "Everything"}))  # pyright: ignore[reportArgumentType]
PolarDBAccount("unknown-key", cluster_id="pc-1", name="app", host="%")  # pyright: ignore[reportCallIssue]
LibraDBAccount("bad-limit", cluster_id="libradb-1", name="a", max_user_connections="ten")  # pyright: ignore[reportArgumentType]
bad_output: pulumi.Output[int] = typed.endpoint  # pyright: ignore[reportAssignmentType]

# A privileges variable annotated with the exported value types.
read_only: Mapping[str, RdsPrivilege] = {"reporting": "ReadOnly"}
RdsAccount("annotated", instance_id="rm-1", name="reporting", privileges=read_only)
polar_privileges: dict[str, PolarDBPrivilege] = {"inventory": "ReadIndex"}
PolarDBAccount("annotated-polar", cluster_id="pc-1", name="indexer", privileges=polar_privileges)
