"""The serialized providers of existing stacks still load (provisioner.compat is the surface).

Every committed state fixture (tests/fixtures/state-*/state.json, written by a release) is read
the way the dynamic-provider process reads it: base64, then dill. The pickles may name only the
documented classes, and those must be the ones the current code registers.
"""

from __future__ import annotations

import base64
import importlib
import json
import pickletools
from pathlib import Path

import dill
import pytest
from pulumi.dynamic.dynamic import serialize_provider

from provisioner import LibraDBAccount, PolarDBAccount, RdsAccount
from provisioner.compat import ACCOUNT_TYPES, SERIALIZED_REFERENCES

FIXTURES = sorted((Path(__file__).resolve().parents[1] / "fixtures").glob("state-*/state.json"))


def referenced_globals(pickled: bytes) -> set[str]:
    """The "module.name" of every global a pickle loads (GLOBAL, or STACK_GLOBAL after two strings)."""
    found, strings = set(), []
    for opcode, arg, _pos in pickletools.genops(pickled):
        if opcode.name == "GLOBAL":
            found.add(arg.replace(" ", "."))
        elif opcode.name == "STACK_GLOBAL":
            found.add(".".join(strings[-2:]))
        elif "UNICODE" in opcode.name or opcode.name.endswith("STRING"):
            strings.append(arg)
    return found


def dynamic_resources(state_file: Path):
    for resource in json.loads(state_file.read_text())["deployment"]["resources"]:
        if resource["type"] in ACCOUNT_TYPES:
            yield resource


def provider_class(type_token: str) -> type:
    module, cls = ACCOUNT_TYPES[type_token]
    return getattr(importlib.import_module(module), cls)


def test_the_surface_is_what_docs_compatibility_md_promises():
    """ACCOUNT_TYPES comes from the products' descriptors: changing one changes what every new
    state pickles, so it must be a deliberate change here too (with a migration)."""
    assert ACCOUNT_TYPES == {
        "pulumi-python:dynamic/provisioner:LibraDBAccount": ("provisioner.products.libradb.provider", "LibraDBAccountProvider"),
        "pulumi-python:dynamic/provisioner:RdsAccount": ("provisioner.products.rds.provider", "RdsAccountProvider"),
        "pulumi-python:dynamic/provisioner:PolarDBAccount": ("provisioner.products.polardb.provider", "PolarDBAccountProvider"),
    }
    assert SERIALIZED_REFERENCES == {f"{m}.{c}" for m, c in ACCOUNT_TYPES.values()} | {
        "provisioner.resources.libradb.LibraDBAccountProvider", "provisioner.resources.rds.RdsAccountProvider",
        "provisioner.resources.polardb.PolarDBAccountProvider", "provisioner.rotation_state.RotationStateProvider"}


def test_the_rotation_schedule_pickles_to_its_documented_reference():
    from provisioner.compat import OTHER_TYPES
    from provisioner.rotation_state import RotationState, RotationStateProvider
    token = f"pulumi-python:{RotationState._resource_type_name}"
    assert OTHER_TYPES[token] == (RotationStateProvider.__module__, RotationStateProvider.__qualname__)
    pickled = base64.b64decode(serialize_provider(RotationStateProvider()))
    assert referenced_globals(pickled) == {"provisioner.rotation_state.RotationStateProvider"}


def test_there_is_a_fixture_of_every_account_type():
    assert FIXTURES, "no state fixture"
    for state_file in FIXTURES:
        assert {r["type"] for r in dynamic_resources(state_file)} == set(ACCOUNT_TYPES), state_file


@pytest.mark.parametrize("state_file", FIXTURES, ids=lambda p: p.parent.name)
def test_providers_pickled_by_a_release_unpickle_into_the_current_classes(state_file):
    for resource in dynamic_resources(state_file):
        for props in (resource["inputs"], resource["outputs"]):
            pickled = base64.b64decode(props["__provider"])
            # A release pickled its own path (the 0.1 and 0.2 releases: provisioner.resources.*):
            # one global, and one the surface still serves.
            (reference,) = referenced_globals(pickled)
            assert reference in SERIALIZED_REFERENCES, resource["urn"]
            provider = dill.loads(pickled)
            assert type(provider) is provider_class(resource["type"])
            assert vars(provider) == {}   # nothing captured: no credentials, no clients
            # The loaded provider does its job: it reads the identity back from the resource id.
            identity = provider.parse_id(resource["id"])
            assert identity["name"] == resource["outputs"]["name"]


@pytest.mark.parametrize("resource_class", [LibraDBAccount, RdsAccount, PolarDBAccount])
def test_the_current_providers_pickle_to_the_documented_references_only(resource_class):
    token = f"pulumi-python:{resource_class._resource_type_name}"
    cls = provider_class(token)
    pickled = base64.b64decode(serialize_provider(cls()))
    assert referenced_globals(pickled) == {f"{cls.__module__}.{cls.__qualname__}"}
    assert referenced_globals(pickled) <= SERIALIZED_REFERENCES
    assert type(dill.loads(pickled)) is cls
