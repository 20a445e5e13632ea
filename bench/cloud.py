"""The local cloud as a subprocess (its own interpreter: its request handling does not share a
GIL with the bench's watcher or with the provider), in-memory state, seeded to match the
workload, with the documented rate limits ON, latency with jitter on every action, and the
realistic behaviour (accounts settle after writes, deletes complete later, ...) unless asked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from provisioner.localcloud.admin_client import AdminClient

# Rate limits: the emulator's defaults, written out so the run records exactly what applied.
RATE_LIMITS = {"libradb:*LibraDBClusterAccount*": 20, "rds:CreateAccount": 50}


def faults_plan(latency_ms: float, jitter_ms: float) -> dict[str, Any]:
    """latency_ms +/- jitter_ms, uniform: the emulator adds base + uniform(0, jitter)."""
    return {"seed": 0, "rate_limits": dict(RATE_LIMITS),
            "latency": {"*": {"base_ms": max(0.0, latency_ms - jitter_ms), "jitter_ms": 2 * jitter_ms}}}


class CloudProcess:
    def __init__(self, workdir: Path, seed: dict[str, Any], faults: dict[str, Any], *,
                 behaviour: str = "realistic", behaviour_scale: float = 1.0):
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "seed.json").write_text(json.dumps(seed, indent=1))
        (workdir / "faults.json").write_text(json.dumps(faults, indent=1))
        self.log = open(workdir / "localcloud.log", "wb")
        cli = Path(sys.executable).with_name("provisioner")
        cmd = [str(cli), "localcloud", "--port", "0", "--state", ":memory:",
               "--seed", str(workdir / "seed.json"), "--faults", str(workdir / "faults.json"),
               "--log-level", "WARNING", "--behaviour", behaviour, "--behaviour-scale", str(behaviour_scale)]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PROVISIONER_LOCALCLOUD_")}
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.log, env=env)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().decode().strip()   # blocks until it listens
        if not line.startswith("localcloud listening on "):
            self.stop()
            raise RuntimeError(f"local cloud did not start: {line!r}; see {workdir / 'localcloud.log'}")
        self.url = line.rsplit(" ", 1)[1]
        self.admin = AdminClient(self.url, timeout=120)

    def counters(self) -> dict[str, Any]:
        return self.admin.counters()

    def reset_counters(self) -> None:
        self.admin.reset_counters()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
