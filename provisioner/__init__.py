"""Declarative provisioner for cloud database accounts on Pulumi.

    from provisioner import LibraDBAccount, RdsAccount, PolarDBAccount

Each resource takes a typed `*Args`, a dict (typed `*ArgsDict`) or keyword arguments. The
resource classes import Pulumi lazily, so the local cloud and the CLI start fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:   # what type checkers and IDEs see; at run time __getattr__ below imports on use
    from provisioner.products.libradb.resource import LibraDBAccount, LibraDBAccountArgs, LibraDBAccountArgsDict, LibraDBPrivilegesDict
    from provisioner.products.polardb.resource import PolarDBAccount, PolarDBAccountArgs, PolarDBAccountArgsDict, PolarDBPrivilege
    from provisioner.products.rds.resource import RdsAccount, RdsAccountArgs, RdsAccountArgsDict, RdsPrivilege
    from provisioner.rotation import AlternatingAccounts

_EXPORTS = {
    "LibraDBAccount": "provisioner.products.libradb.resource",
    "LibraDBAccountArgs": "provisioner.products.libradb.resource",
    "LibraDBAccountArgsDict": "provisioner.products.libradb.resource",
    "LibraDBPrivilegesDict": "provisioner.products.libradb.resource",
    "RdsAccount": "provisioner.products.rds.resource",
    "RdsAccountArgs": "provisioner.products.rds.resource",
    "RdsAccountArgsDict": "provisioner.products.rds.resource",
    "RdsPrivilege": "provisioner.products.rds.resource",
    "PolarDBAccount": "provisioner.products.polardb.resource",
    "PolarDBAccountArgs": "provisioner.products.polardb.resource",
    "PolarDBAccountArgsDict": "provisioner.products.polardb.resource",
    "PolarDBPrivilege": "provisioner.products.polardb.resource",
    "AlternatingAccounts": "provisioner.rotation",
}

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
