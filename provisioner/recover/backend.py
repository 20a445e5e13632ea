"""The Pulumi side of recover: the CLI, the project's name, and the file backend's lock files and
blob metadata files (gocloud's fileblob `.attrs` sidecars) of one stack."""

from __future__ import annotations

import json
import os
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from provisioner.recover import RecoverError


@dataclass
class Pulumi:
    stack: str | None = None
    cwd: str | None = None
    binary: str = "pulumi"

    def run(self, *args: str, check: bool = True, stream: bool = False) -> subprocess.CompletedProcess:
        cmd = [self.binary, *args, "--non-interactive"]
        if self.stack:
            cmd += ["--stack", self.stack]
        proc = subprocess.run(cmd, cwd=self.cwd, text=True,
                              stdout=None if stream else subprocess.PIPE, stderr=None if stream else subprocess.PIPE)
        if check and proc.returncode != 0:
            detail = "" if stream else f"\n{proc.stdout or ''}{proc.stderr or ''}".rstrip()
            raise RecoverError(f"`pulumi {' '.join(args)}` exited {proc.returncode}{detail}")
        return proc

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args).stdout)


def project_name(cwd: str | None) -> str:
    """The `name` of the project's Pulumi.yaml (the backend files are kept under it)."""
    import yaml
    for name in ("Pulumi.yaml", "Pulumi.yml"):
        path = Path(cwd or ".") / name
        if path.exists():
            return str(yaml.safe_load(path.read_text())["name"])
    raise RecoverError(f"no Pulumi.yaml in {Path(cwd or '.').resolve()}: run in the project directory or pass --cwd")


# --- locks (file backends) -------------------------------------------------------------------------

@dataclass
class Lock:
    path: Path
    pid: int
    hostname: str
    timestamp: str

    @property
    def stale(self) -> bool:
        """Taken on this host by a process that is gone (or is no longer a pulumi process)."""
        if self.hostname != socket.gethostname():
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        try:   # the pid was reused by something else
            return b"pulumi" not in Path(f"/proc/{self.pid}/cmdline").read_bytes()
        except OSError:
            return False


def stack_locks(backend_url: str, project: str, stack: str) -> list[Lock]:
    """Lock files of the stack in a file:// backend (project layout and the legacy one)."""
    root = _backend_root(backend_url)
    if root is None:
        return []
    name, locks_dir = stack.split("/")[-1], root / "locks"
    paths = list(locks_dir.glob(f"*/{project}/{name}/*.json")) + list(locks_dir.glob(f"{name}/*.json"))
    locks = []
    for path in paths:
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        locks.append(Lock(path, int(data.get("pid") or 0), str(data.get("hostname") or ""),
                          str(data.get("timestamp") or "")))
    return locks


def _backend_root(backend_url: str) -> Path | None:
    return Path(backend_url[len("file://"):]).expanduser() / ".pulumi" if backend_url.startswith("file://") else None


# --- blob metadata (file backends) -------------------------------------------------------------------

def broken_sidecars(backend_url: str, project: str, stack: str) -> list[Path]:
    """Empty or unreadable `.attrs` files of the stack's checkpoint, backups, history and locks."""
    root = _backend_root(backend_url)
    if root is None:
        return []
    name = stack.split("/")[-1]
    patterns = [f"stacks/{project}/{name}.json*.attrs", f"stacks/{name}.json*.attrs",
                f"locks/*/{project}/{name}/*.attrs", f"locks/{name}/*.attrs",
                f"history/{project}/{name}/*.attrs", f"history/{name}/*.attrs",
                f"backups/{project}/{name}/*.attrs", f"backups/{name}/*.attrs"]
    broken = []
    for path in sorted({p for pattern in patterns for p in root.glob(pattern)}):
        try:
            json.loads(path.read_text() or "null")["md5"]
        except (OSError, ValueError, TypeError, KeyError):
            broken.append(path)
    return broken
