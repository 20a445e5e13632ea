"""End-to-end fixtures: the real `pulumi` engine, the real SDKs, the local cloud over HTTP.

Each test gets its own Pulumi project directory (a copy of program/), its own file backend
and stack, and a freshly reset local cloud. The engine comes from scripts/ensure-pulumi.sh
(the same script `make` uses), or from $PULUMI_BIN_DIR when the caller already resolved it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from provisioner.localcloud.server import LocalCloud

REPO = Path(__file__).resolve().parents[2]
PASSPHRASE = "e2e-test-passphrase"


@pytest.fixture(scope="session")
def pulumi_bin() -> str:
    bin_dir = os.environ.get("PULUMI_BIN_DIR")
    if not bin_dir:
        out = subprocess.run(["bash", str(REPO / "scripts/ensure-pulumi.sh")], check=True,
                             capture_output=True, text=True).stdout
        bin_dir = out.strip().splitlines()[-1]
    return bin_dir


@pytest.fixture(scope="session")
def cloud():
    with LocalCloud() as server:
        yield server


@pytest.fixture
def localcloud(cloud):
    cloud.reset(reload_seed=True, restore_faults=True)
    cloud.admin.reset_counters() if hasattr(cloud.admin, "reset_counters") else None
    return cloud


class Stack:
    """One Pulumi project + file backend + stack, driven through the real CLI."""

    def __init__(self, root: Path, bin_dir: str, cloud: LocalCloud, name: str = "test",
                 source: Path = REPO / "tests/e2e/program", state: Path | None = None):
        self.dir = root / source.name
        shutil.copytree(source, self.dir, symlinks=True, ignore=shutil.ignore_patterns(".venv", "__pycache__"))
        # Point the runtime at this interpreter's virtualenv by absolute path (the copy moved).
        yaml = re.sub(r"virtualenv: .*", f"virtualenv: {sys.prefix}", (self.dir / "Pulumi.yaml").read_text())
        (self.dir / "Pulumi.yaml").write_text(yaml)
        state = state or root / "state"
        self.cloud = cloud
        self.env = {
            **os.environ,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "PULUMI_HOME": str(root / "pulumi-home"),
            "PULUMI_BACKEND_URL": f"file://{state}",
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_SKIP_UPDATE_CHECK": "1",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "1",
            "PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK": "1",
            # Credentials come from the standard environment variables, as for a real user.
            "TENCENTCLOUD_SECRET_ID": cloud.access_key, "TENCENTCLOUD_SECRET_KEY": cloud.secret_key,
            "ALIBABA_CLOUD_ACCESS_KEY_ID": cloud.access_key, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": cloud.secret_key,
        }
        state.mkdir(exist_ok=True)
        self.name = name
        self.outputs_log: list[str] = []
        self.pulumi("stack", "init", name)
        self.pulumi("config", "set", "provisioner:endpoint", cloud.url)

    def declare(self, accounts: dict) -> None:
        (self.dir / "accounts.json").write_text(json.dumps(accounts, indent=2))

    def pulumi(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run(["pulumi", *args, "--non-interactive"], cwd=self.dir, env=self.env,
                              capture_output=True, text=True, timeout=900)
        if "--show-secrets" not in args:   # everything else is checked for leaked secrets
            self.outputs_log.append(proc.stdout + proc.stderr)
        if check and proc.returncode != 0:
            raise AssertionError(f"pulumi {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
        return proc

    def up(self, *extra: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.pulumi("up", "--yes", "--skip-preview", *extra, check=check)

    def preview(self, *extra: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.pulumi("preview", "--diff", *extra, check=check)

    def refresh(self, *extra: str) -> subprocess.CompletedProcess:
        return self.pulumi("refresh", "--yes", *extra)

    def export(self) -> str:
        return self.pulumi("stack", "export").stdout

    def outputs(self, secrets: bool = False) -> dict:
        args = ["stack", "output", "--json"] + (["--show-secrets"] if secrets else [])
        return json.loads(self.pulumi(*args).stdout)


@pytest.fixture
def stack(tmp_path, pulumi_bin, localcloud) -> Stack:
    return Stack(tmp_path, pulumi_bin, localcloud)
