"""`provisioner recover`: what it decides for each pending create, and the provider pieces it
relies on (ids parsed back to identities, read() from an id alone, the engine watchdog)."""

from __future__ import annotations

import os

import pytest

from provisioner.core import watchdog
from provisioner.core.adapter import LiveAccount
from provisioner.products.libradb.resource import LibraDBAccountProvider
from provisioner.products.rds.resource import RdsAccountProvider
from provisioner.recover import planner

STACK = "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s"
LIB_TYPE = "pulumi-python:dynamic/provisioner:LibraDBAccount"
RDS_TYPE = "pulumi-python:dynamic/provisioner:RdsAccount"
SECRET = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "v1:abc"}


def pending(type_, name, **inputs):
    return {"type": "creating", "resource": {
        "urn": f"urn:pulumi:s::p::{type_}::{name}", "custom": True, "type": type_, "parent": STACK,
        "inputs": {"__provider": "pickled", "adopt": False, "name": name, **inputs}}}


def lib(name, **inputs):
    return pending(LIB_TYPE, name, cluster_id="libradb-1", host="%", description="analysts", **inputs)


def rds(name, **inputs):
    return pending(RDS_TYPE, name, instance_id="rm-1", account_type="Normal", description="orders", **inputs)


def deployment(*ops, resources=()):
    return {"resources": [{"urn": STACK, "type": "pulumi:pulumi:Stack"}, *resources],
            "pending_operations": list(ops)}


def lookup_from(accounts):
    calls = []

    def lookup(provider, spec):
        calls.append(spec.name)
        return accounts.get(spec.name)
    lookup.calls = calls
    return lookup


def test_missing_account_clears_the_pending_create():
    result = planner.plan(deployment(rds("app")), lookup_from({}))
    assert [(o.action, o.resource_id) for o in result.outcomes] == [("cleared", "rm-1:app")]
    assert result.deployment["pending_operations"] == []
    assert len(result.deployment["resources"]) == 1


def test_existing_matching_account_is_imported_without_a_password():
    live = LiveAccount(name="reader", host="%", description="analysts")
    op = lib("reader", password=SECRET, privileges={"global": ["SELECT"]})
    result = planner.plan(deployment(op), lookup_from({"reader": live}))
    assert [(o.action, o.resource_id) for o in result.outcomes] == [("imported", "libradb-1:reader@%")]
    imported = result.deployment["resources"][-1]
    assert imported["id"] == "libradb-1:reader@%" and imported["urn"] == op["resource"]["urn"]
    assert imported["inputs"]["password"] == SECRET          # inputs as declared (still encrypted)
    assert "password" not in imported["outputs"]               # so the next `up` sets it
    assert imported["outputs"]["password_generated"] is False
    assert imported["outputs"]["__provider"] == "pickled"      # read() needs it
    assert result.deployment["pending_operations"] == []
    # The diff of the next `up` sees the password change, declared or generated.
    provider = LibraDBAccountProvider()
    assert provider._password_changed(imported["outputs"], {"password": "Declared-Pass1"})
    assert provider._password_changed(imported["outputs"], {})


def test_existing_different_account_is_never_taken_over():
    live = LiveAccount(name="app", host="", account_type="Super", description="made by hand")
    result = planner.plan(deployment(rds("app")), lookup_from({"app": live}))
    [outcome] = result.outcomes
    assert outcome.action == "conflict"
    assert "made by hand" in outcome.reason and "Super" in outcome.reason
    assert len(result.deployment["resources"]) == 1            # not in the state
    assert result.deployment["pending_operations"] == []


def test_adopt_takes_over_a_different_account():
    live = LiveAccount(name="app", host="", description="made by hand")
    op = rds("app")
    op["resource"]["inputs"]["adopt"] = True
    result = planner.plan(deployment(op), lookup_from({"app": live}))
    assert [o.action for o in result.outcomes] == ["imported"]


def test_missing_accounts_are_looked_up_again_after_settling():
    live = LiveAccount(name="late", host="", description="orders")
    accounts = {}
    lookup = lookup_from(accounts)
    slept = []

    def sleep(seconds):   # the create sent just before the crash lands meanwhile
        slept.append(seconds)
        accounts["late"] = live
    result = planner.plan(deployment(rds("late"), rds("never")), lookup, settle=5, sleep=sleep)
    assert slept == [5]
    assert {o.resource_id: o.action for o in result.outcomes} == {"rm-1:late": "imported", "rm-1:never": "cleared"}
    assert lookup.calls == ["late", "never", "late", "never"]


def test_other_operations_and_types_are_left_alone():
    update = {"type": "updating", "resource": {"urn": "urn:x", "type": RDS_TYPE, "inputs": {}}}
    bucket = {"type": "creating", "resource": {"urn": "urn:b", "type": "aws:s3/bucket:Bucket", "inputs": {}}}
    result = planner.plan(deployment(update, bucket), lookup_from({}))
    assert result.deployment["pending_operations"] == [update, bucket]
    assert [o.action for o in result.outcomes] == ["skipped"]
    assert not result.changed


