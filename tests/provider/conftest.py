"""Provider-level fixtures: the real dynamic providers, the real SDKs, the local cloud over HTTP.

Credentials and the endpoint reach the providers the way they do in `pulumi up`: from the
standard environment variables (or stack config through `configure`), at call time.
"""

from __future__ import annotations

import pytest

from provisioner.core import clients as factory
from provisioner.core import settings
from provisioner.localcloud.server import LocalCloud


@pytest.fixture(scope="session")
def cloud():
    with LocalCloud() as server:
        yield server


@pytest.fixture
def localcloud(cloud, monkeypatch):
    cloud.reset(reload_seed=True, restore_faults=True)
    for name, value in {
        "PROVISIONER_ENDPOINT": cloud.url,
        "TENCENTCLOUD_SECRET_ID": cloud.access_key, "TENCENTCLOUD_SECRET_KEY": cloud.secret_key,
        "ALIBABA_CLOUD_ACCESS_KEY_ID": cloud.access_key, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": cloud.secret_key,
        # Fast retries: the tests exercise the policy, not its patience.
        "PROVISIONER_CLOUD_BASE_DELAY": "0.01", "PROVISIONER_CLOUD_MAX_DELAY": "0.05",
        "PROVISIONER_CLOUD_WAIT_BASE": "0.02", "PROVISIONER_CLOUD_WAIT_MAX": "0.05",
        "PROVISIONER_CLOUD_WAIT_TIMEOUT": "20",
    }.items():
        monkeypatch.setenv(name, value)
    settings.remember({})   # no stack config: environment only
    factory.reset()
    yield cloud
    factory.reset()
