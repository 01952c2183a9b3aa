"""The zwgk store: SQLite (through sqlite-utils) holding users, units, runs, findings and the
append-only record of what people decided.

Design (design.md, "Storage"): WAL mode, versioned migrations, one transaction per logical write,
nothing deleted by a later run. Decisions, manual entries and determinations are append-only
(SQLite triggers abort UPDATE and DELETE). Decimals are stored as TEXT and returned as ``Decimal``.
Timestamps are ISO 8601 UTC strings with seconds, from an injectable clock.

Every write a person makes also appends an ``audit_events`` row in the same transaction (``record_event``),
whichever front end made it. Free text a person signs (reasons, comments) is bounded and may not carry
control characters or bidirectional overrides (``clean_text``). A new database file is created 0600 (its
folder 0700 when the store creates it).

A ``Store`` wraps one connection; there is no module-level state. Error messages are Chinese.
"""

from __future__ import annotations

import functools
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
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import sqlite_utils
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from rubrics.engine import Action, Decision, Determination, ManualEntry, Proposal
from rubrics.model import Outcome
from zwgk.store.migrations import LATEST_VERSION, MIGRATIONS, SCHEMA_MIGRATIONS_DDL, Migration
from zwgk.paths import default_db_path  # $ZWGK_HOME/zwgk.db, ZWGK_HOME defaulting to ./var

__all__ = [
    "ANY", "LATEST_VERSION", "ROLES", "UNIT_KINDS", "EvidenceChangedError", "StaleEditError", "Store", "StoreError",
    "UnchangedError", "canonical_json", "clean_text", "default_db_path", "evidence_hash", "proposals_of",
]

ROLES = ("admin", "assessor", "unit")
UNIT_KINDS = ("township", "department")
PROPOSAL_OUTCOMES = (Outcome.FAIL.value, Outcome.NEEDS_REVIEW.value)
BUSY_TIMEOUT_MS = 5000
MANUAL_PREFIX = "manual-"
_HEX = re.compile(r"^[0-9a-f]+$")
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


