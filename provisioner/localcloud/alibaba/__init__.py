"""Alibaba Cloud side of the local cloud: RPC signatures and the RDS / PolarDB account APIs.

`SERVICES` maps the API version (x-acs-version / Version) to (product, ACTIONS)."""

from . import polardb, rds
from .signature import verify_acs3, verify_request, verify_rpc_v1

SERVICES = {
    "2014-08-15": (rds.PRODUCT, rds.ACTIONS),
    "2017-08-01": (polardb.PRODUCT, polardb.ACTIONS),
}

__all__ = ["SERVICES", "polardb", "rds", "verify_acs3", "verify_request", "verify_rpc_v1"]
