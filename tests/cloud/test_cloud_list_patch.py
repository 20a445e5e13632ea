"""RDS and PolarDB: our own writes patch the instance's cached account list instead of dropping
it (products/alibaba.py), through the local cloud and the official SDKs.

A check (core/preflight.py) reads `adapter.accounts(instance)`, the cached list. Before, every
create dropped it, so the next check listed the instance again. Now a write whose outcome we
know patches the entry to what a fresh list shows once the write settled; a write whose outcome
is uncertain (an error, a lost response) drops it.

List calls are counted twice: by the adapter's list fetch (`_fetch_accounts`, one call per page)
and by the local cloud's own counter of DescribeAccounts, which also counts the settle polls (the
one-name DescribeAccounts of `_one`); the two must add up.
"""

from __future__ import annotations

import threading

import pytest

from provisioner.core import clients as factory
from provisioner.core.adapter import CloudApiError
from provisioner.core.retry.policy import RetryPolicy
from tests.cloud.conftest import FAST, settings

RDS, PG, POLAR = "rm-localmysql80", "pgm-localpg14", "pc-localmysql01"
PW = "Passw0rd!2024x"
PRIVS = {RDS: ({"orders": "ReadWrite"}, {"payments": "ReadOnly", "reporting": "DMLOnly"}),
         POLAR: ({"inventory": "ReadOnly"}, {"inventory_archive": "DMLOnly"})}
PRODUCT = {RDS: "rds", PG: "rds", POLAR: "polardb"}


class Counted:
    """The adapter with its list fetches and one-name polls counted."""

    def __init__(self, adapter, cloud, product):
        self.a, self.cloud, self.product = adapter, cloud, product
        self.lists = self.polls = 0
        lock = threading.Lock()
        fetch, one = adapter._fetch_accounts, adapter._one

        def counted_fetch(instance_id):
            with lock:
                self.lists += 1
            return fetch(instance_id)

        def counted_one(instance_id, name):
            with lock:
                self.polls += 1
            return one(instance_id, name)
        adapter._fetch_accounts, adapter._one = counted_fetch, counted_one

    def cloud_describes(self) -> int:
        return self.cloud.counters.snapshot()["calls"].get(f"{self.product}:DescribeAccounts", {}).get("total", 0)

    def check_counts(self) -> None:
        """Every DescribeAccounts the cloud saw is a list page or a settle poll we counted."""
        assert self.cloud_describes() == self.lists + self.polls


@pytest.fixture
def counted(localcloud, adapter):
    def make(instance_id, **policy):
        return Counted(adapter(PRODUCT[instance_id], **policy), localcloud, PRODUCT[instance_id])
    return make


def new(name, instance_id, **more):
    account = {"name": name, "account_type": "Normal", "description": f"{name}-svc",
               "privileges": PRIVS[instance_id][0]}
    return {**account, **more}


@pytest.mark.parametrize("instance_id", [RDS, POLAR])
def test_creates_then_check_style_reads_list_the_instance_once(counted, instance_id):
    c = counted(instance_id)
    n = 6
    c.a.accounts(instance_id)                      # the first check of the instance lists it
    for i in range(n):
        c.a.create_account(instance_id, new(f"app{i}", instance_id), PW)
        cached = c.a.accounts(instance_id)         # the next check: no list call
        assert cached[(f"app{i}", "")].status == "Available"
    assert c.lists == 1                            # was n + 1: every create dropped the list
    c.check_counts()
    cached = c.a.accounts(instance_id)
    assert cached == c.a._accounts(instance_id, fresh=True)   # exactly what a fresh list shows
    assert c.lists == 2


