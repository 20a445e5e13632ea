"""Exit the dynamic-provider process once the Pulumi engine that started it is gone.

`python -m pulumi.dynamic` serves gRPC until it is killed; it never notices that its engine died.
The engine starts plugins in their own process group, so when `pulumi` itself is killed
(SIGKILL, OOM killer, a CI runner killing only the main process) the provider survives as an
orphan: it finishes its in-flight cloud calls and possibly retries for minutes — creating
accounts that the state will never record, racing with the user's recovery
(`provisioner recover`, `pulumi refresh`) — and then idles forever.

The watchdog polls the parent pid; when it changes (the engine died and the process was
re-parented), it ends the process at once. When the parent is the plugin's launcher shell (the
upstream `pulumi-resource-pulumi-python` script runs python without `exec`), the shell's own
parent (the engine) is watched the same way, through /proc. Calls in flight are abandoned at whatever point they
were, exactly as if the whole process tree had been killed; recovery handles both cases alike.
Started at the provider's interpreter start (provisioner/_provider_boot.py, run by the .pth file
that the wheel installs), before the engine's first request; and, as a fallback (a no-op when
it already runs), when this package is first imported in the provider process (see __init__.py):
the engine's first request for one of our resources deserializes the provider, which imports it.
Never started in the program, the CLI or tests (start() checks which process it is in).
PROVISIONER_PROVIDER_WATCHDOG=0 (environment of `pulumi`) turns it off.
"""

from __future__ import annotations

import os
import sys
import threading
import time

POLL_SECONDS = 0.5
EXIT_CODE = 75   # EX_TEMPFAIL: nobody reads it (the parent is gone), but it is distinctive in ps/audit logs

_lock = threading.Lock()
_started = False


_SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ash", "busybox"})
ENV = "PROVISIONER_PROVIDER_WATCHDOG"


def _comm(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def _is_shell(pid: int) -> bool:
    # A shell script run through its #! line (the upstream shim) has the script's name as its
    # comm ("pulumi-resource", truncated): the executable tells.
    try:
        exe = os.path.basename(os.readlink(f"/proc/{pid}/exe"))
    except OSError:
        exe = ""
    return exe in _SHELLS or _comm(pid) in _SHELLS


def _ppid(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rpartition(")")[2].split()[1])   # after "(comm)": state, ppid, ...
    except (OSError, ValueError, IndexError):
        return None


def in_provider_process() -> bool:
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if getattr(spec, "name", "") == "pulumi.dynamic.__main__":
        return True
    from provisioner import _provider_boot  # at interpreter start __main__ is not set up yet
    return _provider_boot.is_provider_command()


def enabled(environ: dict[str, str] | None = None) -> bool:
    value = (environ if environ is not None else os.environ).get(ENV, "").strip().lower()
    return value not in ("0", "false", "no", "off")


def start(poll_seconds: float = POLL_SECONDS) -> bool:
    """Start watching (once per process); False when this is not a dynamic-provider process."""
    global _started
    if not in_provider_process() or not enabled():
        return False
    with _lock:
        if _started:
            return True
        _started = True
    parent = os.getppid()
    launcher = parent if _is_shell(parent) else None
    engine = _ppid(launcher) if launcher else None

    def watch() -> None:
        while True:
            time.sleep(poll_seconds)
            if os.getppid() != parent or (launcher and _ppid(launcher) != engine):
                os._exit(EXIT_CODE)   # no cleanup: the engine that would read our answers is gone

    threading.Thread(target=watch, name="provisioner-engine-watchdog", daemon=True).start()
    return True
