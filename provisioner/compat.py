"""What the stacks of every user refer to: a compatibility surface, changed only with a migration.

Each resource's state holds `__provider`, the provider object pickled by dill
(`pulumi.dynamic.serialize_provider`). A pickle names its class by module path and class name,
so `refresh`, `destroy` and every `preview`/`up` of an existing stack import exactly these
paths; nothing else is in the pickle (the providers hold no state). The type tokens are part of
every resource's URN. Moving a provider class is fine only if the old path stays importable:
leave `from provisioner.<new place> import XAccountProvider` at the old module path, keep the
class name, and keep tests/unit/test_compat.py passing (it unpickles the providers of every
committed state fixture). docs/compatibility.md lists the whole promise.

Standard library only: `provisioner recover` reads it before any SDK is loaded.
"""

from __future__ import annotations

from provisioner.products import REGISTRY  # standard library only, like this module

# Resource type token -> (module, class) of the provider pickled into that resource's state: the
# products' descriptors (provisioner/products/<product>/descriptor.py) are where they are written.
ACCOUNT_TYPES: dict[str, tuple[str, str]] = {p.type_token: p.provider_path for p in REGISTRY.values()}

# Where 0.1.0 kept the provider classes (before the product folders): stacks it wrote
# pickle these paths, kept importable as one-line aliases (provisioner/resources/*.py).
BEFORE_0_2: dict[str, tuple[str, str]] = {
    "pulumi-python:dynamic/provisioner:LibraDBAccount": ("provisioner.resources.libradb", "LibraDBAccountProvider"),
    "pulumi-python:dynamic/provisioner:RdsAccount": ("provisioner.resources.rds", "RdsAccountProvider"),
    "pulumi-python:dynamic/provisioner:PolarDBAccount": ("provisioner.resources.polardb", "PolarDBAccountProvider"),
}

# Dynamic resources that are not accounts (AlternatingAccounts' rotation schedule), pickled the same way.
OTHER_TYPES: dict[str, tuple[str, str]] = {
    "pulumi-python:dynamic/provisioner:RotationState": ("provisioner.rotation_state", "RotationStateProvider"),
}

# Every "module.Class" a serialized provider may refer to.
SERIALIZED_REFERENCES: frozenset[str] = frozenset(
    f"{module}.{cls}" for table in (ACCOUNT_TYPES, BEFORE_0_2, OTHER_TYPES) for module, cls in table.values())
