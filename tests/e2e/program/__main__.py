"""A test program: declares whatever accounts.json (beside it) lists, so tests can change the
declared state between `pulumi up` runs without editing Python."""

import json
import pathlib

import pulumi

from provisioner import (LibraDBAccount, LibraDBAccountArgs, PolarDBAccount, PolarDBAccountArgs, RdsAccount,
                         RdsAccountArgs)

KINDS = {
    "libradb": (LibraDBAccount, LibraDBAccountArgs),
    "rds": (RdsAccount, RdsAccountArgs),
    "polardb": (PolarDBAccount, PolarDBAccountArgs),
}

declared = json.loads((pathlib.Path(__file__).parent / "accounts.json").read_text())
for resource_name, spec in declared.items():
    resource_class, args_class = KINDS[spec.pop("kind")]
    # "aliases": earlier names of this resource (a rename that keeps the account).
    opts = pulumi.ResourceOptions(aliases=[pulumi.Alias(name=n) for n in spec.pop("aliases", [])])
    account = resource_class(resource_name, args_class(**spec), opts)
    pulumi.export(resource_name, {"name": account.name, "endpoint": account.endpoint,
                                  "password": account.password})
