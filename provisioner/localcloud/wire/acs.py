"""Alibaba Cloud request signatures, verified the way the real gateway does.

Two schemes (see ../../../../shared/docs/wire-protocols.md):
- ACS3-HMAC-SHA256: the tea-openapi default. Authorization header, x-acs-* headers.
- RPC v1 (HMAC-SHA1, SignatureVersion=1.0): aliyun-python-sdk-core and tea-openapi with
  signature_algorithm="v2". Everything (AccessKeyId, Timestamp, Signature...) is a parameter.

Both check the clock (15 min, like the real gateway) and refuse a nonce seen before. The nonce
is recorded only after the signature verified, so unauthenticated junk cannot fill the cache.
Parameters carry passwords: the v1 string to sign echoed in SignatureDoesNotMatch has the
values of *Password* parameters masked (the real service echoes them; we never do).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from collections import OrderedDict
from datetime import datetime, timezone
from urllib.parse import parse_qsl, quote

from ..errors import CloudError

MAX_SKEW_SECONDS = 15 * 60
ACS3 = "ACS3-HMAC-SHA256"
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_MASK = "******"


class NonceCache:
    """Nonces seen within the acceptance window (a request is accepted for +-MAX_SKEW around
    its timestamp, so a nonce must be remembered for twice that; older ones can be dropped)."""

    def __init__(self, ttl: float = 2 * MAX_SKEW_SECONDS):
        self.ttl = ttl
        self._seen: OrderedDict[tuple[str, str], float] = OrderedDict()
        self._lock = threading.Lock()

    def use(self, access_key_id: str, nonce: str, now: float) -> bool:
        """Record the nonce; False if it was already used."""
        with self._lock:
            while self._seen and next(iter(self._seen.values())) < now - self.ttl:
                self._seen.popitem(last=False)
            key = (access_key_id, nonce)
            if key in self._seen:
                return False
            self._seen[key] = now
            return True

    def clear(self) -> None:
        with self._lock:
            self._seen.clear()


NONCES = NonceCache()


def encode(value: str) -> str:
    """RFC 3986 percent-encoding as both schemes define it (space -> %20, only ~ kept)."""
    return quote(value, safe="~")


def verify_acs3(method: str, path: str, raw_query: str, headers: dict[str, str], body: bytes,
                credentials: dict[str, str], *, now: float | None = None,
                nonces: NonceCache | None = NONCES) -> str:
    """Verify an ACS3-HMAC-SHA256 request; return its AccessKeyId or raise CloudError."""
    now = time.time() if now is None else now
    if not headers.get("authorization"):
        params = _all_params(raw_query, headers, body)
        if "Signature" in params:
            # tea-openapi's v2 mode sends x-acs-action too, so a router keyed on that header
            # hands RPC v1 requests to this function.
            return verify_rpc_v1(method, params, credentials, now=now, nonces=nonces)
    algorithm, fields = _parse_authorization(headers.get("authorization", ""))
    access_key_id = fields["Credential"]
    secret = _secret(credentials, access_key_id)
    for name in ("x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"):
        if not headers.get(name):
            raise CloudError("MissingParameter", f'The input parameter "{name}" that is mandatory for '
                             "processing this request is not supplied.", 400)
    _check_time(headers["x-acs-date"], now)
    signed = [h.strip().lower() for h in fields["SignedHeaders"].split(";") if h.strip()]
    # The gateway requires every common header present (host, x-acs-*) to be signed, or an
    # attacker could swap e.g. x-acs-action under a valid signature.
    unsigned = sorted(h for h in headers if (h == "host" or h.startswith("x-acs-")) and h not in signed)
    if unsigned:
        raise _incomplete(f"header(s) {', '.join(unsigned)} must be in SignedHeaders")
    # Hash the bytes received, not the client's claim: a mismatch then surfaces as a bad signature.
    payload_hash = hashlib.sha256(body or b"").hexdigest()
    canonical = "\n".join([
        method.upper(),
        path or "/",
        canonical_query(raw_query),
        "".join(f"{h}:{headers.get(h, '').strip()}\n" for h in signed),
        ";".join(signed),
        payload_hash,
    ])
    string_to_sign = f"{algorithm}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    expected = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()
    if headers["x-acs-content-sha256"].lower() != payload_hash or not _same(expected, fields["Signature"].lower()):
        raise signature_mismatch(string_to_sign)
    _use_nonce(nonces, access_key_id, headers["x-acs-signature-nonce"], now)
    return access_key_id


def canonical_query(raw_query: str) -> str:
    """Decode the query as sent (urlencoded, '+' = space), sort, re-encode RFC 3986."""
    pairs = parse_qsl(raw_query or "", keep_blank_values=True)
    return "&".join(f"{encode(k)}={encode(v)}" for k, v in sorted(pairs))


def verify_rpc_v1(method: str, params: dict[str, str], credentials: dict[str, str], *,
                  now: float | None = None, nonces: NonceCache | None = NONCES) -> str:
    """Verify an RPC v1 (HMAC-SHA1) request given ALL its parameters (query + form body,
    Signature included); return its AccessKeyId or raise CloudError."""
    now = time.time() if now is None else now
    # Action and Version must be signed parameters: otherwise the call would be routed by
    # whatever an unsigned header says (RPC v1 signs parameters only).
    for name in ("Action", "Version", "Signature", "AccessKeyId", "Timestamp", "SignatureNonce", "SignatureMethod"):
        if not params.get(name):
            raise CloudError(f"Missing{name}", f"{name} is mandatory for this action.", 400)
    for name, supported in (("SignatureMethod", "HMAC-SHA1"), ("SignatureVersion", "1.0")):
        if params.get(name, supported) != supported:
            raise CloudError(f"Invalid{name}.ValueNotSupported",
                             f'The specified parameter "{name}" is not valid: only {supported} is supported.', 400)
    access_key_id = params["AccessKeyId"]
    secret = _secret(credentials, access_key_id)
    _check_time(params["Timestamp"], now)
    string_to_sign = rpc_string_to_sign(method, params)
    expected = base64.b64encode(
        hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()).decode()
    if not _same(expected, params["Signature"]):
        masked = {k: (_MASK if "password" in k.lower() else v) for k, v in params.items()}
        raise signature_mismatch(rpc_string_to_sign(method, masked))
    _use_nonce(nonces, access_key_id, params["SignatureNonce"], now)
    return access_key_id


def rpc_string_to_sign(method: str, params: dict[str, str]) -> str:
    joined = "&".join(f"{encode(k)}={encode(v)}" for k, v in sorted(params.items()) if k != "Signature")
    return f"{method.upper()}&{encode('/')}&{encode(joined)}"


def _all_params(raw_query: str, headers: dict[str, str], body: bytes) -> dict[str, str]:
    params = dict(parse_qsl(raw_query or "", keep_blank_values=True))
    if headers.get("content-type", "").startswith("application/x-www-form-urlencoded") and body:
        params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return params


def signature_mismatch(string_to_sign: str) -> CloudError:
    # Exact real wording: the old core SDK splits the message on ':' to compare string-to-signs.
    return CloudError("SignatureDoesNotMatch", "Specified signature is not matched with our calculation. "
                      f"server string to sign is:{string_to_sign}", 400)


def _incomplete(detail: str) -> CloudError:
    return CloudError("IncompleteSignature",
                      f"The request signature does not conform to Aliyun standards. ({detail})", 400)


def _parse_authorization(value: str) -> tuple[str, dict[str, str]]:
    algorithm, _, rest = value.strip().partition(" ")
    if not algorithm:
        raise _incomplete("missing Authorization header")
    if algorithm != ACS3:
        raise _incomplete(f"unsupported signature algorithm {algorithm!r}; use {ACS3}")
    fields = {}
    for part in rest.split(","):
        key, sep, val = part.strip().partition("=")
        if sep:
            fields[key] = val.strip()
    missing = [k for k in ("Credential", "SignedHeaders", "Signature") if not fields.get(k)]
    if missing:
        raise _incomplete(f"Authorization lacks {', '.join(missing)}")
    return algorithm, fields


def _same(expected: str, given: str) -> bool:
    """Constant-time comparison; as bytes, since compare_digest refuses non-ASCII str (a header
    byte such as 0xe9 arrives as 'é') with a TypeError."""
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "surrogateescape"))


def _secret(credentials: dict[str, str], access_key_id: str) -> str:
    secret = credentials.get(access_key_id)
    if secret is None:
        raise CloudError("InvalidAccessKeyId.NotFound", "Specified access key is not found.", 404)
    return secret


def _check_time(value: str, now: float) -> None:
    if not value.isascii():   # strptime would read non-ASCII digits as digits
        raise CloudError("InvalidTimeStamp.Format",
                         "Specified time stamp or date value is not well formatted.", 400)
    try:
        stamp = datetime.strptime(value, _TIME_FORMAT).replace(tzinfo=timezone.utc).timestamp()
    except ValueError:
        raise CloudError("InvalidTimeStamp.Format",
                         "Specified time stamp or date value is not well formatted.", 400) from None
    if abs(now - stamp) > MAX_SKEW_SECONDS:
        raise CloudError("InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.", 400)


def _use_nonce(nonces: NonceCache | None, access_key_id: str, nonce: str, now: float) -> None:
    if nonces is not None and not nonces.use(access_key_id, nonce, now):
        raise CloudError("SignatureNonceUsed", "Specified signature nonce was used already.", 400)
