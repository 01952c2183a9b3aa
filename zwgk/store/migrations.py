"""Versioned schema migrations of the zwgk store.

Each migration is applied once, in its own transaction, and recorded in ``schema_migrations``.
Append new migrations at the end of ``MIGRATIONS`` with the next version number; never edit or
reorder one that has shipped (a database that already applied it would not see the change).

A migration is either a sequence of SQL statements (one statement per string: no splitting, so
trigger bodies with inner semicolons are safe) or a callable taking the ``sqlite3.Connection``.
The caller owns the transaction: a migration must not BEGIN/COMMIT itself.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from dataclasses import dataclass
from urllib.parse import quote
from typing import Callable, Sequence

from zwgk.store.crawl_schema import CRAWL_TABLES
from zwgk.store.web_schema import WEB_TABLES, WEB_TABLES_V5

MigrationStep = Sequence[str] | Callable[[sqlite3.Connection], None]


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    step: MigrationStep

    def apply(self, conn: sqlite3.Connection) -> None:
        if callable(self.step):
            self.step(conn)
        else:
            for statement in self.step:
                conn.execute(statement)


SCHEMA_MIGRATIONS_DDL = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    applied_at TEXT NOT NULL
)
"""


def _append_only(table: str, what: str) -> list[str]:
    """Triggers that make ``table`` append-only: UPDATE and DELETE abort with a Chinese message."""
    return [
        f"""
        CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
        BEGIN
            SELECT RAISE(ABORT, '{what}只能追加，不能修改');
        END
        """,
        f"""
        CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
        BEGIN
            SELECT RAISE(ABORT, '{what}只能追加，不能删除');
        END
        """,
    ]


