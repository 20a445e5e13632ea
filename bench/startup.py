"""Provider start-up: from exec to the port line, and what the first requests import.

The engine starts the plugin script, which execs `python -u -m pulumi.dynamic`; the engine
waits for the port on stdout before it sends anything. The provisioner's modules are imported
later, when the first request unpickles a provider (`provisioner.resources.<type>`), and the
cloud SDKs when the first cloud call builds an adapter (`provisioner.core.clients`).
Each figure is the median over `repeat` fresh processes (warm OS cache, compiled .pyc).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _time_to_port(argv: list[str], env: dict[str, str], cwd: str) -> float:
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        elapsed = time.perf_counter() - t0
        if not line.strip().isdigit():
            raise RuntimeError(f"{argv} printed {line!r} instead of a port: {proc.stderr.read()[-2000:]!r}")
        return elapsed
    finally:
        proc.kill()
        proc.wait()


_IMPORT_SNIPPET = """
import sys, time
for m in {pre!r}:
    __import__(m)
t = time.perf_counter()
for m in {mods!r}:
    __import__(m)
sys.stdout.write(repr(time.perf_counter() - t))
"""


def _time_import(mods: list[str], pre: list[str]) -> float:
    out = subprocess.run([sys.executable, "-c", _IMPORT_SNIPPET.format(mods=mods, pre=pre)],
                         capture_output=True, text=True, check=True).stdout
    return float(out)


def _median(samples: list[float]) -> dict[str, Any]:
    return {"median_s": round(statistics.median(samples), 4), "min_s": round(min(samples), 4),
            "max_s": round(max(samples), 4), "samples": len(samples)}


def measure(engine_bin: Path, repeat: int = 5) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
    env["PULUMI_RUNTIME_VIRTUALENV"] = sys.prefix
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as cwd:
        direct = [sys.executable, "-u", "-m", "pulumi.dynamic"]
        via_plugin = [str(engine_bin / "pulumi-resource-pulumi-python")]
        _time_to_port(direct, env, cwd)   # warm the OS cache once, not counted
        results["provider_to_port_direct"] = _median([_time_to_port(direct, env, cwd) for _ in range(repeat)])
        results["provider_to_port_plugin_script"] = _median([_time_to_port(via_plugin, env, cwd) for _ in range(repeat)])
    bare = [sys.executable, "-c", "pass"]
    t = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(bare, check=True)
        t.append(time.perf_counter() - t0)
    results["python_bare_start"] = _median(t)
    imports = {
        "import pulumi.dynamic": (["pulumi.dynamic"], []),
        "import provisioner.products.libradb.resource (after pulumi)": (["provisioner.products.libradb.resource"], ["pulumi.dynamic"]),
        "import provisioner.products.rds.resource (after pulumi)": (["provisioner.products.rds.resource"], ["pulumi.dynamic"]),
        "import provisioner.products.polardb.resource (after pulumi)": (["provisioner.products.polardb.resource"], ["pulumi.dynamic"]),
        "import all three resource modules (after pulumi)": (
            ["provisioner.products.libradb.resource", "provisioner.products.rds.resource", "provisioner.products.polardb.resource"],
            ["pulumi.dynamic"]),
        "import provisioner.core.clients + SDKs (after resources)": (
            ["provisioner.core.clients", "tencentcloud.cynosdb.v20190107.cynosdb_client",
             "alibabacloud_rds20140815.client", "alibabacloud_polardb20170801.client"],
            ["pulumi.dynamic", "provisioner.products.libradb.resource", "provisioner.products.rds.resource",
             "provisioner.products.polardb.resource"]),
    }
    results["imports"] = {}
    for label, (mods, pre) in imports.items():
        _time_import(mods, pre)  # warm
        results["imports"][label] = _median([_time_import(mods, pre) for _ in range(repeat)])
    port = results["provider_to_port_plugin_script"]["median_s"]
    first = results["imports"]["import all three resource modules (after pulumi)"]["median_s"]
    sdk = results["imports"]["import provisioner.core.clients + SDKs (after resources)"]["median_s"]
    results["to_port_s"] = port
    results["to_first_answer_s"] = round(port + first, 4)
    results["to_first_cloud_call_s"] = round(port + first + sdk, 4)
    return results