def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash made with ``hasher``'s parameters, verified for unknown users so that they cost what a real
    check costs: made once per process and parameters, not per store (a store lives for one request)."""
    return _dummy_hash_for(hasher.time_cost, hasher.memory_cost, hasher.parallelism, hasher.hash_len,
                           hasher.salt_len, hasher.type)


@functools.cache
def _dummy_hash_for(time_cost: int, memory_cost: int, parallelism: int, hash_len: int, salt_len: int, kind) -> str:
    return PasswordHasher(time_cost, memory_cost, parallelism, hash_len, salt_len, type=kind).hash(uuid.uuid4().hex)


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


def proposals_of(findings: Iterable[Mapping[str, Any]]) -> list[Proposal]:
    """The findings (store rows, or findings of a re-scoring with ``id`` and ``evidence_hash``) that propose
    a deduction (fail / needs_review), as engine input."""
    return [
        Proposal(
            fingerprint=f["fingerprint"],
            rule_id=f["rule_id"],
            count=f["count"],
            outcome=Outcome(f["outcome"]),
            subject=f["subject"],
            message=f["message"],
            check_id=f["check_id"],
            evidence_ref=str(f["id"]),
            evidence_hash=f["evidence_hash"],
        )
        for f in findings
        if f["outcome"] in PROPOSAL_OUTCOMES
    ]


class Store:
    """One connection to the zwgk database. Use ``Store.open(path)``; close it (or use ``with``)."""

    def __init__(self, conn: sqlite3.Connection, clock: Clock | None = None):
        self.conn = conn
        self.db = sqlite_utils.Database(conn)
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
    ) -> "Store":
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
        self.conn.close()

    def __enter__(self) -> "Store":
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
        if self.conn.in_transaction:
            name = f"sp_{uuid.uuid4().hex}"
            self.conn.execute(f"SAVEPOINT {name}")
            try:
                yield
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute(f"ROLLBACK TO {name}")
                    self.conn.execute(f"RELEASE {name}")
                raise
            else:
                self.conn.execute(f"RELEASE {name}")
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    def _rows(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[dict[str, Any]]:
        return list(self.db.query(sql, params))

    def _row(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> dict[str, Any] | None:
        rows = self._rows(sql, params)
        return rows[0] if rows else None

    def _insert(self, table: str, row: Mapping[str, Any]) -> int:
        cols = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cur = self.conn.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", tuple(row.values()))
        return int(cur.lastrowid)

    # Public forms for store extensions living in other modules (crawl tables, web tables).
    transaction = _write
    rows = _rows
    row = _row
    insert = _insert

    def schema_version(self) -> int:
        row = self.conn.execute("SELECT max(version) FROM schema_migrations").fetchone()
        return row[0] or 0

    def record_event(
        self,
        actor: str,
        action: str,
        *,
        unit_id: str | None = None,
        period: int | None = None,
        target: str | None = None,
        before: str | None = None,
        after: str | None = None,
        reason: str | None = None,
        decision_id: int | None = None,
        ip: str | None = None,
    ) -> int:
        """Append one audit event (inside the caller's transaction when there is one)."""
        with self._write():
            return self._insert("audit_events", {
                "at": self.now(), "actor": str(actor)[:MAX_USERNAME], "action": action, "unit_id": unit_id,
                "period": period, "target": target, "before": before, "after": after, "reason": reason,
                "decision_id": decision_id, "ip": ip,
            })

    def _migrate(self, migrations: Sequence[Migration]) -> None:
        self.conn.execute(SCHEMA_MIGRATIONS_DDL)
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
                if self.conn.execute("SELECT 1 FROM schema_migrations WHERE version = ?", (m.version,)).fetchone():
                    continue
                m.apply(self.conn)
                self._insert("schema_migrations", {"version": m.version, "applied_at": self.now()})

    # ------------------------------------------------------------------ users

    @staticmethod
    def _user_out(row: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in row.items() if k != "password_hash"}
        out["units"] = json.loads(row["units"])
        out["disabled"] = bool(row["disabled"])
        return out

    def add_user(
        self,
        username: str,
        role: str,
        password: str,
        display_name: str | None = None,
        units: Iterable[str] = (),
        actor: str = "命令行",
    ) -> None:
        """Add a user; ``actor`` (who did it) goes into the audit log."""
        username = (username or "").strip()
        if not username or any(c.isspace() for c in username) or not username.isprintable():
            raise StoreError("用户名不能为空，也不能包含空白或控制字符")
        if len(username) > MAX_USERNAME:
            raise StoreError(f"用户名不能超过 {MAX_USERNAME} 个字符")
        display_name = clean_text(display_name, "显示名称", 100)
        if role not in ROLES:
            raise StoreError(f"未知的角色 {role!r}：应为 {' / '.join(ROLES)} 之一")
        if not password:
            raise StoreError("密码不能为空")
        unit_list = [str(u) for u in units]
        if role == "unit" and not unit_list:
            raise StoreError(f"单位用户 {username} 须指定所属单位")
        password_hash = self._hasher.hash(password)
        with self._write():
            if self.conn.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
                raise StoreError(f"用户 {username} 已存在")
            self._insert(
                "users",
                {
                    "username": username,
                    "display_name": display_name,
                    "role": role,
                    "units": _dumps(unit_list),
                    "password_hash": password_hash,
                    "disabled": 0,
                    "created_at": self.now(),
                },
            )
            after = role + (f"（{'、'.join(unit_list)}）" if unit_list else "")
            self.record_event(actor, "user.add", target=username, after=after)

    def get_user(self, username: str) -> dict[str, Any] | None:
        """The user's row (without the password hash), or None."""
        row = self._row("SELECT * FROM users WHERE username = ?", (username,))
        return self._user_out(row) if row else None

    def list_users(self) -> list[dict[str, Any]]:
        return [self._user_out(r) for r in self._rows("SELECT * FROM users ORDER BY username")]

    def require_active_user(self, username: str | None) -> dict[str, Any]:
        user = self.get_user(username) if username else None
        if user is None or user["disabled"]:
            raise StoreError(f"用户 {username} 不存在或已停用")
        return user

    def _require_assessor(self, username: str | None) -> dict[str, Any]:
        user = self.require_active_user(username)
        if user["role"] == "unit":
            raise StoreError(f"用户 {username} 是被考核单位的账号，无权作出考核决定")
        return user

    def set_password(self, username: str, password: str, actor: str | None = "命令行", ip: str | None = None) -> None:
        """Replace the user's password hash; ``actor`` None records no event (a transparent rehash)."""
        if not password:
            raise StoreError("密码不能为空")
        password_hash = self._hasher.hash(password)
        with self._write():
            cur = self.conn.execute("UPDATE users SET password_hash = ? WHERE username = ?", (password_hash, username))
            if cur.rowcount == 0:
                raise StoreError(f"用户 {username} 不存在")
            if actor is not None:
                self.record_event(actor, "user.password", target=username, ip=ip)

    def disable_user(self, username: str, actor: str = "命令行") -> None:
        with self._write():
            cur = self.conn.execute("UPDATE users SET disabled = 1 WHERE username = ?", (username,))
            if cur.rowcount == 0:
                raise StoreError(f"用户 {username} 不存在")
            self.record_event(actor, "user.disable", target=username, before="正常", after="已停用")

    def verify_password(self, username: str, password: str) -> bool:
        """True if the user exists, is active and the password matches."""
        row = self._row("SELECT password_hash, disabled FROM users WHERE username = ?", (username,))
        if row is None or row["disabled"]:
            # spend the same time as a real check, so the answer does not reveal who exists
            try:
                self._hasher.verify(_dummy_hash(self._hasher), password or "")
            except VerificationError:
                pass
            return False
        try:
            self._hasher.verify(row["password_hash"], password or "")
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        if self._hasher.check_needs_rehash(row["password_hash"]):
            self.set_password(username, password, actor=None)
        return True

    # ------------------------------------------------------------------ units

    @staticmethod
    def _unit_out(row: dict[str, Any]) -> dict[str, Any]:
        return {**json.loads(row["data"]), "id": row["id"], "name": row["name"], "kind": row["kind"],
                "updated_at": row["updated_at"]}

    def upsert_units(self, units: Iterable[Mapping[str, Any]]) -> int:
        """Insert or replace units (a copy of the registry); returns how many were written."""
        rows = []
        for u in units:
            uid, name, kind = u.get("id"), u.get("name"), u.get("kind")
            if _blank(uid) or _blank(name):
                raise StoreError(f"单位须有 id 和 name：{dict(u)!r}")
            if kind not in UNIT_KINDS:
                raise StoreError(f"单位 {uid} 的类型 {kind!r} 无效：应为 township（乡镇）或 department（部门）")
            data = {k: v for k, v in u.items() if k not in ("id", "name", "kind", "updated_at")}
            rows.append((str(uid), str(name), kind, _dumps(data)))
        now = self.now()
        with self._write():
            for uid, name, kind, data in rows:
                self.conn.execute(
                    "INSERT INTO units (id, name, kind, data, updated_at) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, "
                    "data = excluded.data, updated_at = excluded.updated_at",
                    (uid, name, kind, data, now),
                )
        return len(rows)

    def get_unit(self, unit_id: str) -> dict[str, Any] | None:
        row = self._row("SELECT * FROM units WHERE id = ?", (unit_id,))
        return self._unit_out(row) if row else None

    def list_units(self) -> list[dict[str, Any]]:
        return [self._unit_out(r) for r in self._rows("SELECT * FROM units ORDER BY id")]

    # ------------------------------------------------------------------ runs

    @staticmethod
    def _run_out(row: dict[str, Any]) -> dict[str, Any]:
        return {**row, "stats": json.loads(row["stats"])}

    def start_run(self, kind: str, period: int | None = None) -> int:
        if _blank(kind):
            raise StoreError("运行类型不能为空")
        with self._write():
            return self._insert(
                "runs", {"kind": kind, "period": period, "started_at": self.now(), "status": "running", "stats": "{}"}
            )

    def finish_run(self, run_id: int, status: str, stats: Mapping[str, Any] | None = None) -> None:
        if _blank(status):
            raise StoreError("运行状态不能为空")
        with self._write():
            row = self.conn.execute("SELECT finished_at FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                raise StoreError(f"运行 {run_id} 不存在")
            if row[0] is not None:
                raise StoreError(f"运行 {run_id} 已于 {row[0]} 结束，不能再次结束")
            self.conn.execute(
                "UPDATE runs SET finished_at = ?, status = ?, stats = ? WHERE id = ?",
                (self.now(), status, _dumps(dict(stats or {})), run_id),
            )

    def get_run(self, run_id: int) -> dict[str, Any] | None:
        row = self._row("SELECT * FROM runs WHERE id = ?", (run_id,))
        return self._run_out(row) if row else None

    def latest_run(self, kind: str) -> dict[str, Any] | None:
        row = self._row("SELECT * FROM runs WHERE kind = ? ORDER BY id DESC LIMIT 1", (kind,))
        return self._run_out(row) if row else None

    # ------------------------------------------------------------------ findings

    @staticmethod
    def _finding_out(row: dict[str, Any]) -> dict[str, Any]:
        return {**row, "evidence": json.loads(row["evidence"])}

    def record_findings(
        self, run_id: int, unit_id: str, period: int, rubric_id: str, findings: Iterable[Mapping[str, Any]],
        information: Sequence[Mapping[str, Any]] = (),
    ) -> list[int]:
        """Record one run's findings for one unit and period (one transaction); returns their ids.

        Recording (even an empty list) makes this run the current view of that unit+period. ``information``:
        what the run found that the rubric does not score, as plain tables for the reports
        (``current_information``).
        """
        now = self.now()
        rows = []
        seen: set[str] = set()
        for f in findings:
            fp = f.get("fingerprint")
            if _blank(fp):
                raise StoreError("发现缺少指纹（fingerprint）")
            if fp in seen:
                raise StoreError(f"同一次运行中指纹 {fp[:12]} 重复")
            seen.add(fp)
            if _blank(f.get("rule_id")):
                raise StoreError(f"发现 {fp[:12]} 缺少规则编号（rule_id）")
            try:
                outcome = Outcome(f.get("outcome")).value
            except ValueError:
                raise StoreError(f"发现 {fp[:12]} 的结论 {f.get('outcome')!r} 无效") from None
            evidence = f.get("evidence") or {}
            rows.append(
                {
                    "run_id": run_id,
                    "unit_id": unit_id,
                    "period": period,
                    "rubric_id": rubric_id,
                    "fingerprint": fp,
                    "rule_id": f["rule_id"],
                    "check_id": f.get("check_id"),
                    "subject_key": f.get("subject_key") or "",
                    "subject": f.get("subject") or "",
                    "outcome": outcome,
                    "count": _check_count(f.get("count", 0), f"发现 {fp[:12]} 的次数/项数"),
                    "message": f.get("message") or "",
                    "evidence": _dumps(evidence),
                    "evidence_hash": f.get("evidence_hash") or evidence_hash(evidence),
                    "created_at": now,
                }
            )
        with self._write():
            if not self.conn.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone():
                raise StoreError(f"运行 {run_id} 不存在")
            self.conn.execute(
                "INSERT OR IGNORE INTO run_units (run_id, unit_id, period, rubric_id, recorded_at, information)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (run_id, unit_id, period, rubric_id, now, _dumps(list(information))),
            )
            try:
                return [self._insert("findings", r) for r in rows]
            except sqlite3.IntegrityError:
                raise StoreError(f"运行 {run_id} 已记录过单位 {unit_id} {period} 年度的同一指纹的发现") from None

    def _current_run(self, unit_id: str, period: int) -> int | None:
        row = self.conn.execute(
            "SELECT max(run_id) FROM run_units WHERE unit_id = ? AND period = ?", (unit_id, period)
        ).fetchone()
        return row[0]

    def current_rubric_id(self, unit_id: str, period: int) -> str | None:
        """The rubric the latest check run of this unit+period used (None: never checked)."""
        row = self.conn.execute(
            "SELECT rubric_id FROM run_units WHERE unit_id = ? AND period = ? ORDER BY run_id DESC LIMIT 1",
            (unit_id, period),
        ).fetchone()
        return row[0] if row else None

    def current_information(self, unit_id: str, period: int) -> list[dict[str, Any]]:
        """The information tables of the latest run that assessed this unit+period (``record_findings``)."""
        row = self.conn.execute(
            "SELECT information FROM run_units WHERE unit_id = ? AND period = ? ORDER BY run_id DESC LIMIT 1",
            (unit_id, period),
        ).fetchone()
        return json.loads(row[0]) if row else []

    def current_findings(self, unit_id: str, period: int) -> list[dict[str, Any]]:
        """All findings (every outcome) of the latest run that assessed this unit+period."""
        run_id = self._current_run(unit_id, period)
        if run_id is None:
            return []
        rows = self._rows(
            "SELECT * FROM findings WHERE run_id = ? AND unit_id = ? AND period = ? ORDER BY id",
            (run_id, unit_id, period),
        )
        return [self._finding_out(r) for r in rows]

    def proposals(self, unit_id: str, period: int) -> list[Proposal]:
        """The current findings that propose a deduction (fail / needs_review), as engine input."""
        return proposals_of(self.current_findings(unit_id, period))

    def get_finding(self, finding_id: int) -> dict[str, Any] | None:
        row = self._row("SELECT * FROM findings WHERE id = ?", (finding_id,))
        return self._finding_out(row) if row else None

    def finding_by_fingerprint(self, fingerprint: str) -> dict[str, Any] | None:
        """The most recently recorded finding with this fingerprint."""
        row = self._row("SELECT * FROM findings WHERE fingerprint = ? ORDER BY id DESC LIMIT 1", (fingerprint,))
        return self._finding_out(row) if row else None

    # ------------------------------------------------------------------ decisions

    @staticmethod
    def _decision_out(row: dict[str, Any]) -> Decision:
        return Decision(
            fingerprint=row["fingerprint"],
            action=Action(row["action"]),
            by=row["by_user"],
            at=row["at"],
            reason=row["reason"],
            count=row["count"],
            points=_decimal(row["points"]),
            evidence_hash=row["evidence_hash"],
            seq=row["id"],
        )

    def add_decision(
        self,
        fingerprint: str,
        unit_id: str,
        period: int,
        action: Action | str,
        by: str,
        reason: str | None = None,
        count: int | None = None,
        points: Decimal | int | str | None = None,
        evidence_hash: str | None = None,
        expected_last: int | None | _AnyType = None,
        seen_evidence: str | None | _AnyType = ANY,
    ) -> int:
        """Append a decision on a current proposal or manual entry; returns its id (= engine seq).

        ``expected_last`` is the id of the latest decision on this fingerprint the caller saw
        (None: none); ``ANY`` skips the stale-edit check. ``seen_evidence`` is the evidence hash the
        caller was shown (None for a manual entry): if the current finding's differs, the decision is
        refused (``EvidenceChangedError``); ``ANY`` skips that check. When ``evidence_hash`` is not
        given, the decision is taken on the current finding's evidence.

        A decision equal to the item's latest one (same action, count, points, evidence and reason; a
        repeated confirm without a reason) records nothing and raises ``UnchangedError``; ``reopen`` is
        refused when nothing stands to be undone. Each decision appends its audit event.
        """
        try:
            act = Action(action)
        except ValueError:
            raise StoreError(f"未知的决定类型 {action!r}：应为 {' / '.join(a.value for a in Action)} 之一") from None
        self._require_assessor(by)
        reason = clean_text(reason, "理由")
        if act in (Action.REJECT, Action.AMEND, Action.NOT_APPLICABLE) and reason is None:
            raise StoreError("驳回、修改或认定不适用时须填写理由")
        if act is Action.AMEND:
            if count is None and points is None:
                raise StoreError("修改须给出新的次数/项数或扣分值")
        elif count is not None or points is not None:
            raise StoreError("只有“修改”可以给出次数/项数或扣分值")
        if count is not None:
            _check_count(count, "次数/项数")
        points_text = _points_text(points)
        with self._write():
            proposal = self.conn.execute(
                "SELECT evidence_hash FROM findings WHERE run_id = ? AND unit_id = ? AND period = ? "
                "AND fingerprint = ? AND outcome IN (?, ?)",
                (self._current_run(unit_id, period), unit_id, period, fingerprint, *PROPOSAL_OUTCOMES),
            ).fetchone()
            if proposal is None:
                manual = self.conn.execute(
                    "SELECT 1 FROM manual_entries WHERE fingerprint = ? AND unit_id = ? AND period = ?",
                    (fingerprint, unit_id, period),
                ).fetchone()
                if manual is None:
                    raise StoreError(
                        f"指纹 {fingerprint[:12]} 不是单位 {unit_id} {period} 年度当前的拟扣分项或人工录入项"
                    )
            if seen_evidence is not ANY and proposal is not None and seen_evidence != proposal[0]:
                raise EvidenceChangedError("证据已变化，请重新查看：你查看该项之后，新一次检查更换了它的证据，本次决定未记录")
            if evidence_hash is None and proposal is not None:
                evidence_hash = proposal[0]
            last = self._latest_decision_row(fingerprint)
            if last is not None and (last["action"], last["count"], last["points"], last["evidence_hash"]) == (
                    act.value, count, points_text, evidence_hash) and (
                    last["reason"] == reason or (act is Action.CONFIRM and reason is None)):
                raise UnchangedError(f"该项已是这一决定（第 {last['id']} 号），未重复记录", last["id"])
            if act is Action.REOPEN and (last is None or last["action"] == Action.REOPEN.value):
                raise StoreError("该项尚无有效的决定，无需撤销")
            if expected_last is not ANY:
                last_id = last["id"] if last else None
                if last_id != expected_last:
                    who = f"（{last['by_user']} 于 {last['at']} 作出第 {last_id} 号决定）" if last else ""
                    raise StaleEditError(f"已被他人修改：该项在你查看之后已有新的决定{who}，请刷新后重试")
            decision_id = self._insert(
                "decisions",
                {
                    "fingerprint": fingerprint,
                    "unit_id": unit_id,
                    "period": period,
                    "action": act.value,
                    "count": count,
                    "points": points_text,
                    "reason": reason,
                    "by_user": by,
                    "at": self.now(),
                    "evidence_hash": evidence_hash,
                },
            )
            self.record_event(by, "decision." + act.value, unit_id=unit_id, period=period, target=fingerprint,
                              reason=reason, decision_id=decision_id)
            return decision_id

    def _latest_decision_row(self, fingerprint: str) -> dict[str, Any] | None:
        return self._row("SELECT * FROM decisions WHERE fingerprint = ? ORDER BY id DESC LIMIT 1", (fingerprint,))

    def latest_decision(self, fingerprint: str) -> Decision | None:
        row = self._latest_decision_row(fingerprint)
        return self._decision_out(row) if row else None

    def decisions(self, unit_id: str, period: int) -> list[Decision]:
        rows = self._rows("SELECT * FROM decisions WHERE unit_id = ? AND period = ? ORDER BY id", (unit_id, period))
        return [self._decision_out(r) for r in rows]

    def decision_log(
        self, unit_id: str | None = None, period: int | None = None, by: str | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Audit log: decisions, newest first, with the rule and subject they were about."""
        where, params = [], []
        for col, value in (("d.unit_id", unit_id), ("d.period", period), ("d.by_user", by)):
            if value is not None:
                where.append(f"{col} = ?")
                params.append(value)
        sql = (
            "SELECT d.id, d.fingerprint, d.unit_id, d.period, d.action, d.count, d.points, d.reason, "
            "d.by_user AS by, d.at, d.evidence_hash, "
            "coalesce((SELECT f.rule_id FROM findings f WHERE f.fingerprint = d.fingerprint ORDER BY f.id DESC LIMIT 1),"
            " (SELECT m.rule_id FROM manual_entries m WHERE m.fingerprint = d.fingerprint)) AS rule_id, "
            "(SELECT f.subject FROM findings f WHERE f.fingerprint = d.fingerprint ORDER BY f.id DESC LIMIT 1) AS subject "
            "FROM decisions d"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY d.id DESC"
        )
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        return [{**r, "points": _decimal(r["points"])} for r in self._rows(sql, params)]

    # ------------------------------------------------------------------ manual entries

    def add_manual_entry(
        self,
        unit_id: str,
        period: int,
        rubric_id: str,
        rule_id: str,
        count: int,
        reason: str,
        by: str,
        points: Decimal | int | str | None = None,
    ) -> str:
        """Record what no website shows (a person made it: confirmed on entry); returns its fingerprint."""
        self._require_assessor(by)
        reason = clean_text(reason, "理由")
        if reason is None:
            raise StoreError("人工录入须填写理由")
        if _blank(rule_id):
            raise StoreError("人工录入须指定规则编号")
        _check_count(count, "次数/项数")
        points_text = _points_text(points)
        fingerprint = MANUAL_PREFIX + uuid.uuid4().hex
        with self._write():
            self._insert(
                "manual_entries",
                {
                    "fingerprint": fingerprint,
                    "unit_id": unit_id,
                    "period": period,
                    "rubric_id": rubric_id,
                    "rule_id": rule_id,
                    "count": count,
                    "points": points_text,
                    "reason": reason,
                    "by_user": by,
                    "at": self.now(),
                },
            )
            after = f"{rule_id} ×{count}" + (f"，扣 {points_text} 分" if points_text is not None else "")
            self.record_event(by, "manual.add", unit_id=unit_id, period=period, target=fingerprint, after=after,
                              reason=reason)
        return fingerprint

    def manual_entry_by_fingerprint(self, fingerprint: str) -> dict[str, Any] | None:
        """The manual entry's row (``by`` for the user, ``points`` as Decimal), or None."""
        row = self._row("SELECT * FROM manual_entries WHERE fingerprint = ?", (fingerprint,))
        if row is None:
            return None
        out = {k: v for k, v in row.items() if k != "by_user"}
        return {**out, "by": row["by_user"], "points": _decimal(row["points"])}

    def manual_entries(self, unit_id: str, period: int) -> list[ManualEntry]:
        rows = self._rows(
            "SELECT * FROM manual_entries WHERE unit_id = ? AND period = ? ORDER BY id", (unit_id, period)
        )
        return [
            ManualEntry(
                fingerprint=r["fingerprint"],
                rule_id=r["rule_id"],
                count=r["count"],
                reason=r["reason"],
                by=r["by_user"],
                at=r["at"],
                points=_decimal(r["points"]),
            )
            for r in rows
        ]

    # ------------------------------------------------------------------ determinations (认定)

    def add_determination(
        self, unit_id: str, period: int, target_id: str, reason: str, by: str, revoked: bool = False
    ) -> int:
        """Mark an indicator or rule not applicable to a unit for a period (or, revoked=True, withdraw it)."""
        self._require_assessor(by)
        if _blank(target_id):
            raise StoreError("认定须指定指标或规则编号")
        reason = clean_text(reason, "理由")
        if reason is None:
            raise StoreError("撤销认定须填写理由" if revoked else "认定不适用须填写理由")
        with self._write():
            det_id = self._insert(
                "determinations",
                {
                    "unit_id": unit_id,
                    "period": period,
                    "target_id": target_id,
                    "reason": reason,
                    "by_user": by,
                    "at": self.now(),
                    "revoked": 1 if revoked else 0,
                },
            )
            self.record_event(by, "na.revoke" if revoked else "na.add", unit_id=unit_id, period=period,
                              target=target_id, before="不适用（已认定）" if revoked else None,
                              after=None if revoked else "不适用（已认定）", reason=reason)
            return det_id

    def determinations(self, unit_id: str, period: int) -> list[Determination]:
        rows = self._rows(
            "SELECT * FROM determinations WHERE unit_id = ? AND period = ? ORDER BY id", (unit_id, period)
        )
        return [
            Determination(
                target_id=r["target_id"],
                reason=r["reason"],
                by=r["by_user"],
                at=r["at"],
                revoked=bool(r["revoked"]),
                seq=r["id"],
            )
            for r in rows
        ]

    # ------------------------------------------------------------------ fingerprints

    def resolve_fingerprint(self, prefix: str, unit_id: str | None = None) -> str:
        """The full fingerprint (of a finding or manual entry) that starts with ``prefix``.

        The prefix needs at least 6 hex characters (after ``manual-`` for manual entries).
        """
        p = (prefix or "").strip().lower()
        hex_part = p[len(MANUAL_PREFIX):] if p.startswith(MANUAL_PREFIX) else p
        if len(hex_part) < 6 or not _HEX.match(hex_part):
            raise StoreError(f"指纹前缀 {prefix!r} 无效：至少需要 6 位十六进制字符")
        unit_filter = " AND unit_id = ?" if unit_id is not None else ""
        params: list[Any] = [len(p), p] + ([unit_id] if unit_id is not None else [])
        rows = self.conn.execute(
            f"SELECT fingerprint FROM findings WHERE substr(fingerprint, 1, ?) = ?{unit_filter} "
            f"UNION SELECT fingerprint FROM manual_entries WHERE substr(fingerprint, 1, ?) = ?{unit_filter} LIMIT 11",
            params + params,
        ).fetchall()
        if not rows:
            where = f"单位 {unit_id} 的" if unit_id is not None else ""
            raise StoreError(f"找不到{where}以 {p} 开头的指纹")
        if len(rows) > 1:
            many = "10 条以上" if len(rows) > 10 else f"{len(rows)} 条"
            raise StoreError(f"指纹前缀 {p} 不唯一（匹配 {many}），请输入更长的前缀")
        return rows[0][0]
