"""What the provider process knows about the one operation it serves.

Pulumi starts one dynamic-provider process per operation (preview, up, refresh, destroy) and
sends it every resource's calls. The Python provider server does not pass the calling resource's
URN to `check`/`create`/`delete`, but its gRPC request carries it: `calling_urn` reads it from the
server's frame (`request.urn` of DynamicResourceProviderServicer.Check/Create/Delete). With it the
provider knows which resource declares which account in this operation (`Claims`), so it can
refuse an account declared twice and never delete an account that another resource of the same
operation now owns (a rename without aliases, an adoption).

`abort` ends the current gRPC call with our message as the status details, so the engine shows
it as it is instead of grpc's "Exception calling application: ..." wrapping.
Both look for the server's frame and do nothing when there is none (unit tests, other hosts).
"""

from __future__ import annotations

import sys
import threading
from typing import Any, Hashable, NoReturn

Identity = tuple[Hashable, ...]


def _server_frame_locals() -> dict[str, Any] | None:
    frame = sys._getframe(1)
    while frame is not None:
        request, context = frame.f_locals.get("request"), frame.f_locals.get("context")
        if request is not None and context is not None and hasattr(request, "urn") and hasattr(context, "abort"):
            return frame.f_locals
        frame = frame.f_back
    return None


def calling_urn() -> str | None:
    found = _server_frame_locals()
    urn = getattr(found["request"], "urn", "") if found else ""
    return urn or None


def resource_name(urn: str | None) -> str:
    """The resource's name in the program: the URN's last `::` part."""
    return urn.rsplit("::", 1)[-1] if urn else "?"


def stack_and_project(urn: str | None) -> tuple[str, str] | None:
    """urn:pulumi:<stack>::<project>::<type>::<name>"""
    if not urn or not urn.startswith("urn:pulumi:"):
        return None
    parts = urn[len("urn:pulumi:"):].split("::")
    return (parts[0], parts[1]) if len(parts) >= 4 else None


def abort(message: str) -> None:
    """Fail the current call with exactly `message` (no grpc wrapping). Returns when there is no
    gRPC call to abort, so the caller then raises as usual."""
    found = _server_frame_locals()
    if found is None:
        return
    import grpc
    found["context"].abort(grpc.StatusCode.UNKNOWN, message)


def note(message: str) -> None:
    """Tell the user something the operation did on their behalf. The engine shows a provider's
    stderr among the stack's diagnostics; logging may be off or go to a file."""
    sys.stderr.write(f"provisioner: {message}\n")
    sys.stderr.flush()


def fail(error: Exception) -> NoReturn:
    abort(str(error))
    raise error


class Claims:
    """Which resource (URN) declares which account in this operation.

    `check` records every resource's account, changed or not (no cloud call); the first URN to
    claim an identity keeps it. A second URN claiming it is a duplicate declaration.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner: dict[Identity, str] = {}
        self._replacing: set[str] = set()

    def claim(self, identity: Identity, urn: str | None) -> str | None:
        """Record urn as declaring identity; the other URN that already declares it, if any."""
        if urn is None:
            return None
        with self._lock:
            owner = self._owner.setdefault(identity, urn)
            return None if owner == urn else owner

    def release(self, identity: Identity, urn: str | None) -> None:
        """A resource moved away from identity (an in-place identity change)."""
        with self._lock:
            if urn is not None and self._owner.get(identity) == urn:
                del self._owner[identity]

    def mark_replacing(self, urn: str | None) -> None:
        """urn's first check (with its old inputs) found a replace."""
        if urn is not None:
            with self._lock:
                self._replacing.add(urn)

    def replacing(self, urn: str | None) -> bool:
        with self._lock:
            return urn is not None and urn in self._replacing

    def other_owner(self, identity: Identity, urn: str | None) -> str | None:
        """The URN of another resource of this operation that declares identity, if any."""
        with self._lock:
            owner = self._owner.get(identity)
        return owner if owner is not None and owner != urn else None

    def clear(self) -> None:
        with self._lock:
            self._owner.clear()
            self._replacing.clear()


CLAIMS = Claims()
