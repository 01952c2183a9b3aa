"""The store's foundation: one SQLite connection (through sqlite-utils), its transactions, clock and
migrations, the errors the store raises and the value rules every aggregate shares (bounded clean text,
counts, points as TEXT ↔ ``Decimal``, canonical JSON and evidence hashes).

The aggregates (users, units, runs, findings, decisions, audit, web, …) are mixins over ``StoreBase``,
composed into ``zwgk.store.Store``; they reach the connection only through ``_write`` / ``_rows`` /
``_row`` / ``_insert`` / ``_conn``, which are the store's own.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Self, Sequence

import sqlite_utils
from argon2 import PasswordHasher

from rubrics.model import Outcome
from zwgk.paths import default_db_path  # $ZWGK_HOME/zwgk.db, ZWGK_HOME defaulting to ./var
from zwgk.store.migrations import MIGRATIONS, SCHEMA_MIGRATIONS_DDL, Migration

PROPOSAL_OUTCOMES = (Outcome.FAIL.value, Outcome.NEEDS_REVIEW.value)
BUSY_TIMEOUT_MS = 5000
MANUAL_PREFIX = "manual-"
_HALF = Decimal("0.5")
MAX_TEXT = 2000  # characters of a reason, comment or answer
MAX_USERNAME = 64
MAX_COUNT = 1_000_000  # far above any rubric's count; keeps every count inside SQLite's integers
MAX_POINTS = Decimal(1000)
# C0 controls except tab / newline / carriage return, DEL, and the marks and overrides that reorder text
# on screen (an RTL override can make a reason read differently from what is stored)
_FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")

Clock = Callable[[], datetime]


class StoreError(Exception):
    """A store operation was refused; the message is Chinese and fit to show to a user."""


class StaleEditError(StoreError):
    """Someone else decided on the same item after the caller looked at it."""


class EvidenceChangedError(StaleEditError):
    """The finding's evidence changed after the caller looked at it (a later run replaced it)."""


class UnchangedError(StoreError):
    """The decision asked for is the item's latest decision already: nothing was recorded."""

    def __init__(self, message: str, decision_id: int):
        super().__init__(message)
        self.decision_id = decision_id


class _AnyType:
    """Sentinel for ``expected_last``: skip the stale-edit check."""

    _instance: "_AnyType | None" = None

    def __new__(cls) -> "_AnyType":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ANY"


ANY = _AnyType()


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, Chinese kept verbatim."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def evidence_hash(evidence: Any) -> str:
    """sha256 of the canonical JSON of a finding's evidence."""
    return hashlib.sha256(canonical_json(evidence).encode("utf-8")).hexdigest()


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _blank(text: str | None) -> bool:
    return text is None or not str(text).strip()


def _check_count(count: Any, what: str) -> int:
    if isinstance(count, bool) or not isinstance(count, int) or count < 0 or count > MAX_COUNT:
        raise StoreError(f"{what}应为不超过 {MAX_COUNT} 的非负整数，实际为 {count!r}")
    return count


def clean_text(text: str | None, what: str, limit: int = MAX_TEXT) -> str | None:
    """``text`` stripped (None when blank), refused when longer than ``limit`` characters or when it holds a
    control character (NUL …) or a bidirectional override."""
    if _blank(text):
        return None
    text = str(text).strip()
    if len(text) > limit:
        raise StoreError(f"{what}不能超过 {limit} 字（现为 {len(text)} 字）")
    bad = _FORBIDDEN_CHARS.search(text)
    if bad:
        raise StoreError(f"{what}含有不可见的控制字符（U+{ord(bad.group()):04X}），请删除后重试")
    return text


