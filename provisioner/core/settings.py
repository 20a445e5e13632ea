"""Where to call and with which credentials, resolved at call time in the provider process.

Sources, first match wins: Pulumi stack config (handed to the provider by `configure`, kept
here in a module-level dict that is never pickled into state), then the standard environment
variables. Config keys (namespace `provisioner:`):

  endpoint            host:port of a non-default endpoint, e.g. the local cloud (127.0.0.1:8790);
                      an http:// prefix selects plain HTTP
  tencentSecretId     (secret) else TENCENTCLOUD_SECRET_ID
  tencentSecretKey    (secret) else TENCENTCLOUD_SECRET_KEY
  tencentRegion       else TENCENTCLOUD_REGION
  alibabaAccessKeyId  (secret) else ALIBABA_CLOUD_ACCESS_KEY_ID
  alibabaAccessKeySecret (secret) else ALIBABA_CLOUD_ACCESS_KEY_SECRET
  alibabaRegion       else ALIBABA_CLOUD_REGION_ID
  waitTimeoutSeconds  how long to wait for a cluster/instance to become Running (default 600)
"""

from __future__ import annotations

import os
import threading
from typing import Any

from provisioner.core.adapter import Settings
from provisioner.products import REGISTRY
from provisioner.products import product as registered

_lock = threading.Lock()
_config: dict[str, Any] = {}



class MissingCredentials(RuntimeError):
    pass


def remember(config: Any) -> None:
    """Called from the providers' `configure`: keep the stack config for later calls."""
    values = {}
    product_keys = (k for p in REGISTRY.values() for k in p.credentials.config_keys())
    for key in ("endpoint", "waitTimeoutSeconds", *product_keys):
        value = config.get(f"provisioner:{key}")
        if value is not None:
            values[key] = value
    with _lock:
        _config.clear()
        _config.update(values)


def _get(key: str, env: str | None = None) -> str | None:
    with _lock:
        value = _config.get(key)
    if value in (None, "") and env:
        value = os.environ.get(env)
    return value or None


def wait_timeout() -> float:
    """The stack's provisioner:waitTimeoutSeconds, else 600. The one exception to "stack config
    first": the environment's PROVISIONER_CLOUD_WAIT_TIMEOUT, when set, wins over it (read with
    the other PROVISIONER_CLOUD_* knobs by RetryPolicy.from_env; clients._default_policy)."""
    return float(_get("waitTimeoutSeconds") or 600)


def settings_for(product: str, region: str | None = None) -> Settings:
    keys = registered(product).credentials
    (id_key, id_env), (secret_key, secret_env) = keys.access_key_id, keys.access_key_secret
    (region_key, region_env), default_region = keys.region, keys.default_region
    access_key_id, secret = _get(id_key, id_env), _get(secret_key, secret_env)
    if not access_key_id or not secret:
        raise MissingCredentials(
            f"no credentials for {product}: set `pulumi config set --secret provisioner:{id_key} ...` and "
            f"`provisioner:{secret_key}`, or the environment variables {id_env} and {secret_env}")
    endpoint = _get("endpoint", "PROVISIONER_ENDPOINT")
    protocol = "https"
    if endpoint and "://" in endpoint:
        scheme, _, endpoint = endpoint.partition("://")
        protocol = scheme
    return Settings(
        access_key_id=access_key_id,
        access_key_secret=secret,
        region=region or _get(region_key, region_env) or default_region,
        endpoint=endpoint.rstrip("/") if endpoint else None,
        protocol=protocol,
    )
