"""One resource name per discovered account, the same in the stack code and the import file."""

from __future__ import annotations

import re

from provisioner.discovery.inventory import Found

TYPE_TOKENS = {
    "libradb": "pulumi-python:dynamic/provisioner:LibraDBAccount",
    "rds": "pulumi-python:dynamic/provisioner:RdsAccount",
    "polardb": "pulumi-python:dynamic/provisioner:PolarDBAccount",
}
CLASSES = {"libradb": "LibraDBAccount", "rds": "RdsAccount", "polardb": "PolarDBAccount"}


def resource_name(found: Found) -> str:
    """<instance>-<account>[-<host>]: unique per cloud account, stable across runs."""
    host = found.live.host if found.product == "libradb" and found.live.host not in ("", "%") else ""
    name = f"{found.instance.id}-{found.live.name}" + (f"-{host}" if host else "")
    return re.sub(r"[^A-Za-z0-9_.-]", "-", name)
