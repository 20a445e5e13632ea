"""Discovery's pure parts: which accounts are declared, flagged or left out, the stack code it
writes, and an import file whose __provider is byte for byte what the Resource registers."""

from __future__ import annotations

import pulumi
import pytest

from provisioner.core.adapter import InstanceInfo, LiveAccount
from provisioner.discovery import import_file, inventory, program

RDS = InstanceInfo(id="rm-1", status="Running", running=True, locked=False, engine="MySQL", version="8.0",
                   region="cn-hangzhou", endpoint="rm-1:3306")
LIB = InstanceInfo(id="libradb-1", status="running", running=True, locked=False, engine="LibraDB",
                   version="1.0", region="ap-guangzhou", endpoint="127.0.0.1:9030")


def test_privileged_accounts_are_flagged_and_left_out_unless_asked_for():
    dba = LiveAccount(name="dba", host="", account_type="Super")
    assert inventory.classify("rds", RDS, dba, "cn-hangzhou", include_privileged=False).excluded.startswith(
        "privileged (Super account)")
    assert inventory.classify("rds", RDS, dba, "cn-hangzhou", include_privileged=True).declared
    ops = LiveAccount(name="ops", host="%", privileges={"global": ["RELOAD", "SELECT"], "databases": {}, "tables": {}})
    assert inventory.classify("libradb", LIB, ops, "ap-guangzhou", include_privileged=False).privileged == "global RELOAD"


def test_a_description_todays_rules_refuse_is_left_unmanaged_not_the_account():
    live = LiveAccount(name="legacy", host="", description="http://made-before-the-rule")
    found = inventory.classify("rds", RDS, live, "cn-hangzhou", include_privileged=False)
    assert found.declared and found.spec.description is None and "description not managed" in found.notes[0]


def test_the_program_declares_what_the_import_file_imports():
    live = LiveAccount(name="etl", host="10.0.0.1", description="loads",
                       privileges={"global": [], "databases": {"events": ["SELECT"]}, "tables": {}})
    found = [inventory.classify("libradb", LIB, live, "ap-guangzhou", include_privileged=False),
             inventory.Found("libradb", LIB, LiveAccount(name="mysql.sys", host="%"), excluded="system account")]
    code = program.render(found, import_file="accounts.import.json")
    assert "LibraDBAccount('libradb-1-etl-10.0.0.1', LibraDBAccountArgs(" in code
    assert "host='10.0.0.1'" in code and "privileges={'databases': {'events': ['SELECT']}}" in code
    assert "# not declared: libradb libradb-1 'mysql.sys'@%: system account" in code
    compile(code, "accounts.py", "exec")
    (entry,) = import_file.document(found)["resources"]
    assert entry["name"] == "libradb-1-etl-10.0.0.1" and entry["id"] == "libradb-1:etl@10.0.0.1"
    assert entry["outputs"]["password_managed"] is False and entry["outputs"]["password"] is None
    assert entry["inputs"]["privileges"] == {"global": [], "databases": {"events": ["SELECT"]}, "tables": {}}


class Mocks(pulumi.runtime.Mocks):
    def __init__(self):
        self.registered: dict[str, dict] = {}

    def new_resource(self, args):
        self.registered[args.name] = args.inputs
        return args.name, args.inputs

    def call(self, args):
        return {}


@pytest.mark.parametrize("product, cls, args", [
    ("libradb", "LibraDBAccount", {"cluster_id": "libradb-1", "name": "etl"}),
    ("rds", "RdsAccount", {"instance_id": "rm-1", "name": "orders_app"}),
    ("polardb", "PolarDBAccount", {"cluster_id": "pc-1", "name": "inventory"}),
])
def test_serialized_provider_is_what_the_resource_registers(product, cls, args):
    import importlib
    mocks = Mocks()
    pulumi.runtime.set_mocks(mocks, preview=False)
    module = importlib.import_module(f"provisioner.products.{product}.resource")

    @pulumi.runtime.test
    def register():
        resource = getattr(module, cls)("r", getattr(module, f"{cls}Args")(**args))
        return resource.urn.apply(lambda _: None)

    try:
        register()
    finally:
        pulumi.runtime.settings.reset_options()   # no mock monitor left for later tests
    assert mocks.registered["r"]["__provider"] == import_file.serialized_provider(product)


class FakeAdapter:
    """Answers like an adapter: one readable instance, one that the cloud refuses to list."""
    settings = type("S", (), {"region": "cn-hangzhou"})()

    def __init__(self):
        self.listed_all = False

    def list_instance_ids(self):
        self.listed_all = True
        return ["rm-1", "rm-gone"]

    def describe_instance(self, instance_id):
        from provisioner.core.adapter import CloudApiError
        if instance_id == "rm-gone":
            raise CloudApiError("DescribeDBInstanceAttribute", "InvalidDBInstanceId.NotFound", "not found", "req-1")
        return RDS

    def accounts(self, instance_id):
        return {("app", ""): LiveAccount(name="app", host=""), ("root", ""): LiveAccount(name="root", host="")}

    def get_account(self, instance_id, name, host):
        return LiveAccount(name=name, host="", privileges={"orders": "ReadOnly"})


def test_discover_reads_the_instances_given_or_the_whole_region_and_names_what_it_cannot_read():
    adapter, unread = FakeAdapter(), []
    found = inventory.discover("rds", adapter, ["rm-1"], unread=unread)
    assert not adapter.listed_all and unread == []
    assert [(f.live.name, f.declared) for f in found] == [("app", True), ("root", False)]
    assert found[1].excluded.startswith("system account")
    found = inventory.discover("rds", adapter, None, unread=unread)
    assert adapter.listed_all and len(found) == 2
    assert unread == ["rds rm-gone: DescribeDBInstanceAttribute failed: InvalidDBInstanceId.NotFound: not found "
                      "(request id req-1)"]
