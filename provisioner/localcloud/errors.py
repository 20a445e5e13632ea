"""Typed errors of the local cloud. Services raise CloudError; the wire layer of each cloud
turns it into that cloud's error envelope (Tencent: HTTP 200 + Response.Error; Alibaba: 4xx/5xx)."""

from __future__ import annotations


class CloudError(Exception):
    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status  # used by the Alibaba envelope; Tencent always answers 200
