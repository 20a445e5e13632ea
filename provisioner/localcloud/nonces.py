"""Alibaba signature nonces, remembered in SQLite so that a replay is refused after a restart.

Both Alibaba schemes carry a nonce (x-acs-signature-nonce / SignatureNonce) that the gateway
accepts once within the clock window (15 min either side of the request's timestamp): a nonce
must be remembered for twice the window, older ones are dropped. The table sits in the local
cloud's state file (its own connection; WAL lets it and the store write in turn), so a request
captured before a restart stays refused after it. Tencent's TC3 has no nonce: a TC3 request is
bounded by its 5-minute timestamp window only, here as in the real API.

Durability: `synchronous=NORMAL` (WAL) survives a crash or kill of the process, which is what a
restart is; only a power cut could lose the last nonces.
"""

from __future__ import annotations

import sqlite3
import threading

WINDOW_SECONDS = 15 * 60
_PRUNE_EVERY = 256

_SCHEMA = """CREATE TABLE IF NOT EXISTS signature_nonces (
  access_key TEXT NOT NULL, nonce TEXT NOT NULL, seen REAL NOT NULL, PRIMARY KEY (access_key, nonce))"""


class NonceStore:
    """`use(access_key_id, nonce, now)` -> False if that nonce was used within the window."""

    def __init__(self, path: str | None = None, ttl: float = 2 * WINDOW_SECONDS):
        self.path = path or ":memory:"
        self.ttl = ttl
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        if self.path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)
        self._uses = 0

    def use(self, access_key_id: str, nonce: str, now: float) -> bool:
        with self._lock:
            self._uses += 1
            if self._uses % _PRUNE_EVERY == 1:
                self._db.execute("DELETE FROM signature_nonces WHERE seen < ?", (now - self.ttl,))
            # One statement: insert, or take over a row older than the window; a fresh row stays.
            cur = self._db.execute(
                "INSERT INTO signature_nonces VALUES (?, ?, ?) ON CONFLICT (access_key, nonce) "
                "DO UPDATE SET seen = excluded.seen WHERE seen < ?",
                (access_key_id, nonce, now, now - self.ttl))
            return cur.rowcount == 1

    def clear(self) -> None:
        with self._lock:
            self._db.execute("DELETE FROM signature_nonces")

    def close(self) -> None:
        with self._lock:
            self._db.close()
