"""The benchmark's program: declares every account listed in accounts.json (beside it), the way
a real stack declares its accounts. Only a count is exported: per-account stack outputs would
add to the state size being measured."""

import json
import pathlib

import pulumi

from provisioner import (
    LibraDBAccount,
    LibraDBAccountArgs,
    PolarDBAccount,
    PolarDBAccountArgs,
    RdsAccount,
    RdsAccountArgs,
)

KINDS = {
    "libradb": (LibraDBAccount, LibraDBAccountArgs),
    "rds": (RdsAccount, RdsAccountArgs),
    "polardb": (PolarDBAccount, PolarDBAccountArgs),
}

declared = json.loads((pathlib.Path(__file__).parent / "accounts.json").read_text())
for resource_name, spec in declared.items():
    resource_class, args_class = KINDS[spec.pop("kind")]
    resource_class(resource_name, args_class(**spec))
pulumi.export("account_count", len(declared))
