"""What a process of ours sets up, and when: nothing on import; the program's first resource
(core/args.py prepare_program), the provider's configure (its logging)."""

from __future__ import annotations

import subprocess
import sys

FRESH_PROCESS = """
import logging, os, sys
os.environ["PROVISIONER_LOG_LEVEL"] = "DEBUG"
import pulumi, pulumi.runtime
from pulumi.runtime import resource as sdk
from provisioner.products.libradb.resource import LibraDBAccount, LibraDBAccountArgs
import provisioner.products.polardb.resource, provisioner.products.rds.resource, provisioner.rotation
import provisioner.core.provider

def state():
    return (getattr(sdk._get_stack_trace, "_provisioner", False), type(sdk.log).__name__ == "_GuardedLog",
            bool(logging.getLogger("provisioner").handlers))

assert state() == (False, False, False), state()   # importing configures nothing

class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        return args.name, args.inputs
    def call(self, args):
        return {}

pulumi.runtime.set_mocks(Mocks(), preview=False)

@pulumi.runtime.test
def program():
    return LibraDBAccount("plain", LibraDBAccountArgs(cluster_id="libradb-1", name="etl")).urn

program()
assert state() == (True, True, True), state()   # the first resource set it all up
print("ok")
"""


def test_importing_the_package_configures_nothing_the_first_resource_does():
    proc = subprocess.run([sys.executable, "-c", FRESH_PROCESS], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip().endswith("ok"), proc.stderr


PROVIDER_PROCESS = """
import logging, os
os.environ["PROVISIONER_LOG_LEVEL"] = "DEBUG"
from pulumi.dynamic import ConfigureRequest
from provisioner.products.rds.provider import RdsAccountProvider   # what unpickling a provider imports
assert not logging.getLogger("provisioner").handlers
RdsAccountProvider().configure(ConfigureRequest({}))   # the provider process's first call on it
assert logging.getLogger("provisioner").level == logging.DEBUG and logging.getLogger("provisioner").handlers
print("ok")
"""


def test_the_provider_process_sets_up_its_logging_when_configured():
    proc = subprocess.run([sys.executable, "-c", PROVIDER_PROCESS], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip().endswith("ok"), proc.stderr
