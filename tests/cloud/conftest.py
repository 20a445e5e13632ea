"""Fixtures of the cloud-adapter tests.

`localcloud`: a fresh in-process LocalCloud (real services, default faults: the cloud's own rate
limits on) per test. Fixtures of tests/localcloud/conftest.py are not visible from here, so this
mirrors its `localcloud` fixture. `adapters(cloud, **policy)` builds the three adapters through
the factory with a fast retry policy; process-wide caches and counters are reset per test.
"""

from __future__ import annotations

from typing import Any

import pytest

from provisioner.core import clients as factory
from provisioner.core.adapter import Settings
from provisioner.core.retry.policy import RetryPolicy

FAST = dict(base_delay=0.01, max_delay=0.05, wait_base=0.02, wait_max=0.05, wait_timeout=20.0,
            batch_window=0.03, list_ttl=2.0, read_timeout=10.0)
REGIONS = {"libradb": "ap-guangzhou", "rds": "cn-hangzhou", "polardb": "cn-hangzhou"}


@pytest.fixture(autouse=True)
def _fresh_process_state():
    factory.reset()
    yield
    factory.reset()


@pytest.fixture
def localcloud():
    """Instant timing: these tests are about calls and their errors; the realistic behaviour
    (the local cloud's default) has test_cloud_behaviour.py and test_cloud_lost_responses.py."""
    from provisioner.localcloud.server import LocalCloud

    cloud = LocalCloud(behaviour="instant").start()
    yield cloud
    cloud.stop()


def settings(cloud: Any, product: str) -> Settings:
    return Settings(cloud.access_key, cloud.secret_key, REGIONS[product], cloud.endpoint, "http")


@pytest.fixture
def adapter(localcloud):
    def make(product: str, **policy: Any):
        return factory.adapter_for(product, settings(localcloud, product), RetryPolicy(**{**FAST, **policy}))
    return make
