"""The public API: the three argument forms give the same resource; outputs are typed properties.

Resources are registered against Pulumi's mock monitor (pulumi.runtime.set_mocks): nothing reaches
an engine or a cloud; what is checked is what the program would send to the engine.
"""

from __future__ import annotations

import pulumi
import pytest

import provisioner
from provisioner import (
    LibraDBAccount,
    LibraDBAccountArgs,
    PolarDBAccount,
    PolarDBAccountArgs,
    RdsAccount,
    RdsAccountArgs,
)


class RecordingMocks(pulumi.runtime.Mocks):
    def __init__(self):
        self.registered: dict[str, dict] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        inputs = {k: v for k, v in args.inputs.items() if k != "__provider"}
        self.registered[args.name] = {"type": args.typ, "inputs": inputs}
        return f"{args.name}-id", {**inputs, "endpoint": "db.example:3306", "engine": "MySQL"}

    def call(self, args: pulumi.runtime.MockCallArgs):
        return {}


@pytest.fixture
def mocks():
    recording = RecordingMocks()
    pulumi.runtime.set_mocks(recording, preview=False)
    yield recording


FIELDS = dict(instance_id="rm-1", name="orders_app", description="orders", privileges={"orders": "ReadWrite"})


@pulumi.runtime.test
def test_args_object_dict_and_keywords_register_the_same_inputs(mocks):
    opts = pulumi.ResourceOptions(protect=True)
    resources = [RdsAccount("typed", RdsAccountArgs(**FIELDS), opts), RdsAccount("dict", dict(FIELDS), opts),
                 RdsAccount("kw", opts, **FIELDS), RdsAccount("kw2", **FIELDS, opts=opts),
                 RdsAccount("named", args=RdsAccountArgs(**FIELDS), opts=opts)]

    def check(_):
        registered = [mocks.registered[n] for n in ("typed", "dict", "kw", "kw2", "named")]
        assert all(r == registered[0] for r in registered)
        assert registered[0]["type"] == "pulumi-python:dynamic/provisioner:RdsAccount"
        assert registered[0]["inputs"]["privileges"] == {"orders": "ReadWrite"}
        assert registered[0]["inputs"]["account_type"] == "Normal"
    return pulumi.Output.all(*[r.urn for r in resources]).apply(check)


@pulumi.runtime.test
def test_outputs_are_properties_with_documentation(mocks):
    account = PolarDBAccount("inventory", PolarDBAccountArgs(cluster_id="pc-1", name="inventory_app",
                                                             password="Secret-Pass1"))

    def check(values):
        cluster_id, name, endpoint, is_secret = values
        assert (cluster_id, name, endpoint) == ("pc-1", "inventory_app", "db.example:3306")
        assert is_secret
    for cls in (LibraDBAccount, RdsAccount, PolarDBAccount):
        for prop in ("name", "password", "endpoint", "engine", "privileges", "description"):
            assert getattr(cls, prop).__doc__, f"{cls.__name__}.{prop} has no docstring"
    return pulumi.Output.all(account.cluster_id, account.name, account.endpoint,
                             pulumi.Output.from_input(account.password).is_secret()).apply(check)


@pulumi.runtime.test
def test_libradb_keywords(mocks):
    account = LibraDBAccount("analyst", cluster_id="libradb-1", name="analyst", host="10.0.0.1",
                             privileges={"databases": {"analytics": ["SELECT"]}})

    def check(host):
        assert host == "10.0.0.1"
        assert mocks.registered["analyst"]["inputs"]["privileges"] == {"databases": {"analytics": ["SELECT"]}}
    return account.host.apply(check)


@pytest.mark.parametrize("call, message", [
    (lambda: RdsAccount("x", RdsAccountArgs(**FIELDS), name="other"), "not both: name"),
    (lambda: RdsAccount("x", RdsAccountArgs(**FIELDS), args=RdsAccountArgs(**FIELDS)), "given twice"),
    (lambda: RdsAccount("x", RdsAccountArgs(**FIELDS), {"protect": True}), "only opts"),
    (lambda: RdsAccount("x", opts={"protect": True}, **FIELDS), "opts must be a pulumi.ResourceOptions"),
    (lambda: RdsAccount("x", ["rm-1"]), "args must be a RdsAccountArgs or a dict, not list"),
    (lambda: RdsAccount("x", {**FIELDS, "cluster_id": "pc-1"}), "unexpected keyword argument 'cluster_id'"),
    (lambda: LibraDBAccount("x", LibraDBAccountArgs(cluster_id="c", name="n"), "extra"), "only opts"),
])
def test_ambiguous_or_wrong_arguments_are_refused_with_the_reason(mocks, call, message):
    with pytest.raises(TypeError, match=message):
        call()


def test_the_public_names_are_the_lazy_exports():
    assert sorted(provisioner.__all__) == sorted(provisioner._EXPORTS)
    for name in provisioner.__all__:
        exported = getattr(provisioner, name)
        if name.endswith("Privilege"):   # a Literal alias of the allowed values
            assert "ReadOnly" in exported.__args__
        else:
            assert exported.__name__ == name
