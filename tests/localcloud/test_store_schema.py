"""The store's schema version: migrations run once, a newer file is refused, and product fields
kept in the `extra` JSON column read as their default when a row predates them."""

from __future__ import annotations

import sqlite3

import pytest

from provisioner.localcloud import store as store_module
from provisioner.localcloud.store import SCHEMA_VERSION, Account, NewerStateError, Store


def _version(path) -> int:
    db = sqlite3.connect(path)
    try:
        return db.execute("PRAGMA user_version").fetchone()[0]
    finally:
        db.close()


def test_a_new_file_starts_at_the_current_version(tmp_path):
    Store(tmp_path / "s.sqlite").close()
    assert _version(tmp_path / "s.sqlite") == SCHEMA_VERSION


def test_migrations_run_once(tmp_path, monkeypatch):
    path = tmp_path / "s.sqlite"
    Store(path).close()
    ran: list[int] = []
    monkeypatch.setattr(store_module, "MIGRATIONS",
                        tuple((lambda db, i=i: ran.append(i)) for i in range(SCHEMA_VERSION)))
    Store(path).close()
    assert ran == []


def test_a_file_from_a_newer_version_is_refused_untouched(tmp_path):
    path = tmp_path / "s.sqlite"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(NewerStateError, match=f"schema version {SCHEMA_VERSION + 1}"):
        Store(path)
    assert _version(path) == SCHEMA_VERSION + 1


def test_a_row_without_a_product_field_reads_its_default(tmp_path):
    """What adding a field to EXTRA_FIELDS meets in an existing file: rows that lack it."""
    path = tmp_path / "s.sqlite"
    store = Store(path)
    acct = Account("libradb", "c", "old", "%", max_user_connections=3, password_rotation=1)
    store.insert_account(acct)
    store.close()
    db = sqlite3.connect(path)
    db.execute("""UPDATE accounts SET extra = '{"max_user_connections": 3}'""")
    db.commit()
    db.close()
    store = Store(path)
    try:
        read = store.get_account("libradb", "c", "old", "%")
        assert (read.max_user_connections, read.password_rotation) == (3, None)
    finally:
        store.close()


def test_a_failed_migration_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "s.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE marker (x)")
    db.close()

    def broken(db):
        db.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("migration bug")

    monkeypatch.setattr(store_module, "MIGRATIONS", (store_module.MIGRATIONS[0], broken))
    with pytest.raises(RuntimeError, match="migration bug"):
        Store(path)
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 0
        assert {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")} == {"marker"}
    finally:
        db.close()
