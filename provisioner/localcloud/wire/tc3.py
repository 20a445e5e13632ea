"""TC3-HMAC-SHA256 verification (Tencent Cloud API 3.0), server side.

Follows the public algorithm and what tencentcloud-sdk-python 3.1.195 actually sends
(../shared/docs/wire-protocols.md): the payload hash is over the RAW body bytes, the canonical
headers are the client's SignedHeaders (at least content-type and host) and the Host value is
whatever the client signed — `http://127.0.0.1:PORT` included (tccli with --endpoint http://...).

Error codes (Tencent common error codes):
  no/garbled Authorization, wrong algorithm, bad scope  -> AuthFailure.InvalidAuthorization
  X-TC-Timestamp missing / not an integer               -> MissingParameter / InvalidParameter
  timestamp more than 300 s away from the server clock  -> AuthFailure.SignatureExpire
  unknown SecretId                                      -> AuthFailure.SecretIdNotFound
  credential date != UTC date of the timestamp, or
  signature mismatch                                    -> AuthFailure.SignatureFailure
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime, timezone

from ..errors import CloudError

ALGORITHM = "TC3-HMAC-SHA256"
MAX_SKEW_SECONDS = 300
_AUTH = re.compile(   # matched with fullmatch: `$` would also accept a trailing newline
    r"TC3-HMAC-SHA256\s+Credential=(?P<cred>[^,\s]+)\s*,\s*SignedHeaders=(?P<signed>[^,\s]+)"
    r"\s*,\s*Signature=(?P<sig>[0-9a-fA-F]{64})\s*")
_FAILURE = "The provided credentials could not be validated. Please check your signature is correct."


def _invalid(why: str) -> CloudError:
    return CloudError("AuthFailure.InvalidAuthorization",
                      f"Authorization in request header does not conform to the TC3-HMAC-SHA256 standard: {why}.")


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def tc3_signature(secret_key: str, date: str, service: str, string_to_sign: str) -> str:
    k = _hmac(_hmac(_hmac(("TC3" + secret_key).encode(), date), service), "tc3_request")
    return hmac.new(k, string_to_sign.encode(), hashlib.sha256).hexdigest()


def canonical_request(method: str, path: str, query: str, headers: dict[str, str], signed: list[str],
                      payload_hash: str, *, lower_values: bool = False) -> str:
    fold = str.lower if lower_values else str
    canonical_headers = "".join(f"{n}:{fold(headers[n].strip())}\n" for n in signed)
    return "\n".join([method, path, query, canonical_headers, ";".join(signed), payload_hash])


def string_to_sign(canonical: str, timestamp: str, scope: str) -> str:
    return "\n".join([ALGORITHM, timestamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])


def verify_tc3(method: str, path: str, query: str, headers: dict[str, str], body: bytes,
               credentials: dict[str, str], now: float, *, service: str | None = None) -> str:
    """Return the SecretId of a correctly signed request or raise CloudError (AuthFailure.*).

    `query` is the raw query string as received (GET signs it verbatim; POST signs "").
    `service`, when given, must equal the service in the credential scope."""
    auth = (headers.get("authorization") or "").strip()
    if not auth:
        raise _invalid("the Authorization header is missing")
    m = _AUTH.fullmatch(auth)
    if not m:
        raise _invalid("expected 'TC3-HMAC-SHA256 Credential=<SecretId>/<date>/<service>/tc3_request, "
                       "SignedHeaders=<h1;h2>, Signature=<hex>'")
    parts = m["cred"].split("/")
    if len(parts) != 4 or parts[3] != "tc3_request" or not all(parts):
        raise _invalid("Credential must be <SecretId>/<YYYY-MM-DD>/<service>/tc3_request")
    secret_id, date, scope_service, _ = parts
    if service is not None and scope_service != service:
        raise _invalid(f"the credential scope names service '{scope_service}', this endpoint is '{service}'")
    signed = m["signed"].lower()
    names = signed.split(";")
    if names != sorted(set(names)) or not {"content-type", "host"} <= set(names):
        raise _invalid("SignedHeaders must be sorted, unique and include content-type and host")
    missing = [n for n in names if n not in headers]
    if missing:
        raise _invalid(f"signed header(s) not present in the request: {', '.join(missing)}")

    ts = headers.get("x-tc-timestamp")
    if ts is None:
        raise CloudError("MissingParameter", "The request is missing a required parameter `X-TC-Timestamp`.")
    if not re.fullmatch(r"[0-9]{1,12}", ts):   # not isdigit(): '²' is a digit that int() refuses
        raise CloudError("InvalidParameter", "X-TC-Timestamp must be a unix time in seconds.")
    if abs(now - int(ts)) > MAX_SKEW_SECONDS:
        raise CloudError("AuthFailure.SignatureExpire",
                         f"Signature expired: X-TC-Timestamp {ts} is more than {MAX_SKEW_SECONDS} s away "
                         f"from the server time {int(now)}.")

    secret_key = credentials.get(secret_id)
    if secret_key is None:
        raise CloudError("AuthFailure.SecretIdNotFound",
                         "The SecretId is not found, please ensure that your SecretId is correct.")
    ts_date = datetime.fromtimestamp(int(ts), timezone.utc).strftime("%Y-%m-%d")
    if date != ts_date:
        raise CloudError("AuthFailure.SignatureFailure",
                         f"{_FAILURE} The credential date {date} is not the UTC date of X-TC-Timestamp ({ts_date}).")

    if headers.get("x-tc-content-sha256") == "UNSIGNED-PAYLOAD":
        payload_hash = hashlib.sha256(b"UNSIGNED-PAYLOAD").hexdigest()
    else:
        payload_hash = hashlib.sha256(body).hexdigest()
    method = method.upper()
    canonical_query = query if method == "GET" else ""
    scope = f"{date}/{scope_service}/tc3_request"
    given = m["sig"].lower()
    # The spec lower-cases header values; the SDK signs them as sent. Accept either form.
    for lower in (False, True):
        canonical = canonical_request(method, path or "/", canonical_query, headers, names, payload_hash,
                                      lower_values=lower)
        expected = tc3_signature(secret_key, date, scope_service, string_to_sign(canonical, ts, scope))
        if hmac.compare_digest(expected, given):
            return secret_id
    raise CloudError("AuthFailure.SignatureFailure", _FAILURE)
