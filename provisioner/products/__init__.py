"""The registry: the one place that lists the products. Everything else reads it.

Each product is a folder (rules.py, spec.py, provider.py, resource.py, adapter.py, codes.py,
descriptor.py); adding one is a folder, one line here, its local-cloud service and the two literal
lists type checkers need in provisioner/__init__.py (a test keeps those equal to this).
Standard library only: reading it loads no SDK.
"""

from __future__ import annotations

from provisioner.products.descriptor import Product
from provisioner.products.libradb.descriptor import PRODUCT as _LIBRADB
from provisioner.products.polardb.descriptor import PRODUCT as _POLARDB
from provisioner.products.rds.descriptor import PRODUCT as _RDS

REGISTRY: dict[str, Product] = {p.name: p for p in (_LIBRADB, _RDS, _POLARDB)}
NAMES: tuple[str, ...] = tuple(REGISTRY)


def product(name: str) -> Product:
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown product {name!r}; expected one of {', '.join(REGISTRY)}") from None


def by_type_token(token: str) -> Product | None:
    return next((p for p in REGISTRY.values() if p.type_token == token), None)
