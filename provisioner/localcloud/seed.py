"""The seed: the topology (and optional accounts) a local cloud starts from and resets to.

Format: {"instances": [{"product", "id", "engine", "version", "region", ...}],
"accounts": [{"product", "instance_id", "name", "password", ...}]}. Applying a seed only adds:
existing instances keep their state and existing accounts stay, so a restart never undoes
admin changes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .admin_input import account_from_dict
from .store import PRODUCTS, Instance, Store

DEFAULT_SEED = Path(__file__).with_name("default_seed.json")


def load_seed_arg(seed: dict | str | os.PathLike | None) -> dict[str, Any]:
    """None -> the built-in seed; a dict as is; otherwise a JSON file path."""
    if isinstance(seed, dict):
        return seed
    return json.loads(Path(seed or DEFAULT_SEED).read_text(encoding="utf-8"))


def load_instances(store: Store, seed: dict) -> None:
    """Add the seed's instances that the store does not have."""
    with store.atomic():
        for item in seed.get("instances", []):
            inst = Instance(**item)
            if inst.product not in PRODUCTS:
                raise ValueError(f"seed: unknown product {inst.product!r} (expected one of {PRODUCTS})")
            if store.get_instance(inst.product, inst.id) is None:
                store.put_instance(inst)


def apply(store: Store, seed: dict) -> None:
    """Add the seed's missing instances, then its missing accounts."""
    load_instances(store, seed)
    with store.atomic():
        for item in seed.get("accounts", []):
            acct = account_from_dict(store, item)
            if store.get_account(acct.product, acct.instance_id, acct.name, acct.host) is None:
                store.insert_account(acct)


def reset(store: Store, seed: dict, *, reload_topology: bool = False) -> None:
    """Accounts and tokens back to the seed's; the topology too if asked (else admin changes stay)."""
    with store.atomic():
        store.reset(topology=reload_topology)
        apply(store, seed)
