"""Keep the Python SDK's per-resource stack trace out of the state for our resources.

The file backend rewrites the whole state after every step, so every byte per account is paid
N times per operation. Since SDK 3.195 (pulumi/pulumi#20430) every registration carries the whole
Python call stack, here 13 frames (our class, the program's line, runpy, asyncio, the language
host...), which the engine stores as `stackTrace`: about 1.2 KB per account. The SDK has no
switch for it (pulumi/runtime/resource.py, `_get_stack_trace`).

For the resources whose class lives in this package, the trace keeps one frame: the line of the
user's program that declared the resource (the first frame outside this package). The engine
derives `sourcePosition` from the first frame, so it now names that line rather than our class.
Every other resource of the program keeps the SDK's full trace. The engine does not diff stack
traces, so a stack written with full traces previews with no change.
PROVISIONER_TRIM_STATE=0 keeps the SDK's trace for ours too.

(`propertyDependencies`, one `[]` per plain input, cannot be trimmed here: the engine adds an
entry for every input property itself, pkg/resource/deploy/source_eval.go, RegisterResource.)
"""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path

log = logging.getLogger("provisioner.resources")

OPT_OUT = "PROVISIONER_TRIM_STATE"
_PACKAGE_URI = Path(__file__).resolve().parents[1].as_uri() + "/"   # file:///.../provisioner/


def _ours(uri: str) -> bool:
    return uri.startswith(_PACKAGE_URI)


def trim_stack_trace(trace):
    """Unchanged unless its first frame is in this package (our resource class); then only the
    first frame outside it (the declaring line)."""
    frames = list(trace.frames)
    if not frames or not _ours(frames[0].pc.uri):
        return trace
    for frame in frames:
        if frame.HasField("pc") and frame.pc.uri and not _ours(frame.pc.uri):
            return type(trace)(frames=[frame])
    return type(trace)()


def install(environ: dict[str, str] | None = None) -> bool:
    """Wrap the SDK's `_get_stack_trace` once per process; False when not applied."""
    if (environ if environ is not None else os.environ).get(OPT_OUT, "").strip().lower() in ("0", "false", "no"):
        return False
    from pulumi.runtime import resource as sdk

    stack = getattr(sdk, "_get_stack_trace", None)
    if stack is None:   # an SDK before 3.195: no per-resource trace
        return False
    if getattr(stack, "_provisioner", False):
        return True

    @functools.wraps(stack)
    def get_stack_trace():
        return trim_stack_trace(stack())
    get_stack_trace._provisioner = True   # type: ignore[attr-defined]
    sdk._get_stack_trace = get_stack_trace
    log.debug("per-resource stack traces trimmed for provisioner resources")
    return True
