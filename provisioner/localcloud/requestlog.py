"""The request log: one line per call, never params, bodies, query strings or URLs (Alibaba
passwords travel in the query string), and uvicorn kept from logging them either."""

from __future__ import annotations

import logging
import re

from .wire.drops import DropConnection

request_log = logging.getLogger("provisioner.localcloud.requests")


class _QuietDrops(logging.Filter):
    """uvicorn logs every app exception with a traceback; injected drops are not errors."""
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], DropConnection))


class _NoAccessLog(logging.Filter):
    """uvicorn's access log prints the URL with the query string (Alibaba passwords!).
    access_log=False only unhooks its handlers, and any handler attached later (pytest's
    caplog does) turns it back on; this filter keeps it off for good."""
    def filter(self, record: logging.LogRecord) -> bool:
        return False


def install_log_filter() -> None:
    for name, kind in (("uvicorn.error", _QuietDrops), ("uvicorn.access", _NoAccessLog)):
        logger = logging.getLogger(name)
        if not any(isinstance(f, kind) for f in logger.filters):
            logger.addFilter(kind())


def loggable(name: str) -> str:
    """Action names come from the client: keep log lines one line, short and parseable."""
    return re.sub(r"[^\w.:*-]", "_", name)[:80] or "-"
