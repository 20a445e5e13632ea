"""Rotation without downtime: two accounts used alternately ("alternating users").

    orders = AlternatingAccounts("orders-app", RdsAccountArgs(instance_id="rm-...", name="orders_app",
                                                             privileges={"orders": "ReadWrite"}),
                                 rotation_period=timedelta(days=30), rotation=0)
    pulumi.export("orders_app", orders.active)    # {"username", "password" (secret), "endpoint", "generation"}

It declares two accounts with the same arguments, named `<name>_a` and `<name>_b` (or `names=`),
each with a generated password. Generation g = the number of whole rotation periods since
`rotation_start` plus the on-demand counter `rotation`; the account of slot g % 2 is active. When
g grows by one, the `up` sets a new password on the standby account (password_version = g), and
only then — stack outputs are written after the resources they depend on — exports it as the
active one. The account applications used until then keeps its password, so an application
that has not yet read the new credentials still logs in; it must read them before the next
rotation, one period later. App stacks read only `active` (a StackReference), never a slot.

Rules: run `up` at least once per period (a scheduled CI job), and bump `rotation` by one at a
time between two `up`s: a jump of two generations in one `up` would change the password of the
account that is exported at that moment. Preview and up compute g at the moment they run.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone
from typing import Any, Optional

import pulumi

EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc)


def generation(*, period: Optional[timedelta], start: datetime = EPOCH, rotation: int = 0,
               now: Optional[datetime] = None) -> int:
    """Whole periods since start (0 without a period) plus the on-demand counter."""
    if period is None:
        return rotation
    if period <= timedelta(0):
        raise ValueError("rotation_period must be positive")
    now = now or datetime.now(timezone.utc)
    return max(0, int((now - start) // period)) + rotation


def slot_versions(g: int) -> tuple[str, str]:
    """password_version of slots a and b at generation g: the active slot (g % 2) carries g,
    the standby g - 1, so going from g to g + 1 changes only the (new active) standby."""
    active, standby = str(g), str(g - 1)
    return (active, standby) if g % 2 == 0 else (standby, active)


def _account_class(args: Any):
    from provisioner.resources.libradb import LibraDBAccount, LibraDBAccountArgs
    from provisioner.resources.polardb import PolarDBAccount, PolarDBAccountArgs
    from provisioner.resources.rds import RdsAccount, RdsAccountArgs
    for args_class, resource_class in ((LibraDBAccountArgs, LibraDBAccount), (RdsAccountArgs, RdsAccount),
                                       (PolarDBAccountArgs, PolarDBAccount)):
        if isinstance(args, args_class):
            return resource_class
    raise TypeError(f"args must be LibraDBAccountArgs, RdsAccountArgs or PolarDBAccountArgs, not {type(args).__name__}")


class AlternatingAccounts(pulumi.ComponentResource):
    """Two accounts used alternately; `active` holds the credentials applications should use."""

    active: pulumi.Output[dict]
    generation: int

    def __init__(self, resource_name: str, args: Any, *, names: Optional[tuple[str, str]] = None,
                 rotation_period: Optional[timedelta] = None, rotation_start: datetime = EPOCH,
                 rotation: int = 0, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("provisioner:index:AlternatingAccounts", resource_name, None, opts)
        if getattr(args, "password", None) is not None:
            raise ValueError("AlternatingAccounts generates both passwords: do not set password")
        resource_class = _account_class(args)
        base = args.name
        names = names or (f"{base}_a", f"{base}_b")
        self.generation = generation(period=rotation_period, start=rotation_start, rotation=rotation)
        self.accounts = []
        for slot, (name, version) in enumerate(zip(names, slot_versions(self.generation))):
            slot_args = copy.copy(args)
            slot_args.name, slot_args.password_version = name, version
            self.accounts.append(resource_class(f"{resource_name}-{'ab'[slot]}", slot_args,
                                                pulumi.ResourceOptions(parent=self)))
        current = self.accounts[self.generation % 2]
        self.active = pulumi.Output.all(current.name, current.password, current.endpoint).apply(
            lambda v: {"username": v[0], "password": v[1], "endpoint": v[2], "generation": self.generation})
        self.active = pulumi.Output.secret(self.active)
        self.register_outputs({"active": self.active})
