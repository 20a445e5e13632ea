"""Injected failures that are not cloud errors: a broken connection and a bare 503 page."""

from __future__ import annotations

import socket
import struct
from typing import Callable

HTML_503 = (b"<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n"
            b"<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n</body>\r\n</html>\r\n")


class DropConnection(Exception):
    """Raised after the response head was sent: uvicorn then closes the socket, so the client
    reads a truncated response."""


async def truncate_connection(scope: dict, receive: Callable, send: Callable) -> None:
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"512")]})
    raise DropConnection()


async def reset_connection(scope: dict, receive: Callable, send: Callable) -> None:
    """Abort the TCP connection with an RST before any response byte. ASGI has no verb for
    this: uvicorn's `send` is a bound method of its request cycle, which holds the transport.
    Elsewhere, fall back to truncating."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    sock = transport.get_extra_info("socket") if transport is not None else None
    if transport is None or sock is None:
        return await truncate_connection(scope, receive, send)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close -> RST
    transport.abort()
    while (await receive())["type"] != "http.disconnect":  # let uvicorn see the disconnect,
        pass                                               # else it would answer 500


DROPS = {"reset": reset_connection, "truncate": truncate_connection}
