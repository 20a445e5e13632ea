"""A user's Pulumi project outside the repository, on the wheel of this repository.

The wheel is built once per source tree and the project's virtualenv once per Pulumi SDK "leg";
both are cached under $PROVISIONER_TEST_CACHE (default ~/.cache/provisioner-tests), so a rerun on
unchanged code installs nothing. Worktrees share that cache: a file lock keeps a virtualenv to one
test run at a time (install and use), and the wheel build to one builder. Legs (the supported range of the Pulumi Python SDK):
  lowest — every dependency at the lowest version pyproject.toml allows (pulumi at its floor);
  newest — the newest versions the registry serves within the ranges (as a new user gets them).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Iterator

from packaging.requirements import Requirement

from harness import REPO

CACHE = Path(os.environ.get("PROVISIONER_TEST_CACHE") or Path.home() / ".cache/provisioner-tests")
UV = Path(sys.prefix) / "bin" / "uv"
DISTRIBUTION = "pulumi-db-accounts"
LEGS = ("lowest", "newest")


def run(*cmd: str | Path, **kwargs) -> str:
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=600, **kwargs)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def source_digest() -> str:
    """What the wheel is made of: pyproject.toml, setup.py, README.md and the package's files."""
    digest = hashlib.sha256()
    files = [REPO / "pyproject.toml", REPO / "setup.py", REPO / "README.md"]
    files += sorted(p for p in (REPO / "provisioner").rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in files:
        digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)   # released when the file closes
        yield


def build_wheel() -> Path:
    wheels_dir = CACHE / "wheels"
    out = wheels_dir / source_digest()
    with locked(wheels_dir / ".lock"):
        wheels = sorted(out.glob("*.whl"))
        if not wheels:
            tmp = wheels_dir / f".build-{os.getpid()}"
            shutil.rmtree(tmp, ignore_errors=True)
            # sdist first, then the wheel from it: nothing stale of an in-tree build/ gets in
            run(UV, "build", "--quiet", "--out-dir", tmp, REPO)
            tmp.rename(out)   # complete or absent, never half-written
            wheels = sorted(out.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def floors() -> list[str]:
    """`name==X` for every dependency `name>=X,...` of pyproject.toml, and of the [localcloud] extra."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pins = []
    for dep in project["dependencies"] + project["optional-dependencies"]["localcloud"]:
        req = Requirement(dep)
        lower = [spec.version for spec in req.specifier if spec.operator == ">="]
        assert len(lower) == 1, f"a dependency needs one lower bound (>=), the floor this test installs: {dep}"
        pins.append(f"{req.name}=={lower[0]}")
    return pins


@contextlib.contextmanager
def user_venv(leg: str, wheel: Path) -> Iterator[Path]:
    """The project's virtualenv for a leg, with the wheel and its [localcloud] extra (and nothing of
    the repo's environment), held for this caller until the block ends."""
    venv = CACHE / "venvs" / f"{leg}-py{sys.version_info.major}{sys.version_info.minor}"
    with locked(venv.with_name(venv.name + ".lock")):
        _install(venv, leg, wheel)
        yield venv


def _install(venv: Path, leg: str, wheel: Path) -> None:
    if not (venv / "bin" / "python").exists():
        run(UV, "venv", "--quiet", "--python", sys.executable, venv)
    python = venv / "bin" / "python"
    requirement = f"{DISTRIBUTION}[localcloud] @ {wheel.as_uri()}"
    stamp = venv / ".installed"   # what is installed: the requirement, then the pinned floors
    if leg == "newest":   # always asks the registry (a no-op when nothing newer exists)
        stamp.unlink(missing_ok=True)
        run(UV, "pip", "install", "--quiet", "--python", python, "--reinstall-package", DISTRIBUTION,
            "--upgrade", requirement)
        return
    pinned = "\n".join(floors()) + "\n"
    installed = stamp.read_text().split("\n", 1) if stamp.exists() else ["", ""]
    if installed == [requirement, pinned]:
        return   # this wheel at these floors is already there
    stamp.unlink(missing_ok=True)
    if installed[1] == pinned:   # same dependencies, new code: swap the package only
        run(UV, "pip", "install", "--quiet", "--python", python, "--reinstall-package", DISTRIBUTION,
            "--no-deps", wheel)
    else:
        (venv / "floors.txt").write_text(pinned)
        run(UV, "pip", "install", "--quiet", "--python", python, "--reinstall-package", DISTRIBUTION,
            "--constraints", venv / "floors.txt", requirement)
    stamp.write_text(requirement + "\n" + pinned)


class UserLocalCloud:
    """`provisioner localcloud` run from the user's virtualenv, as the README says; ready when it
    prints its address (read from its output: no polling)."""

    access_key, secret_key = "localcloud-access-key", "localcloud-secret-key"

    def __init__(self, venv: Path, log: Path):
        from provisioner.localcloud.admin_client import AdminClient

        self._log = open(log, "w")
        self._proc = subprocess.Popen([venv / "bin/provisioner", "localcloud", "--port", "0", "--state", ":memory:"],
                                      stdout=subprocess.PIPE, stderr=self._log, text=True, cwd=log.parent)
        line = self._proc.stdout.readline()
        if not line.startswith("localcloud listening on "):
            self.stop()
            raise AssertionError(f"the local cloud did not start: {line!r}\n{log.read_text()}")
        self.url = line.split()[-1]
        self.admin = AdminClient(self.url)

    def stop(self) -> None:
        self._proc.terminate()
        self._proc.wait(timeout=30)
        self._log.close()


def installed_version(venv: Path, distribution: str) -> str:
    return run(venv / "bin" / "python", "-c",
               f"import importlib.metadata as m; print(m.version({distribution!r}))").strip()


def readme_block(language: str, first_line: str) -> str:
    """A fenced block of the README that starts with `first_line` (e.g. `# __main__.py`)."""
    readme = (REPO / "README.md").read_text()
    for block in re.findall(rf"```{language}\n(.*?)```", readme, flags=re.DOTALL):
        if block.startswith(first_line + "\n"):
            return block
    raise AssertionError(f"README.md has no ```{language} block starting with {first_line!r}")
