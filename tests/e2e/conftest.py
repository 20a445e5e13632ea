"""End-to-end fixtures: the real `pulumi` engine, the real SDKs, the local cloud over HTTP.

Each test gets its own Pulumi project directory (a copy of program/), its own file backend
and stack, and a freshly reset local cloud. The engine comes from scripts/ensure-pulumi.sh
(the same script `make` uses), or from $PULUMI_BIN_DIR when the caller already resolved it.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from harness import REPO, Stack
from provisioner.localcloud.server import LocalCloud


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
    cloud.reset(reload_seed=True, restore_faults=True)   # accounts, tokens, counters, faults
    return cloud


@pytest.fixture
def stack(tmp_path, pulumi_bin, localcloud) -> Stack:
    return Stack(tmp_path, pulumi_bin, localcloud)
