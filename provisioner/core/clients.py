"""adapter_for(product, settings): the one way to get an adapter.

Call it at call time (inside the provider's create/read/...), never store the result on a
provider object: Pulumi pickles provider objects into state. SDK clients are cached here, in this
process's memory only, per (product, settings, timeouts), so their connection pools are reused.
The SDKs' own retryers are left off: provisioner/core/retry/ is the one policy.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
from typing import Any

from provisioner.core.adapter import AccountAdapter, Settings
from provisioner.core.cache import CACHE
from provisioner.core.retry.counters import COUNTERS
from provisioner.core.retry.policy import RetryPolicy
from provisioner.products import product as registered

_clients: dict[tuple, Any] = {}
_lock = threading.Lock()


def adapter_for(product: str, settings: Settings, policy: RetryPolicy | None = None) -> AccountAdapter:
    descriptor = registered(product)   # ValueError naming the products for an unknown one
    policy = policy or _default_policy()
    key = (product, settings, policy.connect_timeout, policy.read_timeout)
    with _lock:
        client = _clients.get(key)
        if client is None:
            _quiet_sdk_loggers()
            client = _clients[key] = descriptor.new_client(settings, policy)
    return descriptor.adapter_class()(client, settings, policy)


def _quiet_sdk_loggers() -> None:
    """These log request bodies / URLs at DEBUG, and both carry passwords (Alibaba: in the query
    string): keep them quiet even when the provider process runs with DEBUG logging. Done before
    the first client is made, not at import."""
    for name in ("tencentcloud_sdk_common", "darabonba-core", "urllib3.connectionpool"):
        logging.getLogger(name).setLevel(logging.INFO)


def _default_policy() -> RetryPolicy:
    """From the PROVISIONER_CLOUD_* variables (RetryPolicy.ENV). The wait timeout is the one knob
    with a stack setting too: PROVISIONER_CLOUD_WAIT_TIMEOUT when it is set, else the stack's
    provisioner:waitTimeoutSeconds (provisioner.core.settings), else the default."""
    policy = RetryPolicy.from_env()
    if not os.environ.get(RetryPolicy.ENV["wait_timeout"]):
        from provisioner.core import settings as stack
        policy = dataclasses.replace(policy, wait_timeout=stack.wait_timeout())
    return policy



def reset() -> None:
    """Forget cached clients, account lists and counters (tests)."""
    with _lock:
        _clients.clear()
    CACHE.clear()
    COUNTERS.reset()
