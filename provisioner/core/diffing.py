"""The one diff engine shared by the three account providers.

Each provider describes its fields once (`FieldPolicy`); `plan_diff` compares the recorded
state with the desired inputs, both already in normalised form, and classifies every changed
field as in-place or replace. deepdiff compares nested values (privileges) without regard to
order. Passwords are compared by the caller and passed in as a flag, so no secret ever reaches
deepdiff's reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FieldPolicy:
    replace: frozenset[str]          # a change here means a new account (cluster, name, type)
    in_place: frozenset[str]         # a change here is applied with an update call
    identity: frozenset[str]         # the fields that make up the account's identity in the cloud
    optional: frozenset[str] = field(default_factory=frozenset)  # None in the inputs = not managed


@dataclass(frozen=True)
class Plan:
    changed: list[str]
    replaces: list[str]
    stables: list[str]
    delete_before_replace: bool

    @property
    def has_changes(self) -> bool:
        return bool(self.changed)


def plan_diff(policy: FieldPolicy, current: dict[str, Any], desired: dict[str, Any],
              *, password_changed: bool = False) -> Plan:
    fields = policy.replace | policy.in_place
    compared = {k for k in fields if not (k in policy.optional and desired.get(k) is None)}
    before = {k: current.get(k) for k in compared}
    after = {k: desired.get(k) for k in compared}
    # Equal values (50 == 50.0 too) are no change: deepdiff, which takes most of a no-op
    # preview's provider time, only looks at the fields that differ in order or kind.
    differing = {k for k in compared if before[k] != after[k]}
    changed = set()
    if differing:
        from deepdiff import DeepDiff  # imported on first use: keeps provider start-up short
        # Numbers recorded by the engine come back as doubles (protobuf Struct: 50.0), the
        # validated inputs as ints (50): the same value, not a change.
        changed = {str(k) for k in DeepDiff({k: before[k] for k in differing}, {k: after[k] for k in differing},
                                            ignore_order=True, ignore_numeric_type_changes=True).affected_root_keys}
    if password_changed:
        changed.add("password")
    replaces = sorted(changed & policy.replace)
    # A replacement that keeps the same identity would collide with the old account: delete first.
    same_identity = replaces and not (changed & policy.identity)
    return Plan(
        changed=sorted(changed),
        replaces=replaces,
        stables=sorted((policy.replace | policy.identity) - changed),
        delete_before_replace=bool(same_identity),
    )