@pytest.mark.parametrize("instance_id", [RDS, POLAR])
def test_description_privilege_changes_and_deletes_are_patched_as_a_fresh_list_shows_them(counted, instance_id):
    c = counted(instance_id)
    old, new_privileges = PRIVS[instance_id]
    c.a.create_account(instance_id, new("changing", instance_id), PW)
    c.a.create_account(instance_id, new("going", instance_id), PW)
    c.a.accounts(instance_id)
    lists = c.lists
    c.a.set_description(instance_id, "changing", "", "renamed-svc")
    c.a.set_privileges(instance_id, "changing", "", old, new_privileges)   # a revoke, then a grant
    assert c.a.delete_account(instance_id, "going") is True
    cached = c.a.accounts(instance_id)
    assert c.lists == lists                        # no list call for any of the three writes
    live = cached[("changing", "")]
    assert (live.description, live.privileges, live.status) == ("renamed-svc", new_privileges, "Available")
    assert ("going", "") not in cached
    assert cached == c.a._accounts(instance_id, fresh=True)
    c.check_counts()


def test_super_account_and_one_without_privileges_are_patched_as_read_back(counted):
    c = counted(POLAR)
    c.a.accounts(POLAR)
    c.a.create_account(POLAR, {"name": "root2", "account_type": "Super"}, PW)
    c.a.create_account(POLAR, {"name": "bare", "account_type": "Normal"}, PW)
    cached = c.a.accounts(POLAR)
    assert c.lists == 1
    assert cached[("root2", "")].account_type == "Super" and cached[("bare", "")].description == ""
    assert cached == c.a._accounts(POLAR, fresh=True)


