"""Store tables of the review web app: sessions, login failures (throttling), units' disputes with their
answers, and re-check requests.

Disputes are append-only (a unit's word on a proposal is evidence in the review, like a decision).
Re-check requests are a work queue: the nightly orchestration picks up rows with status ``queued`` and
moves them to ``running`` / ``done`` / ``failed``; ``scope`` is the unit's registered scope copied at
request time (JSON list of URL prefixes), so a unit can never ask for more than its registry entry.

``WEB_TABLES_V5`` (migration 5): an assessor answers each dispute, naming the decision it led to; a dispute
without an answer keeps its item unsettled. Sessions record when they were last used (idle timeout).
Disputes answered, under the earlier rule, by a later decision get that decision as their answer.
"""

WEB_TABLES = [
    """
    CREATE TABLE web_sessions (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL REFERENCES users (username),
        created_at TEXT NOT NULL,
        ip TEXT,
        revoked_at TEXT
    )
    """,
    "CREATE INDEX web_sessions_user ON web_sessions (username)",
    """
    CREATE TABLE web_login_failures (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        username TEXT NOT NULL,
        ip TEXT NOT NULL,
        at TEXT NOT NULL
    )
    """,
    "CREATE INDEX web_login_failures_user_ip ON web_login_failures (username, ip, at)",
    "CREATE INDEX web_login_failures_ip ON web_login_failures (ip, at)",
    """
    CREATE TABLE web_disputes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        fingerprint TEXT NOT NULL,
        unit_id TEXT NOT NULL,
        period INTEGER NOT NULL,
        comment TEXT NOT NULL,
        by_user TEXT NOT NULL REFERENCES users (username),
        at TEXT NOT NULL
    )
    """,
    "CREATE INDEX web_disputes_fp ON web_disputes (fingerprint, id)",
    "CREATE INDEX web_disputes_unit_period ON web_disputes (unit_id, period, id)",
    # Not imported from zwgk.store.migrations: that module imports this one while it is being loaded.
    """
    CREATE TRIGGER web_disputes_no_update BEFORE UPDATE ON web_disputes
    BEGIN
        SELECT RAISE(ABORT, '单位异议只能追加，不能修改');
    END
    """,
    """
    CREATE TRIGGER web_disputes_no_delete BEFORE DELETE ON web_disputes
    BEGIN
        SELECT RAISE(ABORT, '单位异议只能追加，不能删除');
    END
    """,
    """
    CREATE TABLE recheck_requests (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        unit_id TEXT NOT NULL,
        scope TEXT NOT NULL,
        requested_by TEXT NOT NULL REFERENCES users (username),
        requested_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
        updated_at TEXT
    )
    """,
    "CREATE INDEX recheck_requests_unit ON recheck_requests (unit_id, requested_at)",
    "CREATE INDEX recheck_requests_status ON recheck_requests (status, id)",
]

WEB_TABLES_V5 = [
    """
    CREATE TABLE web_dispute_answers (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        dispute_id INTEGER NOT NULL REFERENCES web_disputes (id),
        decision_id INTEGER REFERENCES decisions (id),
        answer TEXT NOT NULL,
        by_user TEXT NOT NULL REFERENCES users (username),
        at TEXT NOT NULL
    )
    """,
    "CREATE INDEX web_dispute_answers_dispute ON web_dispute_answers (dispute_id, id)",
    """
    CREATE TRIGGER web_dispute_answers_no_update BEFORE UPDATE ON web_dispute_answers
    BEGIN
        SELECT RAISE(ABORT, '异议答复只能追加，不能修改');
    END
    """,
    """
    CREATE TRIGGER web_dispute_answers_no_delete BEFORE DELETE ON web_dispute_answers
    BEGIN
        SELECT RAISE(ABORT, '异议答复只能追加，不能删除');
    END
    """,
    """
    INSERT INTO web_dispute_answers (dispute_id, decision_id, answer, by_user, at)
    SELECT w.id, d.id, coalesce(d.reason, '（以第 ' || d.id || ' 号决定作答）'), d.by_user, d.at
    FROM web_disputes w JOIN decisions d ON d.id = (
        SELECT min(x.id) FROM decisions x WHERE x.fingerprint = w.fingerprint AND x.at >= w.at)
    """,
    "ALTER TABLE web_sessions ADD COLUMN last_seen_at TEXT",
    "CREATE INDEX web_login_failures_user ON web_login_failures (username, at)",
    "CREATE INDEX web_login_failures_at ON web_login_failures (at)",
]
