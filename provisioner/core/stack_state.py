"""Which resource of this stack's state holds an account: tells a rename from an account made
outside the stack when a create finds the account already there.

The provider never sees the state, so it asks the CLI for it: `pulumi stack export` of the stack
named in the calling resource's URN, run in the provider's working directory (the project) with
the engine's environment (backend URL, credentials). It reads the checkpoint only — no lock, no
secret decrypted, nothing written — and is run at most once per provider process, only on that
rare path. Any failure means "unknown": the caller then names every likely cause.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import threading

from provisioner.core import operation

log = logging.getLogger("provisioner.resources")
TYPE_PREFIX = "pulumi-python:dynamic/provisioner:"
_lock = threading.Lock()
_ids: dict[str, dict[tuple[str, str], str]] = {}   # stack -> {(type, id): urn}


def owner_in_state(urn: str | None, resource_id: str) -> str | None:
    """The URN of the resource in this stack's state whose id is resource_id (same type as urn),
    or None when there is none or the state cannot be read."""
    where = operation.stack_and_project(urn)
    if where is None or urn is None:
        return None
    stack = where[0]
    type_token = urn.split("::")[2]
    with _lock:
        if stack not in _ids:
            _ids[stack] = _export(stack)
    return _ids[stack].get((type_token, resource_id))


def _export(stack: str) -> dict[tuple[str, str], str]:
    pulumi = shutil.which("pulumi")
    if pulumi is None:
        return {}
    try:
        proc = subprocess.run([pulumi, "stack", "export", "--stack", stack, "--non-interactive"],
                              capture_output=True, text=True, timeout=60, cwd=os.getcwd(),
                              env={**os.environ, "PULUMI_SKIP_UPDATE_CHECK": "1"})
        if proc.returncode != 0:
            log.debug("stack export failed (exit %d)", proc.returncode)   # its stderr may name paths only
            return {}
        resources = json.loads(proc.stdout).get("deployment", {}).get("resources") or []
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        log.debug("stack export failed: %s", type(exc).__name__)
        return {}
    return {(r["type"], r["id"]): r["urn"] for r in resources
            if str(r.get("type", "")).startswith(TYPE_PREFIX) and r.get("id") and r.get("urn")}


def forget() -> None:
    with _lock:
        _ids.clear()
