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
PROVISIONER_TRIM_STATE=0 keeps the SDK's trace for ours too. If the SDK's functions are not
there, nothing is changed. Tested with SDK 3.254.0 (the lowest pyproject allows), 3.259.0 and
3.272.0 (tests/unit/test_sdk_state.py).

(`propertyDependencies`, one `[]` per plain input, cannot be trimmed here: the engine adds an
entry for every input property itself, pkg/resource/deploy/source_eval.go, RegisterResource.)
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import traceback
from pathlib import Path

log = logging.getLogger("provisioner.resources")

OPT_OUT = "PROVISIONER_TRIM_STATE"
_PACKAGE_DIR = str(Path(__file__).resolve().parents[1]) + os.sep   # .../provisioner/
_PACKAGE_URI = Path(_PACKAGE_DIR).as_uri() + "/"                     # file:///.../provisioner/


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


def _declaring_frame(frame):
    """The first frame outside this package above our resource class's constructor, found as
    the SDK finds the class (`_get_stack_trace`: the frame below the third `__init__` from the
    top); None when the resource is not ours (or the stack has another shape)."""
    inits = 0
    while frame is not None:
        if frame.f_code.co_name == "__init__":
            inits += 1
            if inits == 3:
                break
        frame = frame.f_back
    frame = frame.f_back if frame is not None else None
    if frame is None or not _ours_file(frame.f_code.co_filename):
        return None
    while frame is not None and _ours_file(frame.f_code.co_filename):
        frame = frame.f_back
    return frame


def _ours_file(filename: str) -> bool:
    return filename.startswith(_PACKAGE_DIR)


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

    position, proto = getattr(sdk, "_get_source_position_for_frame", None), getattr(sdk, "source_pb2", None)

    @functools.wraps(stack)
    def get_stack_trace():
        if position and proto:
            declared = _declaring_frame(sys._getframe(1))
            if declared is not None:
                # Ours: the one frame, without the SDK's walk over the whole stack (which took 13%
                # of the program's time, measured with 600 accounts).
                pc = position(traceback.FrameSummary(declared.f_code.co_filename, declared.f_lineno,
                                                     declared.f_code.co_name, lookup_line=False))
                return proto.StackTrace(frames=[proto.StackFrame(pc=pc)] if pc else [])
        return trim_stack_trace(stack())
    get_stack_trace._provisioner = True   # type: ignore[attr-defined]
    sdk._get_stack_trace = get_stack_trace
    log.debug("per-resource stack traces trimmed for provisioner resources")
    return True
