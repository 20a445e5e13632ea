"""constraints.txt (the repository's pinned environment) matches pyproject.toml's ranges."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            found[canonicalize_name(name)] = version.strip()
    return found


def test_every_dependency_and_extra_is_pinned_within_its_range():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    requirements = [Requirement(r) for r in project["dependencies"]]
    requirements += [Requirement(r) for extra in project["optional-dependencies"].values() for r in extra]
    locked = pins(REPO / "constraints.txt")
    for req in requirements:
        name = canonicalize_name(req.name)
        assert name in locked, f"{req.name} is not in constraints.txt: run `make lock`"
        assert req.specifier.contains(locked[name], prereleases=True), \
            f"constraints.txt pins {req.name}=={locked[name]} outside {req.specifier}: run `make lock`"


def test_the_extra_pins_of_constraints_in_are_kept():
    locked = pins(REPO / "constraints.txt")
    for name, version in pins(REPO / "constraints.in").items():
        assert locked.get(name) == version, f"constraints.txt lost {name}=={version}: run `make lock`"