def test_a_recovered_account_whose_name_is_taken_in_the_state_is_recorded_for_deletion():
    # An interrupted create-before-delete replacement: the old account is still the live resource.
    old = {"urn": rds("app")["resource"]["urn"], "type": RDS_TYPE, "id": "rm-0:app", "inputs": {}, "outputs": {}}
    live = LiveAccount(name="app", host="", description="orders")
    result = planner.plan(deployment(rds("app"), resources=[old]), lookup_from({"app": live}))
    states = [(r.get("id"), bool(r.get("delete"))) for r in result.deployment["resources"][1:]]
    assert states == [("rm-1:app", True), ("rm-0:app", False)]
    assert result.deployment["pending_operations"] == []


def test_a_pending_create_that_a_later_up_completed_is_dropped_without_looking():
    done = {"urn": rds("app")["resource"]["urn"], "type": RDS_TYPE, "id": "rm-1:app", "inputs": {}, "outputs": {}}
    lookup = lookup_from({})
    result = planner.plan(deployment(rds("app"), resources=[done]), lookup)
    assert [(o.action, o.reason) for o in result.outcomes] == [("cleared", "already in the state")]
    assert lookup.calls == [] and len(result.deployment["resources"]) == 2


def test_the_cloud_lookup_reads_fresh_through_the_provider(monkeypatch):
    from provisioner.core import errors
    from provisioner.core.adapter import CloudApiError
    from provisioner.recover import RecoverError, lookup

    calls, answers = [], []

    class Adapter:
        def get_account(self, instance_id, name, host, **kwargs):
            calls.append((instance_id, name, host, kwargs))
            answer = answers.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer
    provider = LibraDBAccountProvider()
    monkeypatch.setattr(provider, "_adapter", lambda spec: Adapter())
    spec = provider.identity(lib("reader")["resource"]["inputs"])
    live = LiveAccount(name="reader", host="%", description="analysts")
    gone = CloudApiError("DescribeLibraDBClusterAccounts", "ResourceNotFound.ClusterNotFound", "no such cluster", "r-1")
    gone.kind = errors.NOT_FOUND
    refused = CloudApiError("DescribeLibraDBClusterAccounts", "AuthFailure.SignatureFailure", "bad key", "r-2")
    refused.kind = errors.AUTH
    answers += [live, None, gone, refused]
    assert lookup.cloud_lookup(provider, spec) is live
    assert lookup.cloud_lookup(provider, spec) is None          # no such account
    assert lookup.cloud_lookup(provider, spec) is None          # the cluster itself is gone: nothing was created
    with pytest.raises(RecoverError, match="cannot look up libradb account 'reader@%' on libradb-1: .*bad key"):
        lookup.cloud_lookup(provider, spec)
    assert calls == [("libradb-1", "reader", "%", {"fresh": True})] * 4


def test_ids_parse_back_to_identities():
    assert LibraDBAccountProvider().parse_id("libradb-1:reader@10.0.0.1") == {
        "cluster_id": "libradb-1", "name": "reader", "host": "10.0.0.1"}
    assert LibraDBAccountProvider().parse_id("libradb-1:reader") == {
        "cluster_id": "libradb-1", "name": "reader", "host": "%"}
    assert RdsAccountProvider().parse_id("rm-1:app") == {"instance_id": "rm-1", "name": "app"}


def test_read_works_from_the_id_alone(monkeypatch):
    seen = {}

    class Adapter:
        def get_account(self, instance_id, name, host, **_):
            seen.update(instance_id=instance_id, name=name, host=host)
            return LiveAccount(name=name, host=host, description="d", privileges={})
    provider = LibraDBAccountProvider()
    monkeypatch.setattr(provider, "_adapter", lambda spec: Adapter())
    result = provider.read("libradb-1:reader@%", {})
    assert seen == {"instance_id": "libradb-1", "name": "reader", "host": "%"}
    assert result.id == "libradb-1:reader@%"
    assert (result.outs["cluster_id"], result.outs["name"], result.outs["description"]) == ("libradb-1", "reader", "d")


def test_watchdog_runs_only_in_the_provider_process():
    assert not watchdog.in_provider_process()
    assert watchdog.start() is False


PROVIDER = """
import importlib.machinery, sys, time
sys.modules["__main__"].__spec__ = importlib.machinery.ModuleSpec("pulumi.dynamic.__main__", None)
import provisioner.products.rds.resource   # what deserializing our provider does: the watchdog starts here
from provisioner.core import watchdog
assert watchdog._started
print("ready", flush=True)
time.sleep(60)
"""
# The "engine": starts the provider (directly, or through a launcher shell that does not exec it),
# reports its pid and dies.
ENGINE = """
import subprocess, sys
cmd = [sys.executable, "-c", sys.argv[1]]
if sys.argv[2] == "shell":
    cmd = ["sh", "-c", '"$0" -c "$1"; true', sys.executable, sys.argv[1]]
child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
assert child.stdout.readline().strip() == "ready"
print(child.pid if sys.argv[2] == "direct" else open(f"/proc/{child.pid}/task/{child.pid}/children").read().split()[0], flush=True)
"""


@pytest.mark.parametrize("launch", ["direct", "shell"])
def test_watchdog_ends_the_provider_when_its_engine_dies(launch):
    import subprocess
    import sys
    import time
    from pathlib import Path

    out = subprocess.run([sys.executable, "-c", ENGINE, PROVIDER, launch], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    pid = int(out.split()[0])

    def alive():
        try:
            return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return False
    until = time.monotonic() + 10
    while alive() and time.monotonic() < until:
        time.sleep(0.05)
    if alive():
        os.kill(pid, 9)
        raise AssertionError("the provider outlived its engine")
