"""What serves each API version, and the signature verifiers: built from the product registry
(provisioner/products: each descriptor names its API version, host and emulator module). Service modules load on first use, so the core runs (and is tested) with
injected fakes and without them."""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from typing import Any, Callable

from provisioner.products import REGISTRY

from .errors import CloudError
from .store import Store

Handler = Callable[[Store, dict[str, Any]], dict[str, Any]]

log = logging.getLogger("provisioner.localcloud")


@dataclass(frozen=True)
class Api:
    product: str                                # store product: libradb | rds | polardb
    host_id: str                                # Alibaba "HostId" of error bodies
    actions: Callable[[], dict[str, Handler]]   # loads ACTIONS (lazily)


@dataclass
class Registry:
    """What serves each API version, and the signature verifiers (injectable for tests)."""
    tencent: dict[str, Api]                     # X-TC-Version -> Api
    alibaba: dict[str, Api]                     # Version -> Api
    verify_tc3: Callable[..., str]
    verify_acs3: Callable[..., str]
    verify_rpc_v1: Callable[..., str]


def _lazy_actions(module: str) -> Callable[[], dict[str, Handler]]:
    return lambda: importlib.import_module(module).ACTIONS


def _lazy_function(module: str, name: str, **bound: Any) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **bound)
    return call


def default_registry(nonces: Any = None) -> Registry:
    """nonces: where the Alibaba verifiers record signature nonces (nonces.NonceStore); None
    keeps the verifiers' process-wide in-memory cache."""
    wire = "provisioner.localcloud.wire"
    bound = {"nonces": nonces} if nonces is not None else {}
    apis = {cloud: {p.api_version: Api(p.name, p.api_host, _lazy_actions(p.emulator_service))
                    for p in REGISTRY.values() if p.cloud == cloud} for cloud in ("tencent", "alibaba")}
    return Registry(
        tencent=apis["tencent"],
        alibaba=apis["alibaba"],
        verify_tc3=_lazy_function(f"{wire}.tc3", "verify_tc3"),
        verify_acs3=_lazy_function(f"{wire}.acs", "verify_acs3", **bound),
        verify_rpc_v1=_lazy_function(f"{wire}.acs", "verify_rpc_v1", **bound))


def actions_of(api: Api) -> dict[str, Handler]:
    try:
        return api.actions()
    except ImportError as exc:  # a service module missing: say so instead of crashing
        log.error("service module for %s is not available: %s", api.product, exc)
        raise CloudError("InternalError", f"The local cloud has no implementation of {api.product} yet.", 500) from None
