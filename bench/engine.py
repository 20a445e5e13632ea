"""Driving the real `pulumi` CLI: one project + file backend + stack per variant, plugin
shims, and a watcher for the dynamic-provider process (peak memory, CPU).

The engine looks for `pulumi-resource-pulumi-python` next to the `pulumi` binary first (by
its resolved path: a symlink would lead it back to the official one), then on PATH. A variant
that needs the bench launcher therefore gets its own bin directory: hard links (or copies) of
the engine's files with our shim in place of the official plugin script. The watcher records
each provider's command line, so a run can prove which plugin the engine really started.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PROGRAM = Path(__file__).resolve().parent / "program"
LAUNCHER = Path(__file__).resolve().parent / "launcher.py"
PASSPHRASE = "bench-passphrase"
PLUGIN = "pulumi-resource-pulumi-python"


def shim_bin_dir(engine_bin: Path, dest: Path) -> Path:
    """A copy of the engine's bin dir whose dynamic-provider plugin runs bench/launcher.py."""
    dest.mkdir(parents=True, exist_ok=True)
    for src in engine_bin.iterdir():
        if src.name == PLUGIN or not src.is_file():
            continue
        target = dest / src.name
        try:
            os.link(src, target)
        except OSError:
            shutil.copy2(src, target)
    shim = dest / PLUGIN
    shim.write_text("#!/bin/sh\n# bench-only: the Python dynamic-provider server via bench/launcher.py\n"
                    f'exec "{sys.executable}" -u "{LAUNCHER}" "$@"\n')
    shim.chmod(0o755)
    return dest


# --- the provider watcher -------------------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")
PROVIDER_MARKERS = ("pulumi.dynamic", str(LAUNCHER))
PROGRAM_MARKER = "pulumi-language-python-exec"
LANGHOST_MARKER = "pulumi-language-python"


def _read(path: str) -> str | None:
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError:
        return None


def _ppid_and_cpu(pid: int) -> tuple[int, float] | None:
    stat = _read(f"/proc/{pid}/stat")
    if not stat:
        return None
    rest = stat[stat.rfind(")") + 2:].split()
    return int(rest[1]), (int(rest[11]) + int(rest[12])) / _TICK


@dataclass
class Watched:
    pid: int
    cmdline: str
    role: str                     # "engine" | "langhost" | "program" | "provider"
    hwm_kb: int = 0
    cpu_s: float = 0.0
    threads: int = 0


class ProcessWatcher:
    """Polls /proc (every `interval` s) for the provider and program processes under `root`."""

    def __init__(self, root_pid: int, interval: float = 0.05):
        self.root_pid, self.interval = root_pid, interval
        self.seen: dict[int, Watched] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _descends(self, pid: int) -> bool:
        for _ in range(6):
            info = _ppid_and_cpu(pid)
            if info is None:
                return False
            pid = info[0]
            if pid == self.root_pid:
                return True
            if pid <= 1:
                return False
        return False

    def _poll(self) -> None:
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            pid = int(name)
            w = self.seen.get(pid)
            if w is None:
                cmd = (_read(f"/proc/{pid}/cmdline") or "").replace("\0", " ").strip()
                role = ("engine" if pid == self.root_pid else
                        "provider" if any(m in cmd for m in PROVIDER_MARKERS) else
                        "program" if PROGRAM_MARKER in cmd else
                        "langhost" if LANGHOST_MARKER in cmd else None)
                if role is None or (role != "engine" and not self._descends(pid)):
                    continue
                w = self.seen[pid] = Watched(pid, cmd, role)
            status = _read(f"/proc/{pid}/status") or ""
            m = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
            t = re.search(r"^Threads:\s+(\d+)", status, re.M)
            info = _ppid_and_cpu(pid)
            if m:
                w.hwm_kb = max(w.hwm_kb, int(m.group(1)))
            if t:
                w.threads = max(w.threads, int(t.group(1)))
            if info:
                w.cpu_s = max(w.cpu_s, info[1])

    def _run(self) -> None:
        while not self._stop.is_set():
            self._poll()
            self._stop.wait(self.interval)

    def stop(self) -> list[Watched]:
        self._stop.set()
        self._thread.join()
        return list(self.seen.values())


# --- the project -----------------------------------------------------------------------------------

@dataclass
class CommandResult:
    args: list[str]
    returncode: int
    wall_s: float
    stdout: str
    stderr: str
    cpu_s: float                                   # engine + program + provider (waited children)
    processes: list[Watched] = field(default_factory=list)

    def summary(self) -> list[str]:
        """The engine's closing 'Resources:' block, for the record."""
        lines = self.stdout.splitlines()
        for i, line in enumerate(lines):
            if line.strip() == "Resources:":
                out = []
                for row in lines[i + 1:]:
                    if not row.strip():
                        break
                    out.append(row.strip())
                return out
        return []


