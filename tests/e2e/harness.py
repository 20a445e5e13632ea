"""The end-to-end harness: a Pulumi project driven through the real CLI against the local cloud."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from provisioner.localcloud.server import LocalCloud

REPO = Path(__file__).resolve().parents[2]
PASSPHRASE = "e2e-test-passphrase"


class Stack:
    """One Pulumi project + file backend + stack, driven through the real CLI."""

    def __init__(self, root: Path, bin_dir: str, cloud: LocalCloud, name: str = "test",
                 source: Path = REPO / "tests/e2e/program", state: Path | None = None,
                 backend_url: str | None = None, env: dict[str, str] | None = None,
                 virtualenv: str | None = None):
        self.dir = root / source.name
        shutil.copytree(source, self.dir, symlinks=True, ignore=shutil.ignore_patterns(".venv", "__pycache__"))
        # Point the runtime at this interpreter's virtualenv by absolute path (the copy moved),
        # unless the project brings its own.
        yaml = re.sub(r"virtualenv: .*", f"virtualenv: {virtualenv or sys.prefix}",
                      (self.dir / "Pulumi.yaml").read_text())
        (self.dir / "Pulumi.yaml").write_text(yaml)
        state = state or root / "state"
        self.cloud = cloud
        self.env = {
            **os.environ,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "PULUMI_HOME": str(root / "pulumi-home"),
            "PULUMI_BACKEND_URL": backend_url or f"file://{state}",
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_SKIP_UPDATE_CHECK": "1",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "1",
            "PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK": "1",
            # Credentials come from the standard environment variables, as for a real user.
            "TENCENTCLOUD_SECRET_ID": cloud.access_key, "TENCENTCLOUD_SECRET_KEY": cloud.secret_key,
            "ALIBABA_CLOUD_ACCESS_KEY_ID": cloud.access_key, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": cloud.secret_key,
            **(env or {}),
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
