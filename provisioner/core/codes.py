"""Error codes as data: what each cloud API's codes mean, per product, in one table each.

A code maps to a *kind*, and the kind says what to do about it. The adapters (retry.py waits,
backs off or raises), the providers (core/provider.py: exc.kind, gone / already exists) and recover
(the instance is gone) all ask `kind_of(product, code)`; nobody keeps a code list of their own.

Kinds:
- throttled: the call was rate limited; back off and retry (bounded by attempts and a deadline).
- transient: the cloud or the network failed; the call may or may not have been applied; retry.
- not_ready: the instance/cluster is not Running or is locked: describe it until it is (fail at
  once when its state never becomes Running), then retry.
- busy: the instance is running but busy with another task (or the account with its last
  change): retry with backoff until the wait timeout, reads too.
- not_found: the instance/cluster is gone; account_not_found: the account is gone.
- exists: an account with that identity already exists.
- auth: credentials or permissions; fatal: anything else (bad input, quota, ...): raise at once.

Each product table is exact codes first, then prefixes (the clouds group codes by prefix, and
Tencent's own Terraform provider matches the part before the first dot the same way). Codes
none of the tables name fall back to a few generic rules (`errors.classify`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from provisioner.products import NAMES
from provisioner.products import product as registered

THROTTLED, TRANSIENT, NOT_READY, BUSY = "throttled", "transient", "not_ready", "busy"
NOT_FOUND, ACCOUNT_NOT_FOUND, EXISTS = "not_found", "account_not_found", "exists"
AUTH, FATAL = "auth", "fatal"
KINDS = (THROTTLED, TRANSIENT, NOT_READY, BUSY, NOT_FOUND, ACCOUNT_NOT_FOUND, EXISTS, AUTH, FATAL)
GONE = frozenset({NOT_FOUND, ACCOUNT_NOT_FOUND})     # the account, or its whole instance, no longer exists
WAITED = frozenset({NOT_READY, BUSY})                # retried until the wait timeout, not the retry budget


@dataclass(frozen=True)
class CodeTable:
    """One API's codes. `codes`: exact code -> kind; `prefixes`: (prefix, kind), longest first wins."""
    product: str
    codes: dict[str, str]
    prefixes: tuple[tuple[str, str], ...] = ()
    # Instance/cluster states (lower case) that never turn into Running by themselves: a wait
    # for Running fails at once there, naming the state.
    never_running: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        bad = {c: k for c, k in self.codes.items() if k not in KINDS}
        bad.update({p: k for p, k in self.prefixes if k not in KINDS})
        if bad:
            raise ValueError(f"{self.product}: unknown kinds {bad}")

    def kind_of(self, code: str) -> str | None:
        if code in self.codes:
            return self.codes[code]
        for prefix, kind in sorted(self.prefixes, key=lambda p: -len(p[0])):
            if code.startswith(prefix):
                return kind
        return None


# --- what every API of one cloud shares (gateway, signature, common error codes) ----------------