def _private_file(path: Path) -> None:
    """Create the database file owner-only before SQLite opens it (SQLite gives its -wal and -shm files the
    database file's mode); its folder, when it has to be made, is owner-only too."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


def _points_text(points: Any) -> str | None:
    """Validate points (non-negative, a multiple of 0.5) and return their TEXT form."""
    if points is None:
        return None
    try:
        value = points if isinstance(points, Decimal) else Decimal(str(points))
    except (InvalidOperation, ValueError):
        raise StoreError(f"分值 {points!r} 不是有效的数") from None
    if not value.is_finite() or value < 0 or value > MAX_POINTS or value % _HALF != 0:
        raise StoreError(f"分值应为不超过 {MAX_POINTS} 的非负数且为 0.5 的整数倍，实际为 {points}")
    return str(value)


class StoreBase:
    """One connection with its transactions, clock and migrations; ``zwgk.store.Store`` composes the
    aggregates over it."""

    def __init__(self, conn: sqlite3.Connection, clock: Clock | None = None):
        self._conn = conn
        self._db = sqlite_utils.Database(conn)
        self._clock: Clock = clock or utc_now
        self._hasher = PasswordHasher()

    # ------------------------------------------------------------------ lifecycle

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str] | None = None,
        clock: Clock | None = None,
        *,
        migrations: Sequence[Migration] = MIGRATIONS,
        check_same_thread: bool = True,
    ) -> Self:
        """Open (creating if needed) the database at ``path`` (default: ``default_db_path()``) and
        bring its schema up to date."""
        path = default_db_path() if path is None else Path(path)
        if str(path) != ":memory:":
            _private_file(path)
        # isolation_level=None: no implicit transactions; every write goes through _write().
        conn = sqlite3.connect(
            str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=check_same_thread
        )
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            # Under WAL, NORMAL syncs at checkpoints rather than on every COMMIT: a process crash still loses
            # nothing committed (the WAL is in the OS's hands); a power cut may lose the last commits, never
            # the database's consistency. FULL cost a disk flush per page stored (benchmarks/crawl_bench.py).
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            store = cls(conn, clock)
            store._migrate(migrations)
        except BaseException:
            conn.close()
            raise
        return store

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ internals

    def now(self) -> str:
        """The clock's time as an ISO 8601 UTC string with seconds."""
        t = self._clock()
        if t.tzinfo is None:
            t = t.replace(tzinfo=timezone.utc)
        return t.astimezone(timezone.utc).isoformat(timespec="seconds")

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One logical write: BEGIN IMMEDIATE … COMMIT (a savepoint when already in a transaction)."""
        if self._conn.in_transaction:
            name = f"sp_{uuid.uuid4().hex}"
            self._conn.execute(f"SAVEPOINT {name}")
            try:
                yield
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute(f"ROLLBACK TO {name}")
                    self._conn.execute(f"RELEASE {name}")
                raise
            else:
                self._conn.execute(f"RELEASE {name}")
            return
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise
        else:
            self._conn.execute("COMMIT")

    def _rows(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[dict[str, Any]]:
        return list(self._db.query(sql, params))

    def _row(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> dict[str, Any] | None:
        rows = self._rows(sql, params)
        return rows[0] if rows else None

    def _insert(self, table: str, row: Mapping[str, Any]) -> int:
        cols = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cur = self._conn.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", tuple(row.values()))
        return int(cur.lastrowid)

    # One unit of work over several store methods (all or nothing), for a caller that composes them.
    transaction = _write

    def schema_version(self) -> int:
        row = self._conn.execute("SELECT max(version) FROM schema_migrations").fetchone()
        return row[0] or 0


    def database_file(self) -> str:
        """The path of the database file SQLite opened ("" for an in-memory database)."""
        return self._conn.execute("PRAGMA database_list").fetchone()[2]

    def _migrate(self, migrations: Sequence[Migration]) -> None:
        self._conn.execute(SCHEMA_MIGRATIONS_DDL)
        known = migrations[-1].version if migrations else 0
        current = self.schema_version()
        if current > known:
            raise StoreError(
                f"数据库结构版本为 {current}，高于本程序支持的版本 {known}：该数据库由更新版本的 zwgk 创建，请升级 zwgk 后再打开"
            )
        for m in migrations:
            if m.version <= current:
                continue
            with self._write():
                # another process may have applied it while we waited for the lock
                if self._conn.execute("SELECT 1 FROM schema_migrations WHERE version = ?", (m.version,)).fetchone():
                    continue
                m.apply(self._conn)
                self._insert("schema_migrations", {"version": m.version, "applied_at": self.now()})