_V1_CORE = [
    """
    CREATE TABLE users (
        username TEXT PRIMARY KEY,
        display_name TEXT,
        role TEXT NOT NULL CHECK (role IN ('admin', 'assessor', 'unit')),
        units TEXT NOT NULL DEFAULT '[]',
        password_hash TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
        created_at TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE units (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('township', 'department')),
        data TEXT NOT NULL DEFAULT '{}',
        updated_at TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        period INTEGER,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL DEFAULT 'running',
        stats TEXT NOT NULL DEFAULT '{}'
    )
    """,
    "CREATE INDEX runs_kind ON runs (kind, id)",
    # Which (unit, period) a run assessed, even when it recorded no finding for it: the current
    # view of a unit+period is the latest run listed here.
    """
    CREATE TABLE run_units (
        run_id INTEGER NOT NULL REFERENCES runs (id),
        unit_id TEXT NOT NULL,
        period INTEGER NOT NULL,
        rubric_id TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        PRIMARY KEY (run_id, unit_id, period)
    )
    """,
    "CREATE INDEX run_units_unit_period ON run_units (unit_id, period, run_id)",
    """
    CREATE TABLE findings (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id INTEGER NOT NULL REFERENCES runs (id),
        unit_id TEXT NOT NULL,
        period INTEGER NOT NULL,
        rubric_id TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        rule_id TEXT NOT NULL,
        check_id TEXT,
        subject TEXT NOT NULL DEFAULT '',
        outcome TEXT NOT NULL
            CHECK (outcome IN ('pass', 'fail', 'needs_review', 'not_applicable', 'could_not_assess')),
        count INTEGER NOT NULL DEFAULT 0 CHECK (count >= 0),
        message TEXT NOT NULL DEFAULT '',
        evidence TEXT NOT NULL DEFAULT '{}',
        evidence_hash TEXT NOT NULL,
        created_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX findings_unit_period_fp ON findings (unit_id, period, fingerprint)",
    "CREATE UNIQUE INDEX findings_run_unit_fp ON findings (run_id, unit_id, period, fingerprint)",
    "CREATE INDEX findings_fp ON findings (fingerprint, id)",
    """
    CREATE TABLE decisions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        fingerprint TEXT NOT NULL,
        unit_id TEXT NOT NULL,
        period INTEGER NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('confirm', 'reject', 'amend', 'not_applicable', 'reopen')),
        count INTEGER CHECK (count IS NULL OR count >= 0),
        points TEXT,
        reason TEXT,
        by_user TEXT NOT NULL REFERENCES users (username),
        at TEXT NOT NULL,
        evidence_hash TEXT
    )
    """,
    "CREATE INDEX decisions_fp ON decisions (fingerprint, id)",
    "CREATE INDEX decisions_unit_period ON decisions (unit_id, period, id)",
    """
    CREATE TABLE manual_entries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        fingerprint TEXT NOT NULL UNIQUE,
        unit_id TEXT NOT NULL,
        period INTEGER NOT NULL,
        rubric_id TEXT NOT NULL,
        rule_id TEXT NOT NULL,
        count INTEGER NOT NULL CHECK (count >= 0),
        points TEXT,
        reason TEXT NOT NULL,
        by_user TEXT NOT NULL REFERENCES users (username),
        at TEXT NOT NULL
    )
    """,
    "CREATE INDEX manual_entries_unit_period ON manual_entries (unit_id, period, id)",
    """
    CREATE TABLE determinations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        unit_id TEXT NOT NULL,
        period INTEGER NOT NULL,
        target_id TEXT NOT NULL,
        reason TEXT NOT NULL,
        by_user TEXT NOT NULL REFERENCES users (username),
        at TEXT NOT NULL,
        revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))
    )
    """,
    "CREATE INDEX determinations_unit_period ON determinations (unit_id, period, id)",
    *_append_only("decisions", "复核决定"),
    *_append_only("manual_entries", "人工录入"),
    *_append_only("determinations", "不适用认定"),
]


# One append-only log of every write, whoever makes it (web app or CLI): decisions, manual entries, 认定,
# disputes and their answers, re-check requests, user changes, sign-ins and failed sign-ins. ``actor`` is the
# user (for a failed sign-in: the name as typed, truncated); ``decision_id`` links a decision's event to its
# row, so the log can show the state before and after it. Rows written before this migration are copied in.
_V5_AUDIT = [
    """
    CREATE TABLE audit_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        unit_id TEXT,
        period INTEGER,
        target TEXT,
        before TEXT,
        after TEXT,
        reason TEXT,
        decision_id INTEGER REFERENCES decisions (id),
        ip TEXT
    )
    """,
    "CREATE INDEX audit_events_at ON audit_events (at, id)",
    "CREATE INDEX audit_events_unit_period ON audit_events (unit_id, period, id)",
    "CREATE INDEX audit_events_actor ON audit_events (actor, id)",
    *_append_only("audit_events", "审计记录"),
    """
    INSERT INTO audit_events (at, actor, action, unit_id, period, target, after, reason, decision_id)
    SELECT at, actor, action, unit_id, period, target, after, reason, decision_id FROM (
        SELECT at, by_user AS actor, 'decision.' || action AS action, unit_id, period, fingerprint AS target,
               NULL AS after, reason, id AS decision_id, 1 AS src, id AS src_id FROM decisions
        UNION ALL
        SELECT at, by_user, 'manual.add', unit_id, period, fingerprint,
               rule_id || ' ×' || count || coalesce('，扣 ' || points || ' 分', ''), reason, NULL, 2, id FROM manual_entries
        UNION ALL
        SELECT at, by_user, CASE revoked WHEN 1 THEN 'na.revoke' ELSE 'na.add' END, unit_id, period, target_id,
               NULL, reason, NULL, 3, id FROM determinations
        UNION ALL
        SELECT at, by_user, 'dispute.add', unit_id, period, fingerprint, NULL, comment, NULL, 4, id FROM web_disputes
        UNION ALL
        SELECT requested_at, requested_by, 'recheck.request', unit_id, NULL, unit_id, scope, NULL, NULL, 5, id
        FROM recheck_requests
        UNION ALL
        SELECT created_at, '命令行', 'user.add', NULL, NULL, username, role, NULL, NULL, 6, rowid FROM users
    ) ORDER BY at, src, src_id
    """,
]
# Version 4: subject keys. Until v3 a finding's fingerprint hashed the check's display subject (Chinese text
# such as "政府信息公开指南" or "2016年度报告"), which a later wording change would have silently detached
# every decision from. From v4 it hashes a stable ASCII key that each check documents. The tables below
# are the v3-era subjects and the key each one became; they are frozen here on purpose (never import them
# from checks/: a later change there must not change what this migration did).
_V4_FIXED_KEYS: dict[tuple[str, str], str] = {
    ("guide", "政府信息公开指南"): "disclosure-guide",
    ("guide", "工作部门政府信息公开指南"): "disclosure-guide/departments",
    ("annual_report", "依申请公开统计"): "annual-report/application-stats",
    ("annual_report", "政府信息公开年度报告"): "annual_report",
    ("https", "HTTPS"): "https",
    ("https", "HTTPS 加密访问"): "https",
    ("interpretation", "本年度政策解读"): "policy-interpretations",
    ("interpretation", "政策解读"): "interpretation",
    ("leadership", "领导分工"): "leadership/division",
    ("leadership", "政务公开领导小组"): "leadership/group",
    ("leadership", "领导分工和领导小组"): "leadership",
    ("online_service", "办事材料电子化"): "service-guides/forms",
    ("online_service", "网上受理办理反馈"): "service-guides/online",
    ("online_service", "网上办事"): "online_service",
    ("open_data", "数据开放"): "open-data",
    ("platform", "政府信息公开平台"): "disclosure-platform",
    ("platform", "信息公开平台"): "platform",
    ("portal_link", "统一网上政务服务门户链接"): "service-portal-link",
    ("portal_link", "统一网上政务服务门户"): "portal_link",
    ("privacy", "个人信息（身份证号、手机号）"): "personal-data",
    ("privacy", "个人信息保护"): "privacy",
    ("proactive", "主动公开类别"): "proactive-categories",
    ("proactive", "主动公开"): "proactive",
    ("response", "回应关切栏目"): "response-column",
    ("response", "回应关切"): "response",
    ("review_rules", "审查工作细则"): "review-rules",
    ("service_catalog", "政务服务事项目录清单"): "service-catalog",
    ("service_catalog", "政务服务事项实施清单"): "implementation-list",
    ("service_catalog", "事项目录清单和实施清单"): "service_catalog",
    ("service_guide", "办事指南"): "service-guides",
    ("service_guide", "办事指南要素"): "service-guides/elements",
    ("township_public_items", "便民服务公开事项"): "public-items",
    ("work_plan", "政务公开制度"): "disclosure-systems",
    ("work_plan", "工作要点和公开制度"): "work_plan",
}
_V4_PATTERNS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("annual_report", re.compile(r"(\d{4})年度报告"), "annual-report/{0}"),
    ("annual_report", re.compile(r"(\d{4})年度报告·工作部门"), "annual-report/{0}/departments"),
    ("work_plan", re.compile(r"(\d{4})年政务公开工作要点"), "work-plan/{0}"),
)
_V4_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"


def v4_subject_key(check_id: str | None, subject: str) -> str | None:
    """The v4 key of a v3 finding's subject; None when the subject is not one v3 checks wrote."""
    key = _V4_FIXED_KEYS.get((check_id or "", subject))
    if key:
        return key
    for owner, pattern, template in _V4_PATTERNS:
        m = pattern.fullmatch(subject)
        if owner == check_id and m:
            return template.format(*m.groups())
    if check_id == "interpretation" and subject.startswith(("http://", "https://")):
        return quote(subject, safe=_V4_URL_SAFE)
    return None


