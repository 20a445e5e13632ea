"""The stack trace our resources register with the engine (provisioner/core/sdk_state.py):
one frame, the declaring line; other resources keep the SDK's."""

from __future__ import annotations

import inspect

import pulumi
import pulumi.runtime
from pulumi.runtime import resource as sdk

from provisioner.core import sdk_state
from provisioner.products.libradb.resource import LibraDBAccount, LibraDBAccountArgs


class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        return args.name, args.inputs

    def call(self, args):
        return {}


class Other(pulumi.CustomResource):
    """A resource of the user's own (not ours): keeps what the SDK sends."""

    def __init__(self, name: str):
        super().__init__("test:index:Other", name, {"size": 1})


def _registered() -> dict[str, dict]:
    """The RegisterResource requests the engine would receive, by resource name."""
    pulumi.runtime.set_mocks(Mocks(), preview=False)
    monitor = pulumi.runtime.settings.SETTINGS.monitor
    seen: dict[str, dict] = {}
    register = monitor.RegisterResource

    def record(request):
        seen[request.name] = {
            "frames": [f"{f.pc.uri}#{f.pc.line}" for f in request.stackTrace.frames],
            "source": request.sourcePosition.uri,
        }
        return register(request)
    monitor.RegisterResource = record

    @pulumi.runtime.test
    def program():
        other = Other("other")
        plain = LibraDBAccount("plain", LibraDBAccountArgs(cluster_id="libradb-1", name="etl"))   # declaring line
        return pulumi.Output.all(other.urn, plain.urn)

    try:
        program()
    finally:
        pulumi.runtime.settings.reset_options()   # no mock monitor left for later tests
    return seen


def _declaring_line() -> int:
    src, start = inspect.getsourcelines(_registered)
    return start + next(i for i, line in enumerate(src) if "# declaring line" in line)


def test_ours_register_the_declaring_line_others_the_full_trace():
    assert sdk_state.install()   # installed by the resource constructors; installing again is a no-op
    seen = _registered()
    plain, other = seen["plain"], seen["other"]
    assert plain["frames"] == [f"{plain['source']}#{_declaring_line()}"]
    assert plain["source"].startswith("file://") and plain["source"].endswith("/test_sdk_state.py")
    assert len(other["frames"]) > 3   # untouched


def test_opt_out_keeps_what_the_sdk_sends(monkeypatch):
    monkeypatch.setattr(sdk, "_get_stack_trace", sdk._get_stack_trace.__wrapped__)   # as the SDK ships it
    assert not sdk_state.install({sdk_state.OPT_OUT: "0"})
    plain = _registered()["plain"]
    assert len(plain["frames"]) > 3 and plain["frames"][0].split("#")[0].endswith("provisioner/products/libradb/resource.py")

