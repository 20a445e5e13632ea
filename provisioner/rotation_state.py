"""RotationState: the generation an AlternatingAccounts pair is at, kept in the stack's state.

The program computes the generation it wants (periods elapsed + the on-demand counter); this
resource moves the recorded one towards it by at most one per `up` and never back, so a stack
that missed a period's `up` (or a counter bumped twice) still rotates one account at a time —
a jump of two would change the password of the account that is exported at that moment.
Nothing in the cloud: create/update only compute, read echoes the state.
"""

from __future__ import annotations

import uuid
from typing import Any, Optional

import pulumi
from pulumi import Input, Output
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    ResourceProvider,
    UpdateResult,
)

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"   # pulumi.runtime.rpc.UNKNOWN


def next_generation(current: int, target: int) -> int:
    return current + 1 if target > current else current


class RotationStateProvider(ResourceProvider):
    serialize_as_secret_always = False   # nothing secret here

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        target = news.get("target")
        if target == UNKNOWN:
            return CheckResult({"target": target}, [])
        if isinstance(target, bool) or not isinstance(target, (int, float)) or target < 0 or target != int(target):
            return CheckResult(news, [CheckFailure("target", "must be a whole number, 0 or more")])
        return CheckResult({"target": int(target)}, [])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        target: Any = news.get("target")   # checked by check(): a whole number or UNKNOWN
        changes = target == UNKNOWN or int(target) > int(olds.get("generation") or 0)
        return DiffResult(changes=changes, replaces=[], stables=[], delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        target = int(props["target"])
        return CreateResult(uuid.uuid4().hex, {"target": target, "generation": target})

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        target = int(news["target"])
        return UpdateResult({"target": target, "generation": next_generation(int(olds.get("generation") or 0), target)})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, {k: v for k, v in props.items() if not k.startswith("__")})

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        pass


class RotationState(Resource, module="provisioner", name="RotationState"):
    target: Output[int]
    generation: Output[int]
    """The generation in force: moves towards `target` by at most one per `up`."""

    def __init__(self, resource_name: str, target: Input[int], opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__(RotationStateProvider(), resource_name, {"target": target, "generation": None}, opts)