# Tencent Cloud API 3.0 common error codes (https://www.tencentcloud.com/document/api/1098/40527
# "Common Error Codes"); busy codes from terraform-provider-tencentcloud common.go
# `retryableErrorCode` (ResourceInUse, ResourceUnavailable, ResourceBusy; matched on the part
# before the first dot, as its IsExpectError does).
TENCENT_COMMON = {
    "AuthFailure": AUTH, "AuthFailure.InvalidAuthorization": AUTH, "AuthFailure.InvalidSecretId": AUTH,
    "AuthFailure.MFAFailure": AUTH, "AuthFailure.SecretIdNotFound": AUTH, "AuthFailure.SignatureExpire": AUTH,
    "AuthFailure.SignatureFailure": AUTH, "AuthFailure.TokenFailure": AUTH, "AuthFailure.UnauthorizedOperation": AUTH,
    "UnauthorizedOperation": AUTH, "UnauthorizedOperation.PermissionDenied": AUTH,
    "RequestLimitExceeded": THROTTLED, "RequestLimitExceeded.UinLimitExceeded": THROTTLED,
    "RequestLimitExceeded.IPLimitExceeded": THROTTLED, "RequestLimitExceeded.GlobalRegionUinLimitExceeded": THROTTLED,
    "InternalError": TRANSIENT, "ServiceUnavailable": THROTTLED,
    "ResourceInUse": BUSY, "ResourceBusy": BUSY, "ResourceUnavailable": BUSY,
    "InvalidAction": FATAL, "InvalidParameter": FATAL, "InvalidParameterValue": FATAL, "MissingParameter": FATAL,
    "UnknownParameter": FATAL, "UnsupportedOperation": FATAL, "UnsupportedRequestMethod": FATAL,
    "UnsupportedProtocol": FATAL, "UnsupportedRegion": FATAL, "NoSuchVersion": FATAL, "NoSuchProduct": FATAL,
    "InvalidRequest": FATAL, "LimitExceeded": FATAL, "RequestSizeLimitExceeded": FATAL,
    "ResourceNotFound": FATAL, "ResourceInsufficient": FATAL, "FailedOperation": FATAL,
    "DryRunOperation": FATAL, "OperationDenied": FATAL, "ActionOffline": FATAL,
    # Client side (tencentcloud-sdk-python): the request never got an answer.
    "ClientNetworkError": TRANSIENT, "ServerNetworkError": TRANSIENT, "ClientError.NetworkError": TRANSIENT,
    "ClientError.HttpStatusCodeError": TRANSIENT,
}
TENCENT_PREFIXES = (
    ("AuthFailure.", AUTH), ("UnauthorizedOperation.", AUTH), ("RequestLimitExceeded.", THROTTLED),
    ("InternalError.", TRANSIENT), ("ResourceInUse.", BUSY), ("ResourceBusy.", BUSY),
    ("ResourceUnavailable.", BUSY),
)

# Alibaba Cloud OpenAPI gateway codes (the same for every product; "Throttling*" and
# "ServiceUnavailable" are what terraform-provider-alicloud errors.go NeedRetry retries, with
# Rejected.Throttling and any 5xx).
ALIBABA_COMMON = {
    "Throttling": THROTTLED, "Throttling.User": THROTTLED, "Throttling.Api": THROTTLED,
    "Throttling.AntiFlood": THROTTLED, "Rejected.Throttling": THROTTLED, "ServiceUnavailable": THROTTLED,
    "InternalError": TRANSIENT, "UnknownError": TRANSIENT, "ServiceBusy": BUSY, "NetworkError": TRANSIENT,
    "RequestTimeout": TRANSIENT,
    "InvalidAccessKeyId.NotFound": AUTH, "InvalidAccessKeyId.Inactive": AUTH, "SignatureDoesNotMatch": AUTH,
    "IncompleteSignature": AUTH, "SignatureNonceUsed": AUTH, "InvalidTimeStamp.Expired": AUTH,
    "InvalidTimeStamp.Format": AUTH, "Forbidden.RAM": AUTH, "Forbidden": AUTH, "NoPermission": AUTH,
    "InvalidSecurityToken.Expired": AUTH, "InvalidSecurityToken.Malformed": AUTH,
    "MissingParameter": FATAL, "InvalidParameter": FATAL, "InvalidVersion": FATAL,
    "InvalidAction.NotFound": FATAL, "UnsupportedOperation": FATAL, "IdempotentParameterMismatch": FATAL,
    "InvalidClientToken.Malformed": FATAL, "InvalidPageNumber.Malformed": FATAL, "InvalidPageSize.Malformed": FATAL,
    "InvalidRegionId.NotFound": FATAL, "InvalidSignatureMethod.ValueNotSupported": AUTH,
    "InvalidSignatureVersion.ValueNotSupported": AUTH, "RequestBodyTooLarge": FATAL,
}
ALIBABA_PREFIXES = (
    ("Throttling", THROTTLED), ("ServiceUnavailable", THROTTLED), ("InternalError", TRANSIENT),
    ("Forbidden", AUTH), ("Missing", FATAL), ("InvalidAccessKeyId", AUTH),
)


def table(product: str) -> CodeTable:
    return registered(product).code_table()   # each product's codes.py, loaded on first use


def tables() -> tuple[CodeTable, ...]:
    return tuple(table(p) for p in NAMES)


def kind_of(product: str | None, code: str) -> str | None:
    """The kind a product's table gives `code` (any table when the product is unknown), or None."""
    for t in ((table(product),) if product else tables()):
        kind = t.kind_of(code)
        if kind is not None:
            return kind
    return None


def never_running(product: str, status: str) -> bool:
    return status.lower() in table(product).never_running
