"""A test program: declares whatever accounts.json (beside it) lists, so tests can change the
declared state between `pulumi up` runs without editing Python.

A test that kills a run at a chosen point makes the program wait there: E2E_HOLD_AT is "start"
(before declaring anything), "provider" (in the dynamic-provider process, before any request for
one of our resources: the program declares only a resource of its own provider, whose check
waits) or "preview" (in a preview, once the engine has registered every account, so the
provider has checked them all), and E2E_HOLD_FIFO names a FIFO that the test
opens for writing once the program waits on it and never writes to. E2E_HOLD_PORT makes it
connect to the test's port and wait there for a byte before declaring anything: a run that the
test lets go on (the lock test holds one run while a second one starts)."""

import json
import os
import pathlib
import socket

import pulumi

from provisioner import (
    LibraDBAccount,
    LibraDBAccountArgs,
    PolarDBAccount,
    PolarDBAccountArgs,
    RdsAccount,
    RdsAccountArgs,
)

KINDS = {
    "libradb": (LibraDBAccount, LibraDBAccountArgs),
    "rds": (RdsAccount, RdsAccountArgs),
    "polardb": (PolarDBAccount, PolarDBAccountArgs),
}
HOLD_AT = os.environ.get("E2E_HOLD_AT")


def hold(*_):
    with open(os.environ["E2E_HOLD_FIFO"]) as fifo:   # returns once the test opened it for writing
        fifo.read()                                  # blocks: the test never writes


if HOLD_AT == "start":
    hold()
if os.environ.get("E2E_HOLD_PORT"):   # the connection tells the test the run holds its lock
    with socket.create_connection(("127.0.0.1", int(os.environ["E2E_HOLD_PORT"])), timeout=300) as held:
        held.recv(1)
if HOLD_AT == "provider":
    import pulumi.dynamic

    class HeldProvider(pulumi.dynamic.ResourceProvider):
        def check(self, _olds, news):   # in the provider process, which has loaded nothing of ours
            hold()
            return pulumi.dynamic.CheckResult(news, [])

    class Held(pulumi.dynamic.Resource):
        pass

    Held(HeldProvider(), "held", {})
declared = {} if HOLD_AT == "provider" else json.loads((pathlib.Path(__file__).parent / "accounts.json").read_text())
accounts = []
for resource_name, spec in declared.items():
    resource_class, args_class = KINDS[spec.pop("kind")]
    # "aliases": earlier names of this resource (a rename that keeps the account).
    opts = pulumi.ResourceOptions(aliases=[pulumi.Alias(name=n) for n in spec.pop("aliases", [])])
    account = resource_class(resource_name, args_class(**spec), opts)
    accounts.append(account)
    pulumi.export(resource_name, {"name": account.name, "endpoint": account.endpoint,
                                  "password": account.password})
if HOLD_AT == "preview" and pulumi.runtime.is_dry_run():
    pulumi.Output.all(*[a.urn for a in accounts]).apply(hold)
