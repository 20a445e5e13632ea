"""Alibaba RPC parameters: flat strings, read the way the RDS and PolarDB gateways read them."""

from __future__ import annotations

import re

from ..errors import CloudError


def required(p: dict[str, str], *names: str) -> list[str]:
    """An empty value counts as missing, like the gateway's Missing<Name> check."""
    for name in names:
        if not p.get(name):
            raise CloudError(f"Missing{name}", f"{name} is mandatory for this action.", 400)
    return [p[n] for n in names]


def csv(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def paging(p: dict[str, str], max_size: int, default_size: int = 30) -> tuple[int, int]:
    """PageNumber >= 1; PageSize 1..max_size (documented minimums of 30 are not enforced so a
    small page can be tested without creating dozens of accounts)."""
    out = []
    for name, default, high in (("PageNumber", 1, 2**31 - 1), ("PageSize", default_size, max_size)):
        raw = p.get(name) or str(default)
        # ASCII digits only: isdigit() accepts '²' or '٣', which int() then refuses or reads.
        if not re.fullmatch(r"[0-9]{1,10}", raw) or not 1 <= int(raw) <= high:
            raise CloudError(f"Invalid{name}.Malformed", f'The specified parameter "{name}" is not valid '
                             f"(an integer from 1 to {high}).", 400)
        out.append(int(raw))
    return out[0], out[1]


def page(items: list, number: int, size: int) -> list:
    return items[(number - 1) * size: number * size]


def client_token(p: dict[str, str]) -> str:
    """The optional ClientToken (PolarDB idempotency), '' when absent."""
    token = p.get("ClientToken") or ""
    if len(token) > 64 or not token.isascii():
        raise CloudError("InvalidClientToken.Malformed", 'The specified parameter "ClientToken" is not '
                         "valid (at most 64 ASCII characters).", 400)
    return token


def request_identity(p: dict[str, str]) -> str:
    """What makes two calls with one ClientToken the same request: every parameter but the token."""
    return "\n".join(f"{k}={v}" for k, v in sorted(p.items()) if k != "ClientToken")
