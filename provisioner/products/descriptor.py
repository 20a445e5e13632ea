"""What the shared parts know of one product: a small descriptor, read through the registry.

Modules and classes are named by dotted path, not imported: reading the registry loads neither
Pulumi nor a cloud SDK (`provisioner recover`, the CLI and the local cloud read it at start), and
each part loads only what it uses, when it uses it. Standard library only.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Credentials:
    """Where a product's credentials and region come from: (stack config key, environment variable)
    for each, first match wins (provisioner/core/settings.py)."""
    access_key_id: tuple[str, str]
    access_key_secret: tuple[str, str]
    region: tuple[str, str]
    default_region: str

    def config_keys(self) -> tuple[str, ...]:
        return (self.access_key_id[0], self.access_key_secret[0], self.region[0])


@dataclass(frozen=True)
class Product:
    name: str                       # the key everywhere: settings, codes, the local cloud, the CLI
    title: str                      # for people: previews, summaries, messages
    cloud: str                      # "tencent" or "alibaba": the wire protocol and credentials family
    resource: str                   # "module:Class" of the public Pulumi resource
    exports: tuple[str, ...]        # the names `provisioner` re-exports from the resource module
    provider: str                   # "module:Class" of the dynamic provider, pickled into every state
                                    # (it holds the field policy: what replaces, what changes in place)
    spec: str                       # "module:Class" of the pydantic spec: every documented rule
    type_token: str                 # the resource's type token, part of every URN
    instance_field: str             # the argument naming the cluster or instance
    instance_word: str              # "cluster" or "instance", for messages and summaries
    adapter: str                    # "module:Class" of the cloud adapter
    client: str                     # "module:function(settings, policy)" making the official SDK client
    codes: str                      # "module:TABLE": this API's error codes and their kinds
    credentials: Credentials
    api_version: str                # the API version the SDK sends (X-TC-Version / Version)
    api_host: str                   # the API's endpoint host (the HostId of Alibaba error bodies)
    emulator_service: str           # the local cloud's module for this API (its ACTIONS)
    # Documented request limits, requests per second per action ("*": any action of this API);
    # the client-side limiter's defaults (core/retry/limiter.py).
    rate_limits: dict[str, float] = field(default_factory=dict)

    @staticmethod
    def load(ref: str) -> Any:
        module, _, attr = ref.partition(":")
        return getattr(importlib.import_module(module), attr)

    @property
    def provider_path(self) -> tuple[str, str]:
        module, _, cls = self.provider.partition(":")
        return module, cls

    @property
    def resource_class_name(self) -> str:
        return self.resource.partition(":")[2]

    def provider_class(self) -> type:
        return self.load(self.provider)

    def spec_model(self) -> type:
        return self.load(self.spec)

    def new_provider(self) -> Any:
        """A provider instance (they hold no state: one per caller is fine)."""
        return self.provider_class()()

    def adapter_class(self) -> type:
        return self.load(self.adapter)

    def new_client(self, settings: Any, policy: Any) -> Any:
        return self.load(self.client)(settings, policy)

    def code_table(self) -> Any:
        return self.load(self.codes)
