"""verify_tc3 against requests signed by the official SDK (captured by a throw-away HTTP server),
plus hand-made negatives. End-to-end signature checks through the server are in test_libradb_sdk.py."""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from tencentcloud.common import credential
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.cynosdb.v20190107 import cynosdb_client, models

from provisioner.localcloud.errors import CloudError
from provisioner.localcloud.wire.tc3 import canonical_request, string_to_sign, tc3_signature, verify_tc3

KEY_ID, SECRET = "localcloud-access-key", "localcloud-secret-key"
CREDS = {KEY_ID: SECRET}


@pytest.fixture(scope="module")
def capture():
    """Start a server that records each request and answers an empty Tencent success."""
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def _handle(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            url = urlsplit(self.path)
            seen.append({"method": self.command, "path": url.path, "query": url.query, "body": body,
                         "headers": {k.lower(): v for k, v in self.headers.items()}})
            out = json.dumps({"Response": {"RequestId": "captured"}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        do_GET = do_POST = _handle

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def send(endpoint_form: str = "{host}", method: str = "POST") -> dict:
        host = f"127.0.0.1:{server.server_address[1]}"
        http = HttpProfile(endpoint=endpoint_form.format(host=host), protocol="http", reqMethod=method)
        client = cynosdb_client.CynosdbClient(credential.Credential(KEY_ID, SECRET), "ap-guangzhou",
                                              ClientProfile(httpProfile=http))
        req = models.DescribeLibraDBClusterAccountsRequest()
        req.ClusterId, req.AccountNames, req.Limit = "libradb-local001", ["app_user", "名字"], 5
        client.DescribeLibraDBClusterAccounts(req)
        return seen[-1]

    yield send
    server.shutdown()


def _verify(r: dict, *, creds=CREDS, body=None, now=None, headers=None) -> str:
    ts = int(r["headers"]["x-tc-timestamp"])
    return verify_tc3(r["method"], r["path"], r["query"], headers or r["headers"],
                      r["body"] if body is None else body, creds, ts if now is None else now)


def _code(exc_info) -> str:
    return exc_info.value.code


def test_sdk_post_request_verifies(capture):
    r = capture()
    assert r["method"] == "POST" and r["headers"]["content-type"] == "application/json"
    assert _verify(r) == KEY_ID
    assert verify_tc3(r["method"], r["path"], r["query"], r["headers"], r["body"], CREDS,
                      int(r["headers"]["x-tc-timestamp"]), service="cynosdb") == KEY_ID


def test_sdk_get_request_verifies(capture):
    r = capture(method="GET")
    assert r["method"] == "GET" and "ClusterId=libradb-local001" in r["query"] and r["body"] == b""
    assert _verify(r) == KEY_ID


def test_http_scheme_host_header_is_accepted(capture):
    # tccli --endpoint http://127.0.0.1:PORT makes the SDK send and sign this literal Host.
    r = capture("http://{host}")
    assert r["headers"]["host"].startswith("http://127.0.0.1:")
    assert _verify(r) == KEY_ID


def test_wrong_secret_key(capture):
    with pytest.raises(CloudError) as e:
        _verify(capture(), creds={KEY_ID: "not-the-secret"})
    assert _code(e) == "AuthFailure.SignatureFailure"


def test_unknown_secret_id(capture):
    with pytest.raises(CloudError) as e:
        _verify(capture(), creds={"someone-else": SECRET})
    assert _code(e) == "AuthFailure.SecretIdNotFound"


def test_tampered_body(capture):
    r = capture()
    with pytest.raises(CloudError) as e:
        _verify(r, body=r["body"].replace(b"libradb-local001", b"libradb-local002"))
    assert _code(e) == "AuthFailure.SignatureFailure"


def test_reserialised_body_is_not_the_signed_body(capture):
    # The hash is over the raw bytes: re-encoding the same JSON differently must fail.
    r = capture()
    with pytest.raises(CloudError) as e:
        _verify(r, body=json.dumps(json.loads(r["body"]), ensure_ascii=False).encode())
    assert _code(e) == "AuthFailure.SignatureFailure"


def test_tampered_signed_header(capture):
    r = capture()
    with pytest.raises(CloudError) as e:
        _verify(r, headers={**r["headers"], "host": "127.0.0.1:1"})
    assert _code(e) == "AuthFailure.SignatureFailure"


@pytest.mark.parametrize("skew", [301, -301])
def test_stale_or_future_timestamp(capture, skew):
    r = capture()
    with pytest.raises(CloudError) as e:
        _verify(r, now=int(r["headers"]["x-tc-timestamp"]) + skew)
    assert _code(e) == "AuthFailure.SignatureExpire"
    assert _verify(r, now=int(r["headers"]["x-tc-timestamp"]) + 300) == KEY_ID


@pytest.mark.parametrize("auth", [
    None, "", "Bearer abc", "TC3-HMAC-SHA256 Credential=x, Signature=00",
    "TC3-HMAC-SHA256 Credential=a/2024-01-01/cynosdb/other, SignedHeaders=content-type;host, Signature=" + "0" * 64,
    "TC3-HMAC-SHA256 Credential=a/2024-01-01/cynosdb/tc3_request, SignedHeaders=host, Signature=" + "0" * 64,
])
def test_missing_or_malformed_authorization(capture, auth):
    r = capture()
    headers = {k: v for k, v in r["headers"].items() if k != "authorization"}
    if auth is not None:
        headers["authorization"] = auth
    with pytest.raises(CloudError) as e:
        _verify(r, headers=headers)
    assert _code(e) == "AuthFailure.InvalidAuthorization"


def test_missing_timestamp(capture):
    r = capture()
    headers = {k: v for k, v in r["headers"].items() if k != "x-tc-timestamp"}
    with pytest.raises(CloudError) as e:
        verify_tc3("POST", "/", "", headers, r["body"], CREDS, 0)
    assert _code(e) == "MissingParameter"


def test_scope_service_must_match_when_given(capture):
    r = capture()
    with pytest.raises(CloudError) as e:
        verify_tc3("POST", "/", "", r["headers"], r["body"], CREDS, int(r["headers"]["x-tc-timestamp"]),
                   service="cvm")
    assert _code(e) == "AuthFailure.InvalidAuthorization"


def _hand_signed(body: bytes, ts: int, date: str, secret: str = SECRET, host: str = "127.0.0.1:9",
                 extra: dict[str, str] | None = None) -> dict:
    """Sign like the public algorithm does: header values lower-cased, any extra signed headers."""
    headers = {"content-type": "application/json", "host": host, "x-tc-timestamp": str(ts), **(extra or {})}
    names = sorted(["content-type", "host", *(extra or {})])
    canon = canonical_request("POST", "/", "", headers, names, hashlib.sha256(body).hexdigest(), lower_values=True)
    sts = string_to_sign(canon, str(ts), f"{date}/cynosdb/tc3_request")
    headers["authorization"] = (f"TC3-HMAC-SHA256 Credential={KEY_ID}/{date}/cynosdb/tc3_request, "
                                f"SignedHeaders={';'.join(names)}, Signature={tc3_signature(secret, date, 'cynosdb', sts)}")
    return headers


def test_credential_date_must_be_utc_date_of_timestamp():
    ts = 1_700_000_000  # 2023-11-14T22:13:20Z
    body = b'{"ClusterId": "x"}'
    assert verify_tc3("POST", "/", "", _hand_signed(body, ts, "2023-11-14"), body, CREDS, ts) == KEY_ID
    with pytest.raises(CloudError) as e:
        verify_tc3("POST", "/", "", _hand_signed(body, ts, "2023-11-15"), body, CREDS, ts)
    assert _code(e) == "AuthFailure.SignatureFailure"


def test_header_values_lower_cased_and_extra_signed_headers():
    # Clients following the public algorithm lower-case values and may sign x-tc-action too.
    ts, body = 1_700_000_000, b"{}"
    headers = _hand_signed(body, ts, "2023-11-14", host="LocalHost:9",
                           extra={"x-tc-action": "DescribeLibraDBClusters"})
    assert "x-tc-action" in headers["authorization"]
    assert verify_tc3("POST", "/", "", headers, body, CREDS, ts) == KEY_ID


def test_public_documentation_vector():
    # Tencent's "Signature v3" worked example publishes the hashed canonical request (the key is masked).
    body = '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'.encode()
    headers = {"content-type": "application/json; charset=utf-8", "host": "cvm.tencentcloudapi.com",
               "x-tc-action": "DescribeInstances"}
    payload_hash = hashlib.sha256(body).hexdigest()
    assert payload_hash == "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
    canon = canonical_request("POST", "/", "", headers, ["content-type", "host", "x-tc-action"], payload_hash,
                              lower_values=True)
    assert string_to_sign(canon, "1551113065", "2019-02-25/cvm/tc3_request").splitlines()[-1] == \
        "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84"
