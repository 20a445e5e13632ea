"""The dynamic provider's engine watchdog runs from the provider's start (issue 17): the .pth file
that the wheel installs starts it in `python -u -m pulumi.dynamic` before any request, and
nowhere else (provisioner/_provider_boot.py, provisioner/core/watchdog.py).

The process tests run the real `python -u -m pulumi.dynamic` of this environment, started by an
"engine" process directly, through a launcher shell that does not exec it (`sh -c`), and through
a #! script named like the upstream `pulumi-resource-pulumi-python` shim (which runs python
without exec); they kill the engine (or the launcher) with SIGKILL once the provider has printed
its port, before any request reached it, and poll for the provider to be gone.
"""

from __future__ import annotations

import os
import signal
import site
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from provisioner import _provider_boot
from provisioner.core import watchdog

GONE_WITHIN = 10.0   # seconds; the watchdog polls every 0.5 s
THREAD = "provisioner-engine-watchdog"


@pytest.mark.parametrize(("argv", "module"), [
    (["python", "-u", "-m", "pulumi.dynamic"], "pulumi.dynamic"),
    (["python", "-um", "pulumi.dynamic", "extra"], "pulumi.dynamic"),
    (["python", "-mpulumi.dynamic"], "pulumi.dynamic"),
    (["python", "-W", "ignore", "-X", "dev", "-u", "-m", "pulumi.dynamic"], "pulumi.dynamic"),
    (["python", "-Wignore", "-m", "pulumi.dynamic"], "pulumi.dynamic"),
    (["python", "--check-hash-based-pycs", "never", "-m", "pulumi.dynamic"], "pulumi.dynamic"),
    (["python", "-m", "pytest", "-k", "pulumi.dynamic"], "pytest"),
    (["python", "-c", "pass", "-m", "pulumi.dynamic"], None),
    (["python", "-uc", "pass", "-m", "pulumi.dynamic"], None),
    (["python", "script.py", "-m", "pulumi.dynamic"], None),
    (["python", "-", "-m", "pulumi.dynamic"], None),
    (["python", "--version", "-m", "pulumi.dynamic"], None),
    (["python"], None),
    ([], None),
])
def test_main_module_is_read_from_the_interpreters_own_arguments(argv, module):
    assert _provider_boot.main_module(argv) == module
    assert _provider_boot.is_provider_command(argv) is (module == "pulumi.dynamic")


def test_the_environment_has_the_pth_file():
    """`make venv` installs the package editable; the wheel test checks the wheel's install."""
    found = [Path(d, _provider_boot.PTH_NAME) for d in site.getsitepackages() if Path(d, _provider_boot.PTH_NAME).exists()]
    assert found, f"{_provider_boot.PTH_NAME} is not in {site.getsitepackages()}: reinstall (make venv)"
    assert found[0].read_text() == _provider_boot.PTH_LINE
    # Processed after setuptools' editable finder, which makes `provisioner` importable.
    assert sorted(["__editable__.pulumi_db_accounts-0.2.0.pth", _provider_boot.PTH_NAME])[-1] == _provider_boot.PTH_NAME


SHOW = "import sys, threading; print(sorted(m for m in sys.modules if m.startswith('provisioner')), [t.name for t in threading.enumerate()])"


