"""Alibaba signatures. verify_acs3 / verify_rpc_v1 against requests signed by the official
tea-openapi SDK (captured by a throw-away HTTP server: real vectors), hand-made negatives, and
the same checks end to end through the local cloud with the SDK."""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit

import httpx
import pytest
from alibabacloud_rds20140815 import models as rds_models
from alibabacloud_rds20140815.client import Client as RdsClient
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.models import Config
from alibabacloud_tea_openapi.utils import Utils

from provisioner.localcloud.errors import CloudError
from provisioner.localcloud.wire import acs as sig

KEY_ID, SECRET = "localcloud-access-key", "localcloud-secret-key"
CREDS = {KEY_ID: SECRET}
PASSWORD = "Pa+ss=w&rd!9#%"   # '+', '=', '&', '#', '%': exercises both encodings
LEAKS = (PASSWORD, quote(PASSWORD, safe=""), quote_plus(PASSWORD))


def _config(endpoint: str, algorithm: str | None = None, secret: str = SECRET, key: str = KEY_ID) -> Config:
    return Config(access_key_id=key, access_key_secret=secret, endpoint=endpoint, protocol="http",
                  region_id="cn-hangzhou", signature_algorithm=algorithm)


def _create(client: RdsClient, instance: str = "rm-localmysql80") -> None:
    client.create_account(rds_models.CreateAccountRequest(
        dbinstance_id=instance, account_name="app_user", account_password=PASSWORD,
        account_description="应用账号-app_1", check_policy=True))


