"""One resource name per discovered account, the same in the stack code and the import file."""

from __future__ import annotations

import re

from provisioner.discovery.inventory import Found
from provisioner.products import REGISTRY

TYPE_TOKENS = {name: product.type_token for name, product in REGISTRY.items()}
CLASSES = {name: product.resource_class_name for name, product in REGISTRY.items()}


def resource_name(found: Found) -> str:
    """<instance>-<account>[-<host>]: unique per cloud account, stable across runs."""
    host = found.live.host if found.live.host not in ("", "%") else ""   # Alibaba accounts have none
    name = f"{found.instance.id}-{found.live.name}" + (f"-{host}" if host else "")
    return re.sub(r"[^A-Za-z0-9_.-]", "-", name)
