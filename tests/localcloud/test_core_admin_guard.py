"""The admin interface is safe to run beside a browser: loopback Host only, no cross-origin
requests, JSON-only writes, an optional token; and its input is type-checked (400), so a bad
value is never stored to break later API calls."""

from __future__ import annotations

import httpx
import pytest

from provisioner.localcloud.admin_client import AdminClient, AdminRequestError

SUPER = {"product": "rds", "instance_id": "rm-localmysql80", "name": "intruder", "password": "Pw123456!x",
         "account_type": "Super"}


@pytest.fixture
def http(localcloud):
    with httpx.Client(base_url=localcloud.url, timeout=30, trust_env=False) as client:
        yield client


def accounts(cloud) -> list[str]:
    return [a.name for a in cloud.store.list_accounts("rds")]


@pytest.mark.parametrize("headers", [
    {"Host": "attacker.example:8790"},                   # DNS rebinding: the browser sends the page's host
    {"Host": "127.0.0.1.attacker.example"},
    {"Origin": "http://attacker.example"},               # a page elsewhere posting here
    {"Origin": "http://127.0.0.1:1"},                    # another local origin is still another origin
    {"Sec-Fetch-Site": "cross-site"},
], ids=["rebinding", "lookalike", "foreign-origin", "other-port-origin", "cross-site"])
def test_foreign_requests_cannot_write_or_read(localcloud, http, headers):
    made = http.post("/_localcloud/accounts", json=SUPER, headers=headers)
    assert made.status_code == 403, made.text
    assert http.get("/_localcloud/state", headers=headers).status_code == 403
    assert "intruder" not in accounts(localcloud)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_writes_must_be_json(localcloud, http, content_type):
    # What a page can send without a CORS preflight: text/plain, form posts, no body at all.
    import json
    headers = {"Content-Type": content_type} if content_type else {}
    made = http.post("/_localcloud/accounts", content=json.dumps(SUPER) if content_type else None, headers=headers)
    assert made.status_code == 415, made.text
    assert http.post("/_localcloud/reset", headers=headers).status_code == 415
    assert "intruder" not in accounts(localcloud)


def test_same_origin_json_with_loopback_host_is_served(localcloud, http):
    port = localcloud.port
    for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
        ok = http.get("/_localcloud/health", headers={"Host": host, "Origin": f"http://{host}",
                                                      "Sec-Fetch-Site": "same-origin"})
        assert ok.status_code == 200, ok.text
    assert http.post("/_localcloud/accounts", json=SUPER).status_code == 201
    assert "intruder" in accounts(localcloud)


def test_an_admin_token_is_required_when_set(localcloud_factory, monkeypatch):
    monkeypatch.delenv("PROVISIONER_LOCALCLOUD_ADMIN_TOKEN", raising=False)
    cloud = localcloud_factory(admin_token="s3cret-token")
    with pytest.raises(AdminRequestError) as refused:
        AdminClient(cloud.url).health()
    assert refused.value.status == 401
    with pytest.raises(AdminRequestError):
        AdminClient(cloud.url, token="wrong").health()
    assert cloud.admin.health()["status"] == "ok"               # LocalCloud.admin carries the token
    monkeypatch.setenv("PROVISIONER_LOCALCLOUD_ADMIN_TOKEN", "s3cret-token")
    assert AdminClient(cloud.url).health()["status"] == "ok"    # as the CLI does


@pytest.mark.parametrize("path, body", [
    ("instances/rds/rm-localmysql80", {"account_quota": "10"}),
    ("instances/rds/rm-localmysql80", {"account_quota": True}),
    ("instances/rds/rm-localmysql80", {"databases": "orders"}),
    ("instances/rds/rm-localmysql80", {"databases": ["orders", 1]}),
    ("instances/rds/rm-localmysql80", {"attrs": []}),
    ("instances/rds/rm-localmysql80", {"status": 1}),
    ("instances", {"product": "rds", "id": "rm-x", "engine": "MySQL", "version": 8.0, "region": "cn-hangzhou"}),
    ("reset", {"reload_seed": "yes"}),
], ids=lambda v: v if isinstance(v, str) else str(sorted(v)))
def test_bad_instance_types_are_refused_and_not_stored(localcloud, path, body):
    before = localcloud.store.get_instance("rds", "rm-localmysql80")
    with pytest.raises(AdminRequestError) as refused:
        localcloud.admin.call("POST", path, body)
    assert refused.value.status == 400, refused.value
    assert localcloud.store.get_instance("rds", "rm-localmysql80") == before


@pytest.mark.parametrize("product, instance, fields", [
    ("rds", "rm-localmysql80", {"privileges": ["orders"]}),
    ("rds", "rm-localmysql80", {"privileges": {"orders": 1}}),
    ("rds", "rm-localmysql80", {"description": 5}),
    ("rds", "rm-localmysql80", {"password": 12345678}),
    ("libradb", "libradb-local001", {"max_user_connections": "10"}),
    ("libradb", "libradb-local001", {"privileges": {"database": {"db": ["SELECT"]}}}),
    ("libradb", "libradb-local001", {"privileges": {"global": "SELECT"}}),
])
def test_bad_account_types_are_refused(localcloud, rds_client, product, instance, fields):
    with pytest.raises(AdminRequestError) as refused:
        localcloud.admin.call("POST", "accounts", {"product": product, "instance_id": instance,
                                                   "name": "drifted", "password": "Pw123456!x", **fields})
    assert refused.value.status == 400, refused.value
    localcloud.admin.add_account("rds", "rm-localmysql80", "valid1", "Pw123456!x")
    with pytest.raises(AdminRequestError) as patched:
        localcloud.admin.call("PATCH", "accounts", {"product": "rds", "instance_id": "rm-localmysql80",
                                                    "name": "valid1", "privileges": "ReadWrite"})
    assert patched.value.status == 400
    # Nothing bad was stored: the real API still answers.
    from alibabacloud_rds20140815 import models
    found = rds_client.describe_accounts(models.DescribeAccountsRequest(dbinstance_id="rm-localmysql80"))
    assert [a.account_name for a in found.body.accounts.dbinstance_account] == ["valid1"]