def _v4_fingerprint(rubric_id: str, period: int, unit_id: str, rule_id: str, key: str) -> str:
    """The fingerprint formula of v4 (the same as v3's; only its last input changes)."""
    raw = "\x1f".join([rubric_id, str(period), unit_id, rule_id, key])
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _v4_rekey(conn: sqlite3.Connection) -> None:
    """Add ``findings.subject_key``, re-key every finding the v3 checks wrote, and move the decisions and
    unit disputes on each old fingerprint to the new one, so that no decision is detached. Decisions and
    disputes are append-only; their no-update triggers are lifted for this one rewrite and put back."""
    conn.execute("ALTER TABLE findings ADD COLUMN subject_key TEXT NOT NULL DEFAULT ''")
    moved: dict[str, str] = {}
    rows = conn.execute("SELECT id, rubric_id, period, unit_id, rule_id, check_id, subject, fingerprint FROM findings").fetchall()
    for fid, rubric_id, period, unit_id, rule_id, check_id, subject, old in rows:
        key = v4_subject_key(check_id, subject)
        if key is None:
            continue  # not a subject the v3 checks wrote: its fingerprint stays as it was
        new = _v4_fingerprint(rubric_id, period, unit_id, rule_id, key)
        moved[old] = new
        conn.execute("UPDATE findings SET subject_key = ?, fingerprint = ? WHERE id = ?", (key, new, fid))
    for table, what, trigger in (("decisions", "复核决定", "decisions_no_update"),
                                 ("web_disputes", "单位异议", "web_disputes_no_update")):
        conn.execute(f"DROP TRIGGER {trigger}")
        conn.executemany(f"UPDATE {table} SET fingerprint = ? WHERE fingerprint = ?",
                         [(new, old) for old, new in moved.items() if old != new])
        conn.execute(_append_only(table, what)[0])


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "core tables: users, units, runs, findings, decisions, manual entries, determinations", _V1_CORE),
    Migration(2, "crawl: fetches, pages, snapshots, page records, attachment texts, skipped links, unit status", CRAWL_TABLES),
    Migration(3, "web app: sessions, login failures, unit disputes, re-check requests", WEB_TABLES),
    Migration(4, "stable ASCII subject keys: findings.subject_key; findings, decisions and disputes re-keyed", _v4_rekey),
    Migration(5, "audit log of every write; dispute answers; session idle time; login-failure indexes",
              [*_V5_AUDIT, *WEB_TABLES_V5]),
    Migration(6, "run_units.information: what a check run reports beyond the score (e.g. interpretation timeliness)",
              ["ALTER TABLE run_units ADD COLUMN information TEXT NOT NULL DEFAULT '[]'"]),
)

LATEST_VERSION = MIGRATIONS[-1].version


def _check_sequence(migrations: Sequence[Migration]) -> None:
    for expected, m in enumerate(migrations, start=1):
        if m.version != expected:
            raise RuntimeError(f"migration versions must be 1..N in order; got {m.version} at position {expected}")


_check_sequence(MIGRATIONS)
