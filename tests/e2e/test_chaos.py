"""Chaos: 30 accounts (10 per product over 3 clusters/instances each) through the real engine while
the cloud throttles, fails, drops connections (before and after applying the write) and jitters,
on the local cloud's realistic behaviour (its default: accounts settle after every write,
deletes complete later, grants show later, LibraDB accounts are invisible for a moment).

Every operation must succeed outright (exit 0, no failed resource): the retry policy and the
adapters' handling of lost responses make the faults invisible. Afterwards the cloud equals the
state exactly (nothing leaked, nothing lost, nothing twice), `preview --expect-no-changes`
passes; the same holds after a second `up` that updates a third of the accounts in place
(descriptions, grants and revokes, passwords, host moves) and renames three; and destroy under
the same faults leaves the cloud empty.

The fault RNG seed is fixed for reproducibility; CHAOS_SEED=<n> runs another one (the test is
meant to pass for any seed).
"""

from __future__ import annotations

import os

from fleet import add_instances, assert_cloud_matches_state, cloud_accounts, evolve, export, fleet, state_keys

SEED = int(os.environ.get("CHAOS_SEED", "20240611"))
# 10 per type inside `make test`; `make chaos` runs the full-size version (100 per type, 300 accounts).
PER_TYPE = int(os.environ.get("CHAOS_PER_TYPE", "10"))

# Per cloud call: 20% throttled, 5% server errors (InternalError / bare HTTP 503), 2% dropped
# connections (half before the cloud applied the call, half after: the write happened but the
# response was lost), plus 5-45 ms of latency. The default rate limits stay on.
FAULTS = {
    "seed": SEED,
    "latency": {"*": {"base_ms": 5, "jitter_ms": 40}},
    "errors": {"*": {"throttle": 0.20, "internal": 0.03, "http503": 0.02,
                     "drop_before": 0.01, "drop_after": 0.01}},
}
# At 2% a run of a few hundred calls may not lose the response of a write at all: script that
# for every write action too (one-shot faults, taken before the random ones), in both drop modes.
WRITES_UP = ["libradb:CreateLibraDBClusterAccounts", "libradb:ModifyLibraDBClusterAccountPrivilege",
             "rds:CreateAccount", "rds:GrantAccountPrivilege", "polardb:CreateAccount"]
WRITES_UPDATE = ["libradb:ModifyLibraDBClusterAccountDescription", "libradb:ModifyLibraDBClusterAccountHost",
                 "libradb:ResetLibraDBClusterAccountPassword", "libradb:ModifyLibraDBClusterAccountPrivilege",
                 "libradb:DeleteLibraDBClusterAccounts", "rds:ResetAccountPassword", "rds:ModifyAccountDescription",
                 "rds:RevokeAccountPrivilege", "rds:GrantAccountPrivilege", "rds:DeleteAccount",
                 "polardb:ModifyAccountPassword", "polardb:ModifyAccountDescription",
                 "polardb:RevokeAccountPrivilege", "polardb:GrantAccountPrivilege", "polardb:DeleteAccount"]
WRITES_DESTROY = ["libradb:DeleteLibraDBClusterAccounts", "rds:DeleteAccount", "polardb:DeleteAccount"]


def lost_responses(actions):
    return [{"match": action, "count": 1, "fault": "drop_after", "drop_mode": mode}
            for action in actions for mode in ("reset", "truncate")]


def test_up_refresh_destroy_under_faults_leave_cloud_equal_to_state(stack):
    admin = stack.cloud.admin
    assert admin.behaviour()["profile"] == "realistic"
    add_instances(admin)
    declared = fleet(per_type=PER_TYPE)
    stack.declare(declared)
    admin.set_faults({**FAULTS, "scripted": lost_responses(WRITES_UP)})
    try:
        up = stack.up()
        assert "failed" not in up.stdout.lower(), up.stdout
        counters = admin.counters()
        print(f"up of {len(declared)} accounts: {sum(c['total'] for c in counters['calls'].values())} cloud calls, "
              f"injected faults {counters['injected']}")
        # The faults did happen, including lost responses after the write was applied.
        assert counters["injected"].get("random:throttle", 0) > 0, counters["injected"]
        for action in WRITES_UP:
            assert counters["calls"][action].get("DROP_AFTER", 0) >= 2, (action, counters["calls"][action])

        stack.refresh()
        stack.preview("--expect-no-changes")
        assert_cloud_matches_state(stack, declared)

        # Updates in place (descriptions, grants and revokes, passwords, host moves) and renames.
        declared = evolve(declared)
        stack.declare(declared)
        admin.reset_counters()
        admin.script(*lost_responses(WRITES_UPDATE))
        up = stack.up()
        assert "failed" not in up.stdout.lower(), up.stdout
        calls = admin.counters()["calls"]
        for action in WRITES_UPDATE:
            assert calls[action].get("DROP_AFTER", 0) >= 1, (action, calls[action])
        stack.refresh()
        stack.preview("--expect-no-changes")
        assert_cloud_matches_state(stack, declared)

        admin.reset_counters()
        admin.script(*lost_responses(WRITES_DESTROY))
        stack.pulumi("destroy", "--yes")
        calls = admin.counters()["calls"]
        for action in WRITES_DESTROY:
            assert calls[action].get("DROP_AFTER", 0) >= 2, (action, calls[action])
        assert cloud_accounts(admin) == []
        assert state_keys(export(stack)) == []
        assert not export(stack)["deployment"].get("pending_operations")
    finally:
        admin.restore_faults()
