"""Declarative provisioner for cloud database accounts on Pulumi.

    from provisioner import LibraDBAccount, RdsAccount, PolarDBAccount

The resource classes import Pulumi lazily, so the local cloud and the CLI start fast.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "LibraDBAccount": "provisioner.resources.libradb",
    "LibraDBAccountArgs": "provisioner.resources.libradb",
    "RdsAccount": "provisioner.resources.rds",
    "RdsAccountArgs": "provisioner.resources.rds",
    "PolarDBAccount": "provisioner.resources.polardb",
    "PolarDBAccountArgs": "provisioner.resources.polardb",
    "AlternatingAccounts": "provisioner.rotation",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'provisioner' has no attribute {name!r}")
