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
import shutil
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Iterator

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
    """What the wheel is made of: pyproject.toml, README.md and the package's files."""
    digest = hashlib.sha256()
    files = [REPO / "pyproject.toml", REPO / "README.md"]
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
            run(UV, "build", "--wheel", "--quiet", "--out-dir", tmp, REPO)
            tmp.rename(out)   # complete or absent, never half-written
            wheels = sorted(out.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def floors() -> list[str]:
    """`name==X` for every dependency `name>=X,...` of pyproject.toml."""
    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = []
    for dep in deps:
        match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*>=\s*([^,;\s]+).*", dep)
        assert match, f"dependency without a lower bound: {dep}"
        pins.append(f"{match[1]}=={match[2]}")
    return pins


@contextlib.contextmanager
def user_venv(leg: str, wheel: Path) -> Iterator[Path]:
    """The project's virtualenv for a leg, with the wheel (and nothing of the repo's environment),
    held for this caller until the block ends."""
    venv = CACHE / "venvs" / f"{leg}-py{sys.version_info.major}{sys.version_info.minor}"
    with locked(venv.with_name(venv.name + ".lock")):
        _install(venv, leg, wheel)
        yield venv


def _install(venv: Path, leg: str, wheel: Path) -> None:
    if not (venv / "bin" / "python").exists():
        run(UV, "venv", "--quiet", "--python", sys.executable, venv)
    stamp = venv / ".installed"
    wanted = f"{wheel.name} {wheel.parent.name}"
    if leg == "lowest":
        if stamp.exists() and stamp.read_text() == wanted:
            return
        constraints = venv / "floors.txt"
        constraints.write_text("\n".join(floors()) + "\n")
        extra = ["--constraints", str(constraints)]
    else:   # newest: always asks the registry (a no-op when nothing newer exists)
        extra = ["--upgrade"]
    run(UV, "pip", "install", "--quiet", "--python", venv / "bin" / "python",
        "--reinstall-package", DISTRIBUTION, *extra, wheel)
    stamp.write_text(wanted)


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
