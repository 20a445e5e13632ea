"""The processes of a run, by pid: recorded while it runs (walking /proc down from its root
process), checked after it was killed. A process is identified by pid and start time, so a pid
that the system reuses later is not mistaken for one of ours."""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rpartition(")")[2].split()   # after "(comm)": state, ppid, ...


@dataclass(frozen=True)
class Proc:
    pid: int
    start: str        # /proc/PID/stat field 22, clock ticks after boot
    cmdline: str

    def alive(self) -> bool:
        fields = _stat_fields(self.pid)
        # A zombie has exited (the container's init may never reap an orphan).
        return fields is not None and fields[19] == self.start and fields[0] != "Z"

    def kill(self) -> None:
        if self.alive():
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def descendants(root: int) -> dict[int, Proc]:
    """Every live process below `root`, now."""
    found: dict[int, Proc] = {}
    todo = _children(root)
    while todo:
        pid = todo.pop()
        fields = _stat_fields(pid)
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        if fields is None:
            continue
        found[pid] = Proc(pid, fields[19], cmdline)
        todo += _children(pid)
    return found


def alive_after(procs, timeout: float) -> list[Proc]:
    """Polls until every process has exited or `timeout` seconds have passed; the ones left."""
    until = time.monotonic() + timeout
    while True:
        left = [p for p in procs if p.alive()]
        if not left or time.monotonic() >= until:
            return left
        time.sleep(0.05)
