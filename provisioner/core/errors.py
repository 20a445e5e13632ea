"""Turn SDK exceptions into CloudApiError: the cloud's code, request id, a hint the user can act
on, and a kind the retry engine acts on. Nothing here may carry a password: SDK exceptions can
hold the whole request (Alibaba puts AccountPassword in the URL query), so we copy out only
code/message/request id, redact them, and never chain the original exception.
"""

from __future__ import annotations

import re
from typing import Iterable

from provisioner.core import redaction
from provisioner.core.adapter import CloudApiError
from provisioner.core.codes import (
    ACCOUNT_NOT_FOUND,
    AUTH,
    BUSY,
    EXISTS,
    FATAL,
    GONE,
    NOT_FOUND,
    NOT_READY,
    THROTTLED,
    TRANSIENT,
    WAITED,
    kind_of,
)

__all__ = ["ACCOUNT_NOT_FOUND", "AUTH", "BUSY", "EXISTS", "FATAL", "GONE", "NOT_FOUND", "NOT_READY", "THROTTLED",
           "TRANSIENT", "WAITED", "RETRYABLE", "classify", "make_error", "translate", "redact"]
RETRYABLE = frozenset({THROTTLED, TRANSIENT})

# Python exception class names the Tencent SDK uses as the code of a network failure that
# happens outside its own send (while the response body is read): requests/urllib3/http.client.
_PY_NETWORK_ERRORS = frozenset({
    "ChunkedEncodingError", "ConnectionError", "ConnectTimeout", "ReadTimeout", "Timeout",
    "ProtocolError", "IncompleteRead", "RemoteDisconnected", "ContentDecodingError",
    "ConnectionResetError", "ConnectionAbortedError", "BrokenPipeError", "TimeoutError",
})
# Fallback for codes no product table names (codes/ is the source): how the clouds name them.
_NOT_READY_RE = re.compile(r"(Instance|Cluster)(Status|State|Lock)|LockMode|StatusDenied", re.I)
_ACCOUNT_CODE = re.compile(r"Account", re.I)

_HINTS = {
    THROTTLED: "the cloud kept throttling this call; retry later or lower the parallelism "
               "(pulumi up --parallel)",
    TRANSIENT: "the cloud or the network failed repeatedly; re-run the operation",
    NOT_READY: "the instance is not running or is locked; wait until it is Running and unlocked, "
               "then re-run",
    BUSY: "the instance (or the account) stayed busy with another operation for the whole wait; "
          "re-run later or raise provisioner:waitTimeoutSeconds",
    NOT_FOUND: "check the instance/cluster id and the region configured for the provider",
    ACCOUNT_NOT_FOUND: "the account does not exist (removed outside Pulumi?); run `pulumi refresh`",
    EXISTS: "an account with this name already exists; adopt it explicitly or choose another name",
    AUTH: "check the access key id/secret configured for the provider and its RAM/CAM permissions",
}


