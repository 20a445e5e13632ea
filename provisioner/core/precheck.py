"""Every invalid resource of a program reported in one preview, not only the first.

The engine stops a deployment at the first resource whose `check` returns failures (Pulumi
3.259 `step_generator.go`: an invalid resource is a bail error and the deployment executor
cancels), so the resources registered after it are never checked. The program, though, holds
every resource's arguments before any of them reaches the engine: each resource validates its
own plain values against the same spec when it is constructed, logs its failures at once (one
error per resource, naming it, the field and the rule; never a value), and, if it is invalid,
is never sent to the engine — one of its inputs is an Output that fails with `pulumi.RunError`,
so its registration fails inside the program, and the program ends with "N invalid resources"
once everything else has registered. Values that are Outputs (known only at `up`) are left to
the provider's `check`, as before.
"""

from __future__ import annotations

import inspect
from typing import Any

import pulumi

from provisioner.core.spec import AccountSpec, SpecError, validate_spec

INVALID_KEY = "__invalid"
_invalid: list[str] = []


def _plain(value: Any) -> bool:
    if isinstance(value, pulumi.Output) or inspect.isawaitable(value):
        return False
    if isinstance(value, dict):
        return all(_plain(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    return True


def failures(model: type[AccountSpec], args: Any) -> list[tuple[str, str]]:
    """The spec's failures for the plain (known) arguments; fields given as Outputs are skipped."""
    given = {k: v for k, v in vars(args).items() if v is not None and k in model.model_fields}
    later = {k for k, v in given.items() if not _plain(v)}
    try:
        validate_spec(model, {k: v for k, v in given.items() if k not in later})
    except SpecError as exc:
        return [(f, r) for f, r in exc.failures if f.split(".")[0] not in later]
    return []


def check(kind: str, resource_name: str, model: type[AccountSpec], props: dict[str, Any], args: Any) -> dict[str, Any]:
    """props, plus a failing input when the arguments break a rule (after reporting it)."""
    found = failures(model, args)
    if not found:
        return props
    _invalid.append(resource_name)
    where = f"{kind} '{resource_name}'"
    pulumi.log.error(f"{where} is invalid: " + "; ".join(f"{field}: {reason}" for field, reason in found))

    async def refuse() -> None:
        raise pulumi.RunError(f"{len(_invalid)} invalid resource(s), each reported above "
                              f"({', '.join(_invalid)}); they were not sent to the engine")

    return {**props, INVALID_KEY: pulumi.Output.from_input(refuse())}
