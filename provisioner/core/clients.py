"""adapter_for(product, settings): the one way to get an adapter.

Call it at call time (inside the provider's create/read/...), never store the result on a
provider object: Pulumi pickles provider objects into state. SDK clients are cached here, in this
process's memory only, per (product, settings, timeouts), so their connection pools are reused.
The SDKs' own retryers are left off: the provisioner's retry.py is the one policy.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
from typing import Any

from provisioner.core.adapter import AccountAdapter, Settings
from provisioner.core.cache import CACHE
from provisioner.products.libradb.adapter import LibraDBAdapter
from provisioner.products.polardb.adapter import PolarDBAdapter
from provisioner.products.rds.adapter import RdsAdapter
from provisioner.core.retry import COUNTERS, RetryPolicy

ADAPTERS = {"libradb": LibraDBAdapter, "rds": RdsAdapter, "polardb": PolarDBAdapter}
# These log request bodies / URLs at DEBUG, and both carry passwords (Alibaba: in the query
# string). Keep them quiet even when the provider process runs with DEBUG logging.
for _name in ("tencentcloud_sdk_common", "darabonba-core", "urllib3.connectionpool"):
    logging.getLogger(_name).setLevel(logging.INFO)
_clients: dict[tuple, Any] = {}
_lock = threading.Lock()


def adapter_for(product: str, settings: Settings, policy: RetryPolicy | None = None) -> AccountAdapter:
    if product not in ADAPTERS:
        raise ValueError(f"unknown product {product!r}; expected one of {', '.join(ADAPTERS)}")
    policy = policy or _default_policy()
    key = (product, settings, policy.connect_timeout, policy.read_timeout)
    with _lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = _new_client(product, settings, policy)
    return ADAPTERS[product](client, settings, policy)


def _default_policy() -> RetryPolicy:
    """From PROVISIONER_CLOUD_* variables; the wait for a Running instance also follows the
    stack setting provisioner:waitTimeoutSeconds (provisioner.core.settings) unless set here."""
    policy = RetryPolicy.from_env()
    if not os.environ.get(RetryPolicy.ENV["wait_timeout"]):
        from provisioner.core import settings as stack
        policy = dataclasses.replace(policy, wait_timeout=stack.wait_timeout())
    return policy


def _new_client(product: str, settings: Settings, policy: RetryPolicy) -> Any:
    if product == "libradb":
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.cynosdb.v20190107.cynosdb_client import CynosdbClient
        http = HttpProfile(endpoint=settings.endpoint, protocol=settings.protocol,
                           # requests accepts (connect, read); the SDK passes it through
                           reqTimeout=(policy.connect_timeout, policy.read_timeout))  # type: ignore[arg-type]
        # retryer None = the SDK's NoopRetryer; English messages for users.
        profile = ClientProfile(httpProfile=http, retryer=None, language="en-US")
        return CynosdbClient(credential.Credential(settings.access_key_id, settings.access_key_secret),
                             settings.region, profile)
    from alibabacloud_tea_openapi.utils_models import Config
    config = Config(access_key_id=settings.access_key_id, access_key_secret=settings.access_key_secret,
                    region_id=settings.region, endpoint=settings.endpoint, protocol=settings.protocol,
                    connect_timeout=int(policy.connect_timeout * 1000),
                    read_timeout=int(policy.read_timeout * 1000),
                    retry_options=None)   # None = one attempt; the SDK's retry is opaque to us
    if product == "rds":
        from alibabacloud_rds20140815.client import Client
    else:
        from alibabacloud_polardb20170801.client import Client
    return Client(config)


def reset() -> None:
    """Forget cached clients, account lists and counters (tests)."""
    with _lock:
        _clients.clear()
    CACHE.clear()
    COUNTERS.reset()