def classify(code: str, status: int | None = None, product: str | None = None) -> str:
    """What the retry engine should do about an error code (and HTTP status, Alibaba): the
    product's code table (codes/) first, then generic rules for codes no table names."""
    kind = kind_of(product, code)
    if kind is not None:
        return kind
    if code.startswith(("RequestLimitExceeded", "Throttling", "ServiceUnavailable")):
        return THROTTLED
    if _NOT_READY_RE.search(code) and not re.search(r"Not(Found|Fond|Exist)", code):
        return NOT_READY
    if _ACCOUNT_CODE.search(code):
        if re.search(r"Not(Exist|Found|Fond)", code):
            return ACCOUNT_NOT_FOUND
        if re.search(r"Exist|Duplicate", code):
            return EXISTS
    if code.startswith(("InternalError", "InternalServerError")) or (status is not None and status >= 500):
        return TRANSIENT
    return FATAL


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Remove secrets (in every encoding: provisioner.core.redaction) and any URL query string from text."""
    return re.sub(r"\?[^\s'\")]+", "?<redacted>", redaction.redact(text, secrets))


def make_error(action: str, code: str, message: str, request_id: str | None, *,
               status: int | None = None, secrets: Iterable[str] = (), hint: str | None = None,
               product: str | None = None) -> CloudApiError:
    kind = classify(code, status, product)
    hint = hint or _HINTS.get(kind)
    text = redact((message or "").strip().rstrip(".") or "no message", secrets)
    if len(text) > 500:
        text = text[:500] + "…"
    err = CloudApiError(action, code, f"{text}. {hint[0].upper()}{hint[1:]}" if hint else text, request_id,
                        retryable=kind in RETRYABLE, status=status)
    err.kind, err.raw_message = kind, text
    return err


def translate(action: str, exc: BaseException, secrets: Iterable[str] = (),
              product: str | None = None) -> CloudApiError | None:
    """CloudApiError for an SDK/network exception; None for anything else (a bug: let it raise)."""
    secrets = tuple(secrets)
    if isinstance(exc, CloudApiError):
        return exc
    try:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
    except ImportError:  # pragma: no cover - the SDKs are dependencies
        TencentCloudSDKException = ()
    if TencentCloudSDKException and isinstance(exc, TencentCloudSDKException):
        code, message = exc.get_code() or "UnknownError", exc.get_message()
        if isinstance(message, bytes):  # ServerNetworkError carries the raw body
            message = message.decode("utf-8", "replace")
        if code in _PY_NETWORK_ERRORS:
            # The generated clients wrap any foreign exception as TencentCloudSDKException(
            # type(e).__name__, str(e)): a response cut off mid-body arrives as code
            # "ChunkedEncodingError". It is a network failure like ClientNetworkError (the call
            # may have been applied), not a fatal cloud error: it must be retried.
            code = "ClientNetworkError"
        if code == "ClientNetworkError":
            message = _network_message(str(message))
        return make_error(action, code, str(message), exc.get_request_id(), secrets=secrets,
                          product=product)

    from darabonba.exceptions import ResponseException
    from Tea.exceptions import TeaException, UnretryableException
    if isinstance(exc, ResponseException):
        data = exc.data if isinstance(exc.data, dict) else {}
        status = getattr(exc, "status_code", None) or data.get("statusCode")
        message = data.get("Message") or data.get("message") or exc.message or ""
        request_id = getattr(exc, "request_id", None) or data.get("RequestId")
        code = exc.code or ("Throttling" if type(exc).__name__ == "ThrottlingException" else "UnknownError")
        return make_error(action, str(code), str(message), request_id, status=status, secrets=secrets,
                          product=product)
    if isinstance(exc, UnretryableException):  # network failure: the request never got an answer
        inner = getattr(exc, "inner_exception", None) or exc
        return make_error(action, "NetworkError", _network_message(f"{type(inner).__name__}: {inner}"),
                          None, secrets=secrets)
    if isinstance(exc, TeaException):
        return make_error(action, str(exc.code or "ClientError"), str(exc.message or type(exc).__name__),
                          None, secrets=secrets, product=product)
    if isinstance(exc, (OSError, TimeoutError)):
        return make_error(action, "NetworkError", _network_message(f"{type(exc).__name__}: {exc}"),
                          None, secrets=secrets)
    return None


_NET_DETAIL = re.compile(r"\[Errno -?\d+\] [^\"')]+|Read timed out|timed out|Remote end closed connection"
                         r"[^\"')]*|Connection reset by peer|Connection aborted|Connection refused", re.I)


def _network_message(text: str) -> str:
    low = text.lower()
    what = "timed out" if "timed out" in low or "timeout" in low else "connection failed"
    m = _NET_DETAIL.search(text)
    return f"network error ({what}): {m.group(0) if m else text[:200]}"


def account_named(err: CloudApiError, names: Iterable[str]) -> str | None:
    """The one name among `names` that the error message mentions (as a whole word), if exactly one."""
    hits = [n for n in names if re.search(rf"(?<![\w.]){re.escape(n)}(?![\w])", raw_message(err))]
    return hits[0] if len(hits) == 1 else None


def account_index(err: CloudApiError) -> int | None:
    """The position in a batch request the error points at ("Accounts.2.AccountName ..."), if any."""
    m = re.search(r"\bAccounts\.(\d+)\.", raw_message(err))
    return int(m.group(1)) if m else None


def raw_message(err: CloudApiError) -> str:
    """The cloud's own (redacted) message, without our hint."""
    return err.raw_message if err.raw_message is not None else err.cloud_message