@pytest.fixture(scope="module")
def captured():
    """One ACS3 and one RPC v1 request, as the SDK sends them."""
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            url = urlsplit(self.path)
            seen.append({"method": self.command, "path": url.path, "query": url.query, "body": body,
                         "headers": {k.lower(): v for k, v in self.headers.items()}})
            out = json.dumps({"RequestId": "CAPTURED"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"127.0.0.1:{server.server_address[1]}"
    _create(RdsClient(_config(endpoint)))
    _create(RdsClient(_config(endpoint, "v2")))
    server.shutdown()
    acs3, v1 = seen
    assert acs3["headers"]["authorization"].startswith("ACS3-HMAC-SHA256 ")
    v1["params"] = dict(parse_qsl(v1["query"], keep_blank_values=True))
    assert v1["params"]["SignatureMethod"] == "HMAC-SHA1"   # the SDK's "v2" mode is RPC v1
    return {"acs3": acs3, "v1": v1}


def _now(req: dict) -> float:
    stamp = req["headers"].get("x-acs-date") or req["params"]["Timestamp"]
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()


def _acs3(req: dict, *, creds=CREDS, nonces=None, now=None, **changes):
    r = {**req, "headers": dict(req["headers"]), **changes}
    return sig.verify_acs3(r["method"], r["path"], r["query"], r["headers"], r["body"], creds,
                           now=_now(req) if now is None else now, nonces=nonces)


def _v1(req: dict, params: dict | None = None, *, creds=CREDS, nonces=None, now=None):
    return sig.verify_rpc_v1(req["method"], params or req["params"], creds,
                             now=_now(req) if now is None else now, nonces=nonces)


def _raises(code: str, status: int, fn, *args, **kwargs) -> CloudError:
    with pytest.raises(CloudError) as info:
        fn(*args, **kwargs)
    assert (info.value.code, info.value.status) == (code, status)
    assert not any(leak in info.value.message for leak in LEAKS)
    return info.value


# --- real vectors ------------------------------------------------------------------------------

def test_acs3_request_from_sdk_verifies(captured):
    assert _acs3(captured["acs3"]) == KEY_ID


def test_v1_request_from_sdk_verifies(captured):
    assert _v1(captured["v1"]) == KEY_ID
    # The core routes on x-acs-action, which the SDK's v2 mode also sends: verify_acs3 copes.
    assert _acs3(captured["v1"]) == KEY_ID


def test_canonical_query_decodes_plus_and_reencodes_rfc3986():
    assert sig.canonical_query("b=x+y%2Bz&a=%7E%2F&c=") == "a=~%2F&b=x%20y%2Bz&c="


# --- ACS3 negatives ----------------------------------------------------------------------------

def test_acs3_tampered_query_is_refused_with_server_string_to_sign(captured):
    req = captured["acs3"]
    err = _raises("SignatureDoesNotMatch", 400, _acs3, req,
                  query=req["query"].replace("rm-localmysql80", "rm-localmysql56"))
    prefix = "Specified signature is not matched with our calculation. server string to sign is:"
    assert err.message.startswith(prefix + "ACS3-HMAC-SHA256\n")


def test_acs3_wrong_secret_unknown_key_and_tampered_body(captured):
    req = captured["acs3"]
    _raises("SignatureDoesNotMatch", 400, _acs3, req, creds={KEY_ID: "another-secret"})
    _raises("InvalidAccessKeyId.NotFound", 404, _acs3, req, creds={"someone-else": SECRET})
    _raises("SignatureDoesNotMatch", 400, _acs3, req, body=b"AccountName=intruder")


def test_acs3_clock_skew_and_format(captured):
    req = captured["acs3"]
    _acs3(req, now=_now(req) + 14 * 60)
    _raises("InvalidTimeStamp.Expired", 400, _acs3, req, now=_now(req) + 16 * 60)
    _raises("InvalidTimeStamp.Expired", 400, _acs3, req, now=_now(req) - 16 * 60)
    bad = dict(req["headers"], **{"x-acs-date": "yesterday"})
    _raises("InvalidTimeStamp.Format", 400, _acs3, req, headers=bad)


def test_acs3_nonce_replay_is_refused(captured):
    nonces = sig.NonceCache()
    _acs3(captured["acs3"], nonces=nonces)
    _raises("SignatureNonceUsed", 400, _acs3, captured["acs3"], nonces=nonces)


def test_acs3_incomplete_authorization_and_unsigned_headers(captured):
    req = captured["acs3"]
    headers = req["headers"]
    for auth in ("", "ACS3-HMAC-SM3 Credential=x,SignedHeaders=host,Signature=00",
                 f"ACS3-HMAC-SHA256 Credential={KEY_ID},Signature=00"):
        _raises("IncompleteSignature", 400, _acs3, req, headers=dict(headers, authorization=auth))
    _raises("IncompleteSignature", 400, _acs3, req, headers=dict(headers, **{"x-acs-action": "DeleteAccount",
                                                                             "x-acs-extra": "1"}))
    without_date = {k: v for k, v in headers.items() if k != "x-acs-date"}
    _raises("MissingParameter", 400, _acs3, req, headers=without_date)


# --- RPC v1 negatives --------------------------------------------------------------------------

def test_v1_tampered_params_mask_the_password(captured):
    req = captured["v1"]
    err = _raises("SignatureDoesNotMatch", 400, _v1, req, dict(req["params"], DBInstanceId="rm-localmysql56"))
    assert err.message.split("is:", 1)[1].startswith("POST&%2F&")
    assert "AccountPassword%3D%252A%252A%252A%252A%252A%252A" in err.message   # "******", encoded twice


def test_v1_wrong_secret_unknown_key_stale_and_replay(captured):
    req = captured["v1"]
    _raises("SignatureDoesNotMatch", 400, _v1, req, creds={KEY_ID: "another-secret"})
    _raises("InvalidAccessKeyId.NotFound", 404, _v1, req, creds={})
    _raises("InvalidTimeStamp.Expired", 400, _v1, req, now=_now(req) + 3600)
    nonces = sig.NonceCache()
    _v1(req, nonces=nonces)
    _raises("SignatureNonceUsed", 400, _v1, req, nonces=nonces)


def test_v1_missing_and_unsupported_params(captured):
    params = captured["v1"]["params"]
    for name in ("Signature", "AccessKeyId", "Timestamp", "SignatureNonce"):
        _raises(f"Missing{name}", 400, _v1, captured["v1"], {k: v for k, v in params.items() if k != name})
    _raises("InvalidSignatureMethod.ValueNotSupported", 400, _v1, captured["v1"],
            dict(params, SignatureMethod="HMAC-SHA256"))


def test_nonce_cache_forgets_after_the_window():
    cache = sig.NonceCache(ttl=10)
    assert cache.use("k", "n", 100) and not cache.use("k", "n", 105)
    assert cache.use("k", "n", 200)   # the old entry expired


# --- end to end: official SDK -> local cloud ---------------------------------------------------

def _sdk_error(fn, code: str, status: int) -> ClientException:
    with pytest.raises(ClientException) as info:
        fn()
    err = info.value
    assert (err.code, err.status_code) == (code, status)
    assert err.data["RequestId"] and err.data["Code"] == code
    assert not any(leak in str(err.data) for leak in LEAKS)
    return err


@pytest.mark.parametrize("algorithm", [None, "v2"])
def test_sdk_signed_calls_are_accepted(localcloud, algorithm):
    _create(RdsClient(_config(localcloud.endpoint, algorithm)))
    assert localcloud.store.get_account("rds", "rm-localmysql80", "app_user").password_matches(PASSWORD)


@pytest.mark.parametrize("algorithm", [None, "v2"])
def test_sdk_wrong_secret_and_unknown_key(localcloud, algorithm):
    wrong = RdsClient(_config(localcloud.endpoint, algorithm, secret="not-the-secret"))
    err = _sdk_error(lambda: _create(wrong), "SignatureDoesNotMatch", 400)
    assert "server string to sign is:" in err.data["Message"]
    stranger = RdsClient(_config(localcloud.endpoint, algorithm, key="nobody"))
    _sdk_error(lambda: _create(stranger), "InvalidAccessKeyId.NotFound", 404)
    assert localcloud.store.list_accounts("rds") == []


@pytest.mark.parametrize("algorithm", [None, "v2"])
def test_sdk_stale_clock_and_replayed_nonce(localcloud, monkeypatch, algorithm):
    client = RdsClient(_config(localcloud.endpoint, algorithm))
    stale = (datetime.now(timezone.utc) - timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with monkeypatch.context() as m:
        m.setattr(Utils, "get_timestamp", staticmethod(lambda: stale))
        _sdk_error(lambda: _create(client), "InvalidTimeStamp.Expired", 400)
    nonce = f"fixed-nonce-{algorithm}-{time.time_ns()}"
    monkeypatch.setattr(Utils, "get_nonce", staticmethod(lambda: nonce))
    _create(client)
    _sdk_error(lambda: _create(client, "rm-localmysql56"), "SignatureNonceUsed", 400)


def test_hand_built_requests_through_the_server(localcloud):
    """What the SDK never sends: unsigned, half-signed, tampered."""
    url = localcloud.url + "/"
    headers = {"x-acs-action": "DescribeAccounts", "x-acs-version": "2014-08-15"}
    query = {"DBInstanceId": "rm-localmysql80"}
    answers = [
        (httpx.post(url, params=query, headers=headers), "IncompleteSignature", 400),
        (httpx.post(url, params=query, headers={**headers, "authorization": "ACS3-HMAC-SHA256 Credential="
                    f"{KEY_ID},SignedHeaders=host,Signature=00"}), "MissingParameter", 400),
        (httpx.post(url + "?" + urlencode({**query, "Action": "DescribeAccounts", "Version": "2014-08-15",
                                            "AccessKeyId": KEY_ID})), "MissingSignature", 400),
    ]
    for response, code, status in answers:
        assert response.status_code == status
        body = response.json()
        assert body["Code"] == code and body["RequestId"]
