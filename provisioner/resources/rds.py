"""Kept for stacks written before 0.3.0: their state pickles this path (provisioner/compat.py)."""

from provisioner.products.rds.provider import RdsAccountProvider  # noqa: F401
