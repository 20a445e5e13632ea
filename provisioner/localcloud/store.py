"""Durable state of the local cloud in SQLite: topology (clusters/instances) and accounts.

One connection guarded by a lock: SQLite serialises writers anyway, and the lock lets a
service run check-then-write rules (quota, duplicates, one Super account) atomically via
`atomic()`. Passwords are never stored, only a salted SHA-256 so tests can verify a reset.

State files outlive the code that wrote them, so the schema has a version (PRAGMA user_version)
and MIGRATIONS bring an older file up to SCHEMA_VERSION when it is opened; a file from a newer
version is refused rather than misread. Fields only some products have (LibraDB's connection
limit and password rotation so far) live in the accounts' `extra` JSON column: adding one is a
field of Account with a default plus its name in EXTRA_FIELDS, and rows written before it read
as that default, without a migration. Instance attributes beyond the common ones already live
in `attrs` JSON the same way.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Iterator

from provisioner.products import NAMES

PRODUCTS = NAMES   # the product registry (provisioner/products)

# Account fields kept in the `extra` JSON column (product-specific; None when a product lacks them).
EXTRA_FIELDS = ("max_user_connections", "password_rotation")


def _v1(db: sqlite3.Connection) -> None:
    """The schema before versions (user_version 0): a file written then already has it."""
    db.execute("""CREATE TABLE IF NOT EXISTS instances (
      product TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, engine TEXT NOT NULL,
      version TEXT NOT NULL, region TEXT NOT NULL, status TEXT NOT NULL, lock_mode TEXT NOT NULL,
      account_quota INTEGER NOT NULL, databases TEXT NOT NULL, attrs TEXT NOT NULL,
      PRIMARY KEY (product, id))""")
    db.execute("""CREATE TABLE IF NOT EXISTS accounts (
      product TEXT NOT NULL, instance_id TEXT NOT NULL, name TEXT NOT NULL, host TEXT NOT NULL,
      account_type TEXT NOT NULL, description TEXT NOT NULL, password_salt TEXT NOT NULL,
      password_hash TEXT NOT NULL, max_user_connections INTEGER, password_rotation INTEGER,
      privileges TEXT NOT NULL, status TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL,
      PRIMARY KEY (product, instance_id, name, host))""")
    db.execute("""CREATE TABLE IF NOT EXISTS client_tokens (
      product TEXT NOT NULL, token TEXT NOT NULL, request_id TEXT NOT NULL, created TEXT NOT NULL,
      PRIMARY KEY (product, token))""")


def _v2(db: sqlite3.Connection) -> None:
    """LibraDB's max_user_connections and password_rotation move from columns into `extra`."""
    db.execute("""CREATE TABLE accounts_v2 (
      product TEXT NOT NULL, instance_id TEXT NOT NULL, name TEXT NOT NULL, host TEXT NOT NULL,
      account_type TEXT NOT NULL, description TEXT NOT NULL, password_salt TEXT NOT NULL,
      password_hash TEXT NOT NULL, privileges TEXT NOT NULL, status TEXT NOT NULL,
      created TEXT NOT NULL, updated TEXT NOT NULL, extra TEXT NOT NULL DEFAULT '{}',
      PRIMARY KEY (product, instance_id, name, host))""")
    common = ("product, instance_id, name, host, account_type, description, password_salt, password_hash, "
              "privileges, status, created, updated")
    for row in db.execute(f"SELECT {common}, max_user_connections, password_rotation FROM accounts").fetchall():
        extra = {"max_user_connections": row[12], "password_rotation": row[13]}
        db.execute(f"INSERT INTO accounts_v2 ({common}, extra) VALUES ({', '.join('?' * 13)})",
                   (*row[:12], json.dumps(extra)))
    db.execute("DROP TABLE accounts")
    db.execute("ALTER TABLE accounts_v2 RENAME TO accounts")


# MIGRATIONS[i] brings a file from version i to i + 1.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_v1, _v2)
SCHEMA_VERSION = len(MIGRATIONS)


class NewerStateError(RuntimeError):
    """The state file was written by a newer local cloud."""


