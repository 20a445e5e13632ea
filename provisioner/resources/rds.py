"""Kept for stacks written by 0.1.0: their state pickles this path (provisioner/compat.py)."""

from provisioner.products.rds.provider import RdsAccountProvider  # noqa: F401
