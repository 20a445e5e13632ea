"""Declarative provisioner for cloud database accounts on Pulumi.

    from provisioner import LibraDBAccount, RdsAccount, PolarDBAccount

Each resource takes a typed `*Args`, a dict (typed `*ArgsDict`) or keyword arguments. The
resource classes import Pulumi lazily, so the local cloud and the CLI start fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from provisioner.products import REGISTRY  # standard library only: importing provisioner stays light

if TYPE_CHECKING:   # what type checkers and IDEs see; at run time __getattr__ below imports on use
    from provisioner.products.libradb.resource import (
        LibraDBAccount,
        LibraDBAccountArgs,
        LibraDBAccountArgsDict,
        LibraDBPrivilegesDict,
    )
    from provisioner.products.polardb.resource import (
        PolarDBAccount,
        PolarDBAccountArgs,
        PolarDBAccountArgsDict,
        PolarDBPrivilege,
    )
    from provisioner.products.rds.resource import RdsAccount, RdsAccountArgs, RdsAccountArgsDict, RdsPrivilege
    from provisioner.rotation import AlternatingAccounts

# name -> module, from the registry (provisioner/products), plus what is not a product's.
_EXPORTS = {name: product.resource.partition(":")[0] for product in REGISTRY.values() for name in product.exports}
_EXPORTS["AlternatingAccounts"] = "provisioner.rotation"

__all__ = [  # a literal list, as type checkers read it; equal to _EXPORTS (tests/unit/test_public_api.py)
    "LibraDBAccount", "LibraDBAccountArgs", "LibraDBAccountArgsDict", "LibraDBPrivilegesDict",
    "PolarDBAccount", "PolarDBAccountArgs", "PolarDBAccountArgsDict", "PolarDBPrivilege",
    "RdsAccount", "RdsAccountArgs", "RdsAccountArgsDict", "RdsPrivilege",
    "AlternatingAccounts",
]


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'provisioner' has no attribute {name!r}")