def migrate(db: sqlite3.Connection) -> int:
    """Bring the file to SCHEMA_VERSION in one transaction (two processes opening one old file
    at once: the second waits, then finds nothing to do). Returns the version it had."""
    db.execute("BEGIN IMMEDIATE")
    try:
        found = db.execute("PRAGMA user_version").fetchone()[0]
        if found > SCHEMA_VERSION:
            raise NewerStateError(f"the state file has schema version {found}; this local cloud knows up to "
                                  f"{SCHEMA_VERSION}: use a newer provisioner or another --state file")
        for step in MIGRATIONS[found:]:
            step(db)
        if found != SCHEMA_VERSION:
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    return found


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class Instance:
    """A LibraDB cluster, an RDS instance or a PolarDB cluster."""
    product: str
    id: str
    engine: str            # LibraDB: "LibraDB"; RDS: MySQL/PostgreSQL/...; PolarDB: MySQL/PostgreSQL/Oracle
    version: str
    region: str
    name: str = ""
    status: str = "Running"   # RDS/PolarDB: Running/Creating/...; LibraDB: running/...
    lock_mode: str = "Unlock"
    account_quota: int = 200
    databases: list[str] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)   # extra fields echoed by Describe*


@dataclass
class Account:
    product: str
    instance_id: str
    name: str
    host: str = ""          # LibraDB identity is (name, host); Alibaba accounts use ""
    account_type: str = "Normal"
    description: str = ""
    max_user_connections: int | None = None
    password_rotation: int | None = None
    # LibraDB: {"global": [...], "database": [{"Db", "Privileges"}], "table": [{"Db", "TableName", "Privileges"}]}
    # RDS/PolarDB: {"<db>": "<privilege>"}
    privileges: dict[str, Any] = field(default_factory=dict)
    status: str = "Available"
    created: str = field(default_factory=now)
    updated: str = field(default_factory=now)
    password_salt: str = ""
    password_hash: str = ""

    def set_password(self, password: str) -> None:
        self.password_salt = secrets.token_hex(8)
        self.password_hash = _hash(self.password_salt, password)

    def password_matches(self, password: str) -> bool:
        return secrets.compare_digest(self.password_hash, _hash(self.password_salt, password))

    def public(self) -> dict[str, Any]:
        """For the admin interface: everything but the password material."""
        data = asdict(self)
        data.pop("password_salt")
        data.pop("password_hash")
        return data


def _hash(salt: str, password: str) -> str:
    return hashlib.sha256((salt + password).encode()).hexdigest()


class AccountExists(Exception):
    pass


