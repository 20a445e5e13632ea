"""Declarative provisioner for cloud database accounts on Pulumi.

    from provisioner import LibraDBAccount, RdsAccount, PolarDBAccount

Each resource takes a typed `*Args`, a dict (typed `*ArgsDict`) or keyword arguments. The
resource classes import Pulumi lazily, so the local cloud and the CLI start fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:   # what type checkers and IDEs see; at run time __getattr__ below imports on use
    from provisioner.resources.libradb import (LibraDBAccount, LibraDBAccountArgs, LibraDBAccountArgsDict,
                                               LibraDBPrivilegesDict)
    from provisioner.resources.polardb import (PolarDBAccount, PolarDBAccountArgs, PolarDBAccountArgsDict,
                                               PolarDBPrivilege)
    from provisioner.resources.rds import RdsAccount, RdsAccountArgs, RdsAccountArgsDict, RdsPrivilege
    from provisioner.rotation import AlternatingAccounts

_EXPORTS = {
    "LibraDBAccount": "provisioner.resources.libradb",
    "LibraDBAccountArgs": "provisioner.resources.libradb",
    "LibraDBAccountArgsDict": "provisioner.resources.libradb",
    "LibraDBPrivilegesDict": "provisioner.resources.libradb",
    "RdsAccount": "provisioner.resources.rds",
    "RdsAccountArgs": "provisioner.resources.rds",
    "RdsAccountArgsDict": "provisioner.resources.rds",
    "RdsPrivilege": "provisioner.resources.rds",
    "PolarDBAccount": "provisioner.resources.polardb",
    "PolarDBAccountArgs": "provisioner.resources.polardb",
    "PolarDBAccountArgsDict": "provisioner.resources.polardb",
    "PolarDBPrivilege": "provisioner.resources.polardb",
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
