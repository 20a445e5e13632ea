"""Malformed input gets the documented 4xx codes (never InternalError); RPC v1 routes only by its
signed Action and Version; a replayed Alibaba request is refused after a restart too.

Requests are signed here by hand (small independent signers), so they reach the real services."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid
from datetime import datetime, timezone
from urllib.parse import quote

import httpx
import pytest

from provisioner.localcloud.server import LocalCloud


def tc3_headers(cloud, action: str, body: bytes, *, timestamp: str | None = None) -> dict[str, str]:
    ts = timestamp or str(int(time.time()))
    date = datetime.fromtimestamp(int(time.time()), timezone.utc).strftime("%Y-%m-%d")
    host = cloud.endpoint
    canonical = (f"POST\n/\n\ncontent-type:application/json\nhost:{host}\n\ncontent-type;host\n"
                 f"{hashlib.sha256(body).hexdigest()}")
    scope = f"{date}/cynosdb/tc3_request"
    to_sign = f"TC3-HMAC-SHA256\n{ts}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    key = ("TC3" + cloud.secret_key).encode()
    for part in (date, "cynosdb", "tc3_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return {"Host": host, "Content-Type": "application/json", "X-TC-Action": action, "X-TC-Version": "2019-01-07",
            "X-TC-Timestamp": ts, "X-TC-Region": "ap-guangzhou",
            "Authorization": f"TC3-HMAC-SHA256 Credential={cloud.access_key}/{scope}, "
                             f"SignedHeaders=content-type;host, Signature={signature}"}


def rpc_v1_params(cloud, **params: str) -> dict[str, str]:
    """Params signed with RPC v1 (HMAC-SHA1); keys given as None are left out."""
    base = {"Format": "JSON", "Timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "SignatureNonce": uuid.uuid4().hex,
            "AccessKeyId": cloud.access_key, "Version": "2014-08-15"}
    signed = {k: v for k, v in {**base, **params}.items() if v is not None}
    enc = lambda v: quote(v, safe="~")  # noqa: E731
    joined = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(signed.items()))
    digest = hmac.new(f"{cloud.secret_key}&".encode(), f"POST&%2F&{enc(joined)}".encode(), hashlib.sha1).digest()
    return {**signed, "Signature": base64.b64encode(digest).decode()}


@pytest.fixture
def http(localcloud):
    with httpx.Client(base_url=localcloud.url, timeout=30, trust_env=False) as client:
        yield client


def tencent_error(response) -> str:
    assert response.status_code == 200
    return response.json()["Response"].get("Error", {}).get("Code", "OK")


@pytest.mark.parametrize("body", [
    b'{"ClusterId": "\\ud800"}',                                          # a lone surrogate
    b'{"Filters": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",             # deeper than any parser's stack
    b'{"ClusterId": "\xff\xfe"}',                                          # not UTF-8
    b'{"Limit": 1' + b"0" * 5000 + b"}",                                   # an integer Python will not read
], ids=["surrogate", "nested", "not-utf8", "huge-int"])
def test_malformed_tencent_bodies_are_invalid_parameter(localcloud, http, body):
    response = http.post("/", content=body, headers=tc3_headers(localcloud, "DescribeLibraDBClusterAccounts", body))
    assert tencent_error(response) == "InvalidParameter", response.text


@pytest.mark.parametrize("timestamp", ["１７００００００００", "²", "9" * 5000, "-1"])
def test_a_tc3_timestamp_of_other_digits_is_invalid_parameter(localcloud, http, timestamp):
    body = b'{"ClusterId": "libradb-local001"}'
    headers = tc3_headers(localcloud, "DescribeLibraDBClusterAccounts", body, timestamp="1")
    headers["X-TC-Timestamp"] = timestamp
    response = http.post("/", content=body, headers={k: v.encode() if k == "X-TC-Timestamp" else v
                                                      for k, v in headers.items()})
    assert tencent_error(response) == "InvalidParameter", response.text


def test_a_well_signed_tencent_request_passes(localcloud, http):
    body = b'{"ClusterId": "libradb-local001"}'
    response = http.post("/", content=body, headers=tc3_headers(localcloud, "DescribeLibraDBClusterAccounts", body))
    assert tencent_error(response) == "OK", response.text


@pytest.mark.parametrize("params, code", [
    ({"PageNumber": "²"}, "InvalidPageNumber.Malformed"),
    ({"PageNumber": "٣"}, "InvalidPageNumber.Malformed"),
    ({"PageSize": "9" * 5000}, "InvalidPageSize.Malformed"),
    ({"Timestamp": "٢٠٢٦-01-01T00:00:00Z"}, "InvalidTimeStamp.Format"),
])
def test_malformed_alibaba_values_get_their_documented_codes(localcloud, http, params, code):
    signed = rpc_v1_params(localcloud, Action="DescribeAccounts", DBInstanceId="rm-localmysql80", **params)
    response = http.post("/", params=signed)
    assert (response.status_code, response.json()["Code"]) == (400, code), response.text


@pytest.mark.parametrize("where", ["rpc", "acs3"])
def test_a_non_ascii_signature_is_a_mismatch_not_a_crash(localcloud, http, where):
    if where == "rpc":
        signed = rpc_v1_params(localcloud, Action="DescribeAccounts", DBInstanceId="rm-localmysql80")
        response = http.post("/", params={**signed, "Signature": "é" * 28})
    else:
        response = http.post("/", params={"DBInstanceId": "rm-localmysql80"}, headers={
            "x-acs-action": "DescribeAccounts", "x-acs-version": "2014-08-15",
            "x-acs-date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "x-acs-signature-nonce": uuid.uuid4().hex, "x-acs-content-sha256": hashlib.sha256(b"").hexdigest(),
            "Authorization": "ACS3-HMAC-SHA256 Credential=localcloud-access-key,SignedHeaders=host;x-acs-action;"
                             "x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=\xe9\xe9".encode("latin-1")})
    assert (response.status_code, response.json()["Code"]) == (400, "SignatureDoesNotMatch"), response.text


def test_rpc_v1_takes_its_action_only_from_signed_parameters(localcloud, http):
    # Signed without Action; the action named in an (unsigned) header must not be run.
    signed = rpc_v1_params(localcloud, DBInstanceId="rm-localmysql80", AccountName="sneaky",
                           AccountPassword="Pw123456!x", AccountType="Super")
    response = http.post("/", params=signed, headers={"x-acs-action": "CreateAccount", "x-acs-version": "2014-08-15"})
    assert (response.status_code, response.json()["Code"]) == (400, "MissingParameter"), response.text
    no_version = rpc_v1_params(localcloud, Action="DescribeAccounts", Version=None, DBInstanceId="rm-localmysql80")
    response = http.post("/", params=no_version, headers={"x-acs-version": "2014-08-15"})
    assert (response.status_code, response.json()["Code"]) == (400, "MissingParameter"), response.text
    assert localcloud.store.list_accounts("rds") == []


def test_a_replayed_request_is_refused_after_a_restart(tmp_path):
    state = tmp_path / "state.sqlite"
    cloud = LocalCloud(state=state).start()
    signed = rpc_v1_params(cloud, Action="CreateAccount", DBInstanceId="rm-localmysql80", AccountName="once",
                           AccountPassword="Pw123456!x")
    try:
        first = httpx.post(cloud.url, params=signed, trust_env=False)
        assert first.status_code == 200, first.text
        cloud.admin.delete_account("rds", "rm-localmysql80", "once")
        assert httpx.post(cloud.url, params=signed, trust_env=False).json()["Code"] == "SignatureNonceUsed"
    finally:
        cloud.stop()
    again = LocalCloud(state=state, port=0).start()
    try:
        replay = httpx.post(again.url, params=signed, trust_env=False)
        assert (replay.status_code, replay.json()["Code"]) == (400, "SignatureNonceUsed"), replay.text
        assert again.store.list_accounts("rds") == []
    finally:
        again.stop()