class Store:
    def __init__(self, path: str | os.PathLike | None = None):
        self.path = str(path) if path else ":memory:"
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        if self.path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
        migrate(self._db)
        self._depth = 0
        self.behaviour: Any = None   # the cloud's timing model (behaviour.py); None: instant

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def atomic(self) -> Iterator["Store"]:
        """Hold the lock and one transaction: rules checked inside see a stable world."""
        with self._lock:
            outer = self._depth == 0
            if outer:
                self._db.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield self
            except BaseException:
                self._depth -= 1
                if outer:
                    self._db.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outer:
                self._db.execute("COMMIT")

    # --- topology -----------------------------------------------------------------------

    def put_instance(self, inst: Instance) -> None:
        with self.atomic():
            self._db.execute(
                "INSERT OR REPLACE INTO instances (product, id, name, engine, version, region, status, lock_mode,"
                " account_quota, databases, attrs) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (inst.product, inst.id, inst.name or inst.id, inst.engine, inst.version, inst.region,
                 inst.status, inst.lock_mode, inst.account_quota, json.dumps(inst.databases),
                 json.dumps(inst.attrs)))

    def get_instance(self, product: str, instance_id: str) -> Instance | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM instances WHERE product=? AND id=?",
                                   (product, instance_id)).fetchone()
        return _instance(row) if row else None

    def list_instances(self, product: str | None = None) -> list[Instance]:
        with self._lock:
            if product:
                rows = self._db.execute("SELECT * FROM instances WHERE product=? ORDER BY id", (product,))
            else:
                rows = self._db.execute("SELECT * FROM instances ORDER BY product, id")
            return [_instance(r) for r in rows.fetchall()]

    # --- accounts -----------------------------------------------------------------------

    def get_account(self, product: str, instance_id: str, name: str, host: str = "") -> Account | None:
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM accounts WHERE product=? AND instance_id=? AND name=? AND host=?",
                (product, instance_id, name, host)).fetchone()
        return _account(row) if row else None

    def list_accounts(self, product: str | None = None, instance_id: str | None = None) -> list[Account]:
        sql, args = "SELECT * FROM accounts WHERE 1=1", []
        if product:
            sql, args = sql + " AND product=?", args + [product]
        if instance_id:
            sql, args = sql + " AND instance_id=?", args + [instance_id]
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY product, instance_id, created, name, host", args).fetchall()
        return [_account(r) for r in rows]

    def count_accounts(self, product: str, instance_id: str) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM accounts WHERE product=? AND instance_id=?",
                                    (product, instance_id)).fetchone()[0]

    def insert_account(self, acct: Account) -> None:
        with self.atomic():
            try:
                self._db.execute(
                    "INSERT INTO accounts (product, instance_id, name, host, account_type, description,"
                    " password_salt, password_hash, privileges, status, created, updated, extra)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (acct.product, acct.instance_id, acct.name, acct.host, acct.account_type,
                     acct.description, acct.password_salt, acct.password_hash, json.dumps(acct.privileges),
                     acct.status, acct.created, acct.updated, _extra(acct)))
            except sqlite3.IntegrityError as exc:
                raise AccountExists(acct.name) from exc

    def save_account(self, acct: Account) -> None:
        """Write back an account read with get_account (same identity), bumping `updated`."""
        acct.updated = now()
        with self.atomic():
            self._db.execute(
                "UPDATE accounts SET account_type=?, description=?, password_salt=?, password_hash=?,"
                " privileges=?, status=?, updated=?, extra=?"
                " WHERE product=? AND instance_id=? AND name=? AND host=?",
                (acct.account_type, acct.description, acct.password_salt, acct.password_hash,
                 json.dumps(acct.privileges), acct.status, acct.updated, _extra(acct),
                 acct.product, acct.instance_id, acct.name, acct.host))

    def rename_host(self, acct: Account, new_host: str) -> None:
        with self.atomic():
            try:
                self._db.execute(
                    "UPDATE accounts SET host=?, updated=? WHERE product=? AND instance_id=? AND name=? AND host=?",
                    (new_host, now(), acct.product, acct.instance_id, acct.name, acct.host))
            except sqlite3.IntegrityError as exc:
                raise AccountExists(acct.name) from exc
        acct.host = new_host

    def delete_account(self, product: str, instance_id: str, name: str, host: str = "") -> bool:
        with self.atomic():
            cur = self._db.execute(
                "DELETE FROM accounts WHERE product=? AND instance_id=? AND name=? AND host=?",
                (product, instance_id, name, host))
            return cur.rowcount > 0

    # --- idempotency tokens (PolarDB ClientToken) ---------------------------------------

    def token_request_id(self, product: str, token: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT request_id FROM client_tokens WHERE product=? AND token=?",
                                   (product, token)).fetchone()
        return row[0] if row else None

    def remember_token(self, product: str, token: str, request_id: str) -> None:
        with self.atomic():
            self._db.execute("INSERT OR IGNORE INTO client_tokens VALUES (?,?,?,?)",
                             (product, token, request_id, now()))

    # --- whole state --------------------------------------------------------------------

    def reset(self, *, topology: bool = False) -> None:
        """Forget every account and token, and the instances too if `topology` (seed.py refills)."""
        with self.atomic():
            self._db.execute("DELETE FROM accounts")
            self._db.execute("DELETE FROM client_tokens")
            if topology:
                self._db.execute("DELETE FROM instances")

    def snapshot(self) -> dict[str, Any]:
        return {
            "instances": [asdict(i) for i in self.list_instances()],
            "accounts": [a.public() for a in self.list_accounts()],
        }


def _instance(row: sqlite3.Row) -> Instance:
    d = dict(row)
    d["databases"] = json.loads(d["databases"])
    d["attrs"] = json.loads(d["attrs"])
    return Instance(**d)


def _extra(acct: Account) -> str:
    return json.dumps({name: getattr(acct, name) for name in EXTRA_FIELDS})


def _account(row: sqlite3.Row) -> Account:
    d = dict(row)
    d["privileges"] = json.loads(d["privileges"])
    extra = json.loads(d.pop("extra"))
    d.update({name: extra[name] for name in EXTRA_FIELDS if name in extra})
    return Account(**d)
