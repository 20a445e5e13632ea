"""A team backend: the state in a bucket of an S3-compatible store (moto's server on a free
loopback port), through the real engine — up, preview, refresh, destroy; and two `pulumi up`
at once on one stack: one is refused on the lock, nothing is lost."""

from __future__ import annotations

import itertools
import json
import logging
import socket
import subprocess

import boto3
import pytest

from harness import Stack

ACCESS = {"AWS_ACCESS_KEY_ID": "team-state-key", "AWS_SECRET_ACCESS_KEY": "team-state-secret",
          "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
          "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}
PASSWORD = "Bucket-Pass1"
ACCOUNTS = {
    "orders": {"kind": "rds", "instance_id": "rm-localmysql80", "name": "orders_app", "password": PASSWORD,
               "description": "orders-service", "privileges": {"orders": "ReadWrite"}},
    "analyst": {"kind": "libradb", "cluster_id": "libradb-local001", "name": "analyst", "description": "analysts",
                "privileges": {"databases": {"analytics": ["SELECT"]}}},
}
_buckets = itertools.count()


@pytest.fixture(scope="module")
def s3():
    from moto.server import ThreadedMotoServer
    logging.getLogger("werkzeug").setLevel(logging.ERROR)   # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"{host}:{port}"
    server.stop()


@pytest.fixture
def bucket_stack(s3, tmp_path, pulumi_bin, localcloud):
    bucket = f"team-state-{next(_buckets)}"
    client = boto3.client("s3", endpoint_url=f"http://{s3}", aws_access_key_id=ACCESS["AWS_ACCESS_KEY_ID"],
                          aws_secret_access_key=ACCESS["AWS_SECRET_ACCESS_KEY"], region_name="us-east-1")
    client.create_bucket(Bucket=bucket)
    # The URL a team uses, with the local server's endpoint (path-style; see docs/team-backend.md).
    url = f"s3://{bucket}?endpoint={s3}&disableSSL=true&s3ForcePathStyle=true&region=us-east-1"
    stack = Stack(tmp_path, pulumi_bin, localcloud, backend_url=url, env=ACCESS)
    stack.bucket, stack.s3 = bucket, client
    return stack


def objects(stack) -> dict[str, bytes]:
    listed = stack.s3.list_objects_v2(Bucket=stack.bucket).get("Contents", [])
    return {o["Key"]: stack.s3.get_object(Bucket=stack.bucket, Key=o["Key"])["Body"].read() for o in listed}


def checkpoint(stack) -> dict:
    key = f".pulumi/stacks/e2e-accounts/{stack.name}.json"
    return json.loads(objects(stack)[key])


def account_urns(stack) -> list[str]:
    resources = checkpoint(stack)["checkpoint"]["latest"].get("resources") or []
    return sorted(r["urn"].rsplit("::", 1)[-1] for r in resources if r["type"].startswith("pulumi-python:dynamic/"))


def test_up_preview_refresh_destroy_with_the_state_in_a_bucket(bucket_stack, tmp_path):
    stack = bucket_stack
    stack.declare(ACCOUNTS)
    stack.up()
    assert account_urns(stack) == ["analyst", "orders"]
    assert not any((tmp_path / "state").iterdir())                   # nothing kept locally
    assert all(PASSWORD.encode() not in body for body in objects(stack).values())
    stack.preview("--expect-no-changes")

    stack.cloud.admin.modify_account("rds", "rm-localmysql80", "orders_app", description="changed-by-hand")
    stack.refresh()
    orders = next(r for r in checkpoint(stack)["checkpoint"]["latest"]["resources"] if r["urn"].endswith("::orders"))
    assert orders["outputs"]["description"] == "changed-by-hand"      # the refreshed state is in the bucket

    stack.pulumi("destroy", "--yes")
    assert stack.cloud.admin.accounts() == [] and account_urns(stack) == []
    assert not [k for k in objects(stack) if k.startswith(".pulumi/locks/") and k.endswith(".json")]


def test_two_ups_at_once_one_refused_on_the_lock_and_nothing_lost(bucket_stack):
    stack = bucket_stack
    stack.declare(ACCOUNTS)
    with socket.create_server(("127.0.0.1", 0)) as hold:
        hold.settimeout(120)
        first = subprocess.Popen(["pulumi", "up", "--yes", "--skip-preview", "--non-interactive"], cwd=stack.dir,
                                 env={**stack.env, "E2E_HOLD_PORT": str(hold.getsockname()[1])},
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            held, _ = hold.accept()           # the first run's program is running: it holds the lock
            locks = [k for k in objects(stack) if k.startswith(".pulumi/locks/")]
            assert len(locks) == 1, locks
            second = stack.up(check=False)
            held.sendall(b"go")
            held.close()
            out, _ = first.communicate(timeout=300)
        finally:
            if first.poll() is None:
                first.kill()
    assert second.returncode != 0
    assert "the stack is currently locked by 1 lock(s)" in second.stdout + second.stderr
    assert first.returncode == 0, out
    assert account_urns(stack) == ["analyst", "orders"]               # the winner's state is whole
    assert sorted(a["name"] for a in stack.cloud.admin.accounts()) == ["analyst", "orders_app"]
    assert not [k for k in objects(stack) if k.startswith(".pulumi/locks/") and k.endswith(".json")]
    stack.preview("--expect-no-changes")                               # the refused run changed nothing