class Project:
    """One Pulumi project dir (bench/program + accounts.json), file backend and stack."""

    def __init__(self, root: Path, bin_dir: Path, cloud_url: str, extra_env: dict[str, str],
                 parallel: int | None = None):
        self.root = root
        self.dir = root / "project"
        shutil.copytree(PROGRAM, self.dir, ignore=shutil.ignore_patterns("__pycache__"))
        yaml = (self.dir / "Pulumi.yaml").read_text().replace("VENV_PLACEHOLDER", sys.prefix)
        (self.dir / "Pulumi.yaml").write_text(yaml)
        (root / "state").mkdir()
        self.parallel = parallel
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "PROVISIONER_"))},
            **extra_env,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "PULUMI_HOME": str(root / "pulumi-home"),
            "PULUMI_BACKEND_URL": f"file://{root / 'state'}",
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_SKIP_UPDATE_CHECK": "1",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "1",
            "PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK": "1",
            "TENCENTCLOUD_SECRET_ID": "localcloud-access-key", "TENCENTCLOUD_SECRET_KEY": "localcloud-secret-key",
            "ALIBABA_CLOUD_ACCESS_KEY_ID": "localcloud-access-key",
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "localcloud-secret-key",
        }
        self.run("stack", "init", "bench")
        self.run("config", "set", "provisioner:endpoint", cloud_url)

    def declare(self, accounts: dict[str, Any]) -> None:
        (self.dir / "accounts.json").write_text(json.dumps(accounts, indent=1))

    def run(self, *args: str, watch: bool = False, check: bool = True, timeout: float = 1800) -> CommandResult:
        argv = ["pulumi", *args, "--non-interactive"]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=self.dir, env=self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        watcher = ProcessWatcher(proc.pid) if watch else None
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            stdout, stderr = proc.communicate()
        wall = time.perf_counter() - t0
        seen = watcher.stop() if watcher else []
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        result = CommandResult(argv, proc.returncode, wall, stdout, stderr, cpu, seen)
        if check and proc.returncode != 0:
            raise PhaseError(f"{' '.join(argv)} exited {proc.returncode}\n{stdout[-4000:]}\n{stderr[-4000:]}")
        return result

    def _parallel(self) -> list[str]:
        return ["--parallel", str(self.parallel)] if self.parallel else []

    def up(self) -> CommandResult:
        return self.run("up", "--yes", "--skip-preview", *self._parallel(), watch=True)

    def preview(self) -> CommandResult:
        return self.run("preview", "--expect-no-changes", *self._parallel(), watch=True)

    def refresh(self) -> CommandResult:
        return self.run("refresh", "--yes", "--skip-preview", *self._parallel(), watch=True)

    def destroy(self) -> CommandResult:
        return self.run("destroy", "--yes", "--skip-preview", *self._parallel(), watch=True)

    def export(self) -> str:
        return self.run("stack", "export").stdout

    def state_file_bytes(self) -> int:
        """The stack's state file as the file backend stores (and rewrites) it: compact JSON."""
        return sum(f.stat().st_size for f in (self.root / "state" / ".pulumi" / "stacks").rglob("*.json"))


class PhaseError(RuntimeError):
    pass


def state_breakdown(export_text: str) -> dict[str, Any]:
    """Bytes of the exported state; per account resource (compact JSON), by top-level field."""
    doc = json.loads(export_text)
    resources = (doc.get("deployment") or {}).get("resources") or []
    accounts = [r for r in resources if str(r.get("type", "")).startswith("pulumi-python:dynamic")]
    n = max(1, len(accounts))

    def size(value: Any) -> int:
        return len(json.dumps(value, separators=(",", ":")))

    per_field: dict[str, int] = {}
    provider = 0
    for r in accounts:
        for key, value in r.items():
            per_field[key] = per_field.get(key, 0) + size(value) + len(key) + 4
        for section in ("inputs", "outputs"):
            value = (r.get(section) or {}).get("__provider")
            if value is not None:
                provider += size(value)
    return {"export_bytes": len(export_text.encode()), "account_resources": len(accounts),
            "mean_resource_bytes_compact": round(sum(size(r) for r in accounts) / n, 1),
            "mean_provider_field_bytes_compact": round(provider / n, 1),
            "mean_bytes_by_field_compact": {k: round(v / n) for k, v in
                                            sorted(per_field.items(), key=lambda kv: -kv[1])}}
