"""Removing secrets from text that came back from a cloud (error messages, SDK exceptions).

A password can come back in any form it travelled in: as typed; percent-encoded once (a URL
query, a form body); percent-encoded twice (Alibaba's RPC string-to-sign, which the gateway
echoes in SignatureDoesNotMatch: the query is encoded once per value and then once more as a
whole); JSON-escaped (a Tencent body echoed inside a JSON message), possibly twice (a JSON
message inside a JSON string). Each form is replaced, longest first, in both hex cases; then
any `...Password=<value>` left over (a secret we were not told about) loses its value.
"""

from __future__ import annotations

import json
import re
from typing import Iterable
from urllib.parse import quote, quote_plus

MASK = "***"

# `Password=value`, `"Password": "value"`, and the encoded `Password%3Dvalue` of a string to sign
# (the value ends at the next encoded or plain separator).
_FIELD = re.compile(r"""(Password["']?\s*[:=]\s*["']?)[^\s&"',}]+""", re.I)
_ENCODED_FIELD = re.compile(r"(Password(?:%3D|%253D))(?:(?!%26|%2526)[^\s&\"'])+", re.I)


def _percent_forms(value: str) -> set[str]:
    """The ways a URL encoder writes a value: RFC 3986 (Alibaba, `~` kept), Python's default
    (`/` kept), form encoding (space as `+`)."""
    return {quote(value, safe="~"), quote(value, safe=""), quote(value), quote_plus(value),
            quote_plus(value, safe="~")}


def _json_forms(value: str) -> set[str]:
    once = {json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}
    once |= {form.replace("/", "\\/") for form in once}   # encoders that escape '/'
    return once | {json.dumps(form)[1:-1] for form in once}


def forms(secret: str) -> set[str]:
    """Every encoding of `secret` that redact() removes (raw included)."""
    out = {secret} | _json_forms(secret)
    once = _percent_forms(secret)
    twice = {f for form in once for f in _percent_forms(form)}
    out |= once | twice
    out |= {re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), form) for form in once | twice}
    return {form for form in out if form}


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """text without any form of the given secrets, nor the value of any Password field."""
    every = sorted({form for secret in secrets if secret for form in forms(secret)}, key=len, reverse=True)
    for form in every:
        text = text.replace(form, MASK)
    text = _ENCODED_FIELD.sub(lambda m: m.group(1) + MASK, text)
    return _FIELD.sub(lambda m: m.group(1) + MASK, text)
