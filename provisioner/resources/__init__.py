"""Pulumi dynamic resources, one module per account type, over one shared provider (base.py)."""