def test_nothing_happens_in_a_plain_python_process():
    out = subprocess.run([sys.executable, "-c", SHOW], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[] ['MainThread']"   # not even an import
    # The .pth's cheap test passes when "pulumi.dynamic" is anywhere in the arguments; the boot
    # module then sees that this is not `-m pulumi.dynamic`, and starts nothing.
    out = subprocess.run([sys.executable, "-c", SHOW, "-m", "pulumi.dynamic"], capture_output=True, text=True,
                         check=True).stdout
    modules, threads = out.strip().split("] [")
    assert "'provisioner._provider_boot'" in modules and "watchdog" not in modules, modules
    assert threads == "'MainThread']"


@pytest.mark.parametrize(("environ", "expected"), [({}, True), ({"PROVISIONER_PROVIDER_WATCHDOG": "0"}, False),
                                                   ({"PROVISIONER_PROVIDER_WATCHDOG": "off"}, False),
                                                   ({"PROVISIONER_PROVIDER_WATCHDOG": "1"}, True)])
def test_the_watchdog_runs_from_the_providers_interpreter_start(tmp_path, environ, expected):
    """A sitecustomize runs after the .pth files and before `-m pulumi.dynamic`: it reports what
    already runs at that point, and ends the process."""
    (tmp_path / "sitecustomize.py").write_text(textwrap.dedent(f"""
        import os
        {SHOW}
        print([m for m in ("pulumi", "grpc", "pydantic", "tencentcloud", "alibabacloud_tea_openapi") if m in sys.modules])
        os._exit(0)
    """))
    env = {k: v for k, v in os.environ.items() if k != "PROVISIONER_PROVIDER_WATCHDOG"}
    env.update(environ, PYTHONPATH=str(tmp_path))
    out = subprocess.run([sys.executable, "-u", "-m", "pulumi.dynamic"], capture_output=True, text=True, env=env,
                         timeout=60, check=True).stdout
    assert (THREAD in out) is expected, out
    # At interpreter start the boot loads the watchdog and the packages around it (which import
    # only the standard library), none of the heavy dependencies.
    modules, heavy = out.splitlines()
    assert "'provisioner.core.watchdog'" in modules, modules
    assert heavy == "[]"


def test_the_watchdog_is_off_with_the_environment_variable():
    assert watchdog.enabled({}) and watchdog.enabled({"PROVISIONER_PROVIDER_WATCHDOG": "yes"})
    assert not watchdog.enabled({"PROVISIONER_PROVIDER_WATCHDOG": " False "})


# The "engine": starts the provider and reports its pid and its launcher's once the provider has
# printed its port (serving, no request sent), then waits to be killed.
ENGINE = """
import subprocess, sys, time
launch, shim = sys.argv[1], sys.argv[2]
provider = [sys.executable, "-u", "-m", "pulumi.dynamic"]
cmd = {"direct": provider, "sh-c": ["sh", "-c", '"$0" -u -m pulumi.dynamic; true', sys.executable],
       "shim": [shim, sys.executable]}[launch]
child = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
port = child.stdout.readline().strip()
assert port.isdigit(), port
pid = child.pid if launch == "direct" else int(open(f"/proc/{child.pid}/task/{child.pid}/children").read().split()[0])
print(pid, child.pid, flush=True)
time.sleep(600)
"""
# The upstream shim's shape: a #! script that runs python without exec (and so stays its parent).
SHIM = """#!/bin/sh
"$1" -u -m pulumi.dynamic
"""


def _alive(pid: int) -> bool:
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


@pytest.mark.parametrize(("launch", "killed"), [("direct", "engine"), ("sh-c", "engine"), ("shim", "engine"),
                                                ("shim", "launcher")])
def test_a_provider_that_received_no_request_exits_with_its_engine(tmp_path, launch, killed):
    shim = tmp_path / "pulumi-resource-pulumi-python"
    shim.write_text(SHIM)
    shim.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "PROVISIONER_PROVIDER_WATCHDOG"}
    engine = subprocess.Popen([sys.executable, "-c", ENGINE, launch, str(shim)], stdout=subprocess.PIPE, text=True,
                              env=env, start_new_session=True)
    pids: list[int] = []
    try:
        line = engine.stdout.readline()
        assert line, "the provider did not start"
        provider, launcher = map(int, line.split())
        pids = [provider, launcher]
        assert _alive(provider)
        os.kill(engine.pid if killed == "engine" else launcher, signal.SIGKILL)
        if killed == "engine":
            engine.wait()
        until = time.monotonic() + GONE_WITHIN
        while any(map(_alive, pids)) and time.monotonic() < until:
            time.sleep(0.05)
        assert not _alive(provider), f"the provider ({launch}) outlived its {killed}"
        assert not _alive(launcher), "the launcher outlived its provider"
    finally:
        for pid in [*pids, engine.pid]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        engine.wait()
