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

The generation in force is kept in the state (RotationState) and moves towards the computed
one by at most one step per `up`, never back: a stack that missed a period's `up`, or a counter
bumped twice, still rotates one account at a time (catching up over the next `up`s; `preview`
shows the pending step). Preview and up compute the wanted generation at the moment they run.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone
from typing import Any, Optional

import pulumi

from provisioner.core.args import prepare_program

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
    from provisioner.products.libradb.resource import LibraDBAccount, LibraDBAccountArgs
    from provisioner.products.polardb.resource import PolarDBAccount, PolarDBAccountArgs
    from provisioner.products.rds.resource import RdsAccount, RdsAccountArgs
    for args_class, resource_class in ((LibraDBAccountArgs, LibraDBAccount), (RdsAccountArgs, RdsAccount),
                                       (PolarDBAccountArgs, PolarDBAccount)):
        if isinstance(args, args_class):
            return resource_class
    raise TypeError(f"args must be LibraDBAccountArgs, RdsAccountArgs or PolarDBAccountArgs, not {type(args).__name__}")


class AlternatingAccounts(pulumi.ComponentResource):
    """Two accounts used alternately; `active` holds the credentials applications should use."""

    active: pulumi.Output[dict]
    generation: pulumi.Output[int]

    def __init__(self, resource_name: str, args: Any, *, names: Optional[tuple[str, str]] = None,
                 rotation_period: Optional[timedelta] = None, rotation_start: datetime = EPOCH,
                 rotation: int = 0, opts: Optional[pulumi.ResourceOptions] = None):
        prepare_program()   # before the component registers, as the accounts do
        super().__init__("provisioner:index:AlternatingAccounts", resource_name, None, opts)
        from provisioner.rotation_state import RotationState
        if getattr(args, "password", None) is not None or getattr(args, "password_version", None) is not None:
            raise ValueError("AlternatingAccounts generates and rotates both passwords: set neither "
                             "password nor password_version")
        resource_class = _account_class(args)
        names = names or (f"{args.name}_a", f"{args.name}_b")
        target = generation(period=rotation_period, start=rotation_start, rotation=rotation)
        child = pulumi.ResourceOptions(parent=self)
        self.state = RotationState(f"{resource_name}-rotation", target, child)
        self.generation = self.state.generation.apply(int)
        versions = self.generation.apply(slot_versions)
        self.accounts = []
        for slot, name in enumerate(names):
            slot_args = copy.copy(args)
            slot_args.name = name
            slot_args.password_version = versions.apply(lambda v, slot=slot: v[slot])
            self.accounts.append(resource_class(f"{resource_name}-{'ab'[slot]}", slot_args, child))
        a, b = self.accounts
        self.active = pulumi.Output.secret(pulumi.Output.all(
            self.generation, a.name, a.password, a.endpoint, b.name, b.password, b.endpoint).apply(_active))
        self.register_outputs({"active": self.active, "generation": self.generation})


def _active(values: list[Any]) -> dict[str, Any]:
    g = values[0]
    username, password, endpoint = values[1:4] if g % 2 == 0 else values[4:7]
    return {"username": username, "password": password, "endpoint": endpoint, "generation": g}
