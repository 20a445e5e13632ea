"""Alternating rotation through the real engine: the exported credentials log in before, during
and after every rotation (the local cloud's verify, polled while `up` runs), on demand and on a
schedule (two generations behind: one step per `up`); the account that was active keeps its
password for one more period."""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from harness import REPO, Stack

INSTANCE = "rm-localmysql80"


@contextmanager
def always_logs_in(admin, creds: dict):
    """Poll the given credentials until the block ends; collect every failed verify."""
    failures: list[int] = []
    done = threading.Event()
    checks = [0]

    def poll():
        while not done.is_set():
            checks[0] += 1
            if not admin.verify_password("rds", INSTANCE, creds["username"], creds["password"]):
                failures.append(checks[0])
            done.wait(0.02)
    thread = threading.Thread(target=poll)
    thread.start()
    try:
        yield failures
    finally:
        done.set()
        thread.join()
    assert checks[0] > 0


def rotate(stack: Stack, before: dict, settings: dict) -> dict:
    """One `up` with `settings`; the credentials exported `before` it are checked during and
    after it, the ones exported after it at the end. Returns the latter."""
    admin = stack.cloud.admin
    (stack.dir / "rotation.json").write_text(json.dumps(settings))
    with always_logs_in(admin, before) as failures:
        stack.up()
    assert failures == [], f"exported credentials failed to log in during the rotation (checks {failures})"
    after = stack.outputs(secrets=True)["orders"]
    assert admin.verify_password("rds", INSTANCE, after["username"], after["password"])
    assert admin.verify_password("rds", INSTANCE, before["username"], before["password"])   # still in use
    return after


def test_alternating_rotation_never_exports_failing_credentials(tmp_path, pulumi_bin, localcloud):
    stack = Stack(tmp_path, pulumi_bin, localcloud, source=REPO / "tests/e2e/rotation")
    (stack.dir / "rotation.json").write_text(json.dumps({"rotation": 0}))
    stack.up()
    first = stack.outputs(secrets=True)["orders"]
    assert (first["username"], first["generation"]) == ("orders_a", 0)
    assert sorted(a["name"] for a in localcloud.admin.accounts("rds", INSTANCE)) == ["orders_a", "orders_b"]
    assert stack.outputs()["orders"] == "[secret]"

    # On demand: the standby (b) gets a new password, then becomes the exported one.
    second = rotate(stack, first, {"rotation": 1})
    assert (second["username"], second["generation"]) == ("orders_b", 1)

    # On a schedule, two generations behind (1 on demand + 2 periods of a day): one step per `up`,
    # so the exported account (b) keeps its password; the next `up` would take the second step.
    start = (datetime.now(timezone.utc) - timedelta(hours=60)).isoformat()
    third = rotate(stack, second, {"rotation": 1, "period_hours": 24, "start": start})
    assert (third["username"], third["generation"]) == ("orders_a", 2)
    assert not localcloud.admin.verify_password("rds", INSTANCE, "orders_a", first["password"])
    pending = stack.preview("--diff").stdout
    assert "orders-rotation" in pending and "orders-b" in pending, pending
