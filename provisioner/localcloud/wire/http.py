"""What every protocol needs from HTTP: the request as read, the call record, JSON responses and
a body reader with a size cap."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable

from starlette.requests import Request
from starlette.responses import Response

from ..errors import CloudError


@dataclass(frozen=True)
class Incoming:
    """One request, read: lower-case header names, the raw query string and the whole body."""
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Call:
    """What one request turned out to be; filled in while routing, for the log and counters."""
    cloud: str
    request_id: str
    product: str = ""
    action: str = "-"
    host_id: str = "localcloud"
    outcome: str = "OK"
    status: int = 200
    detail: str = ""


def json_response(data: dict[str, Any], status: int = 200, content_type: str = "application/json") -> Response:
    return Response(json.dumps(data, ensure_ascii=False).encode(), status_code=status,
                    headers={"content-type": content_type})


async def read_body(request: Request, headers: dict[str, str], limit: int,
                    too_large: Callable[[int], CloudError]) -> bytes:
    """The body, refused with the cloud's error as soon as it is known to exceed `limit`: by its
    Content-Length before a byte is read, else while streaming (chunked uploads)."""
    declared = headers.get("content-length")
    if declared is not None and (not re.fullmatch(r"[0-9]{1,19}", declared) or int(declared) > limit):
        raise too_large(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)