def test_concurrent_creates_on_one_instance_keep_each_others_patches(counted):
    c = counted(RDS)
    c.a.accounts(RDS)
    names = [f"par{i}" for i in range(8)]
    start, failures = threading.Barrier(len(names)), []

    def run(name):
        start.wait()
        try:
            c.a.create_account(RDS, new(name, RDS), PW)
        except Exception as exc:   # reported below, not lost in the thread
            failures.append(exc)
    threads = [threading.Thread(target=run, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert failures == [] and not any(t.is_alive() for t in threads)
    cached = c.a.accounts(RDS)
    assert c.lists == 1
    assert {(n, "") for n in names} <= set(cached)
    assert cached == c.a._accounts(RDS, fresh=True)
    c.check_counts()


def test_postgresql_owner_grant_drops_the_list_because_it_moves_the_database(counted):
    """A DBOwner grant on PostgreSQL takes the database from its previous owner: that account's
    entry changes too, so the list is read again, and it shows the move (and ALL as DBOwner)."""
    c = counted(PG)
    c.a.create_account(PG, {"name": "first", "privileges": {"catalog": "DBOwner"}}, PW)
    c.a.create_account(PG, {"name": "second"}, PW)
    c.a.accounts(PG)
    lists = c.lists
    c.a.set_privileges(PG, "second", "", {}, {"catalog": "DBOwner"})
    cached = c.a.accounts(PG)
    assert c.lists == lists + 1
    assert cached[("second", "")].privileges == {"catalog": "DBOwner"}
    assert cached[("first", "")].privileges == {}
    assert cached == c.a._accounts(PG, fresh=True)


def test_an_rds_create_whose_response_was_lost_drops_the_list(localcloud, counted):
    """RDS's CreateAccount has no ClientToken: the retry meets "exists", a fresh list tells the
    account is ours, and the outcome counts as uncertain: the list is dropped, the check re-reads."""
    c = counted(RDS)
    c.a.accounts(RDS)
    localcloud.admin.script({"match": "rds:CreateAccount", "count": 1, "fault": "drop_after"})
    c.a.create_account(RDS, new("lost", RDS), PW)
    assert localcloud.counters.snapshot()["calls"]["rds:CreateAccount"]["total"] == 2
    lists = c.lists
    cached = c.a.accounts(RDS)
    assert c.lists == lists + 1
    assert cached[("lost", "")].status == "Available"
    assert cached == c.a._accounts(RDS, fresh=True)
    c.check_counts()


def test_a_polardb_create_retried_with_its_client_token_is_patched(localcloud, counted):
    """PolarDB's CreateAccount takes a ClientToken: the retry after the lost response is answered
    with success, so the outcome is known and the list is patched, not re-read."""
    c = counted(POLAR)
    c.a.accounts(POLAR)
    localcloud.admin.script({"match": "polardb:CreateAccount", "count": 1, "fault": "drop_after"})
    c.a.create_account(POLAR, new("lost", POLAR), PW)
    assert localcloud.counters.snapshot()["calls"]["polardb:CreateAccount"]["total"] == 2
    cached = c.a.accounts(POLAR)
    assert c.lists == 1
    assert cached == c.a._accounts(POLAR, fresh=True)


@pytest.mark.parametrize("action,write", [
    ("ModifyAccountDescription", lambda a: a.set_description(RDS, "victim", "", "other")),
    ("GrantAccountPrivilege", lambda a: a.set_privileges(RDS, "victim", "", {}, {"payments": "ReadOnly"})),
    ("RevokeAccountPrivilege", lambda a: a.set_privileges(RDS, "victim", "", {"orders": "ReadWrite"}, {})),
    ("DeleteAccount", lambda a: a.delete_account(RDS, "victim")),
    ("CreateAccount", lambda a: a.create_account(RDS, new("another", RDS), PW)),
])
def test_a_failed_write_drops_the_list(localcloud, counted, action, write):
    c = counted(RDS)
    c.a.create_account(RDS, new("victim", RDS), PW)
    c.a.accounts(RDS)
    lists = c.lists
    localcloud.admin.script({"match": f"rds:{action}", "count": 1, "code": "InvalidParameter", "status": 400})
    with pytest.raises(CloudApiError):
        write(c.a)
    cached = c.a.accounts(RDS)
    assert c.lists == lists + 1                    # listed again
    assert cached == c.a._accounts(RDS, fresh=True)


def test_ttl_and_fresh_still_apply_to_a_patched_list(counted):
    c = counted(RDS, list_ttl=0)                   # nothing kept between reads: a patch does not extend it
    c.a.accounts(RDS)
    c.a.create_account(RDS, new("t0", RDS), PW)
    c.a.accounts(RDS)
    assert c.lists == 2
    d = counted(POLAR)
    d.a.accounts(POLAR)
    d.a.create_account(POLAR, new("f0", POLAR), PW)
    d.a._accounts(POLAR, fresh=True)           # fresh skips the patched value
    assert d.lists == 2


@pytest.fixture
def realistic():
    """The local cloud with its default timing: accounts settle a few hundred ms after a write."""
    from provisioner.localcloud.server import LocalCloud

    cloud = LocalCloud().start()
    yield cloud
    cloud.stop()


@pytest.mark.parametrize("instance_id", [RDS, POLAR])
def test_on_the_realistic_timing_the_patched_list_is_what_the_settled_cloud_lists(realistic, instance_id):
    product = PRODUCT[instance_id]
    c = Counted(factory.adapter_for(product, settings(realistic, product), RetryPolicy(**{**FAST, "list_ttl": 60.0})),
                realistic, product)   # the default TTL: these writes take longer than FAST's 2 s
    c.a.accounts(instance_id)
    for i in range(3):
        c.a.create_account(instance_id, new(f"slow{i}", instance_id), PW)
        assert c.a.accounts(instance_id)[(f"slow{i}", "")].status == "Available"
    c.a.set_description(instance_id, "slow0", "", "changed")
    c.a.set_privileges(instance_id, "slow1", "", PRIVS[instance_id][0], PRIVS[instance_id][1])
    assert c.a.delete_account(instance_id, "slow2") is True
    cached = c.a.accounts(instance_id)
    assert c.lists == 1 and c.polls > 6            # the settle polls waited several times
    assert cached == c.a._accounts(instance_id, fresh=True)
    c.check_counts()
