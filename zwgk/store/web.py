"""What the review web app stores (tables in ``web_schema``): sign-in sessions, failed sign-ins (throttling),
units' disputes with the assessors' answers, and the queue of re-check requests. The web app decides the
policy (lifetimes, limits, intervals) and passes its timestamps; the writes that are a person's append
their audit event in the same transaction."""

from __future__ import annotations

import json
from typing import Any

from zwgk.store.base import StoreBase, StoreError


class RecheckTooSoonError(StoreError):
    """The unit asked for a re-check too recently; ``last_at`` is when it last asked (ISO, UTC)."""

    def __init__(self, message: str, last_at: str):
        super().__init__(message)
        self.last_at = last_at


class WebMixin(StoreBase):
    # ------------------------------------------------------------------ sessions

    def start_web_session(self, sid: str, username: str, ip: str) -> None:
        """Record a new session and the sign-in's audit event."""
        now = self.now()
        with self._write():
            self._insert("web_sessions", {"id": sid, "username": username, "created_at": now, "last_seen_at": now,
                                          "ip": ip})
            self.record_event(username, "login.ok", ip=ip)

    def live_web_session(self, sid: str, created_after: str, seen_after: str) -> dict[str, Any] | None:
        """The session's ``username`` and last use (``seen``) when it is not revoked, was created after
        ``created_after`` and last used after ``seen_after``; else None."""
        return self._row(
            "SELECT username, coalesce(last_seen_at, created_at) AS seen FROM web_sessions "
            "WHERE id = ? AND revoked_at IS NULL AND created_at > ? AND coalesce(last_seen_at, created_at) > ?",
            (sid, created_after, seen_after),
        )

    def touch_web_session(self, sid: str) -> None:
        """The session was used now."""
        with self._write():
            self._conn.execute("UPDATE web_sessions SET last_seen_at = ? WHERE id = ?", (self.now(), sid))

    def end_web_session(self, sid: str, ip: str | None = None) -> None:
        """Sign out: revoke the session (when still live) and record it."""
        with self._write():
            row = self._row("SELECT username FROM web_sessions WHERE id = ? AND revoked_at IS NULL", (sid,))
            if row is None:
                return
            self._conn.execute("UPDATE web_sessions SET revoked_at = ? WHERE id = ?", (self.now(), sid))
            self.record_event(row["username"], "logout", ip=ip)

    def end_user_web_sessions(self, username: str, keep: str | None = None) -> int:
        """Revoke every live session of the user but ``keep``; how many were revoked."""
        with self._write():
            cur = self._conn.execute(
                "UPDATE web_sessions SET revoked_at = ? WHERE username = ? AND revoked_at IS NULL AND id IS NOT ?",
                (self.now(), username, keep),
            )
        return cur.rowcount

    # ------------------------------------------------------------------ sign-in throttling

    def login_failure_count(self, since: str, username: str | None = None, ip: str | None = None) -> int:
        """Failed sign-ins after ``since``, for the user name and/or the client address given."""
        where, params = [], []
        for column, value in (("username", username), ("ip", ip)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        return self._conn.execute(
            "SELECT count(*) FROM web_login_failures WHERE " + " AND ".join(where + ["at > ?"]), (*params, since)
        ).fetchone()[0]

    def record_login_failure(self, username: str, ip: str, forget_until: str) -> None:
        """Count a failed sign-in (and audit it); failures at or before ``forget_until`` are dropped."""
        with self._write():
            self._conn.execute("DELETE FROM web_login_failures WHERE at <= ?", (forget_until,))
            self._insert("web_login_failures", {"username": username, "ip": ip, "at": self.now()})
            self.record_event(username or "（空）", "login.fail", ip=ip)

    def clear_login_failures(self, username: str) -> None:
        """Forget the user name's failed sign-ins (after it signed in)."""
        with self._write():
            self._conn.execute("DELETE FROM web_login_failures WHERE username = ?", (username,))

    # ------------------------------------------------------------------ disputes

    def add_dispute(self, fingerprint: str, unit_id: str, period: int, comment: str, by: str) -> int:
        """Append a unit's dispute of an item (``comment`` already cleaned) and its audit event; its id."""
        with self._write():
            dispute_id = self._insert(
                "web_disputes",
                {"fingerprint": fingerprint, "unit_id": unit_id, "period": period, "comment": comment, "by_user": by,
                 "at": self.now()},
            )
            self.record_event(by, "dispute.add", unit_id=unit_id, period=period, target=fingerprint, reason=comment)
        return dispute_id

    def add_dispute_answer(self, dispute: dict[str, Any], decision_id: int | None, answer: str, by: str) -> int:
        """Append an assessor's answer (already cleaned) to a dispute row, naming the decision it led to (None:
        the item's decision stands), and its audit event; the answer's id."""
        with self._write():
            answer_id = self._insert("web_dispute_answers", {"dispute_id": dispute["id"], "decision_id": decision_id,
                                                             "answer": answer, "by_user": by, "at": self.now()})
            self.record_event(by, "dispute.answer", unit_id=dispute["unit_id"], period=dispute["period"],
                              target=dispute["fingerprint"], reason=answer, decision_id=decision_id)
        return answer_id

    def disputes_of(self, fingerprint: str) -> list[dict[str, Any]]:
        """The item's disputes, oldest first, each with its ``answers`` (oldest first, each with the
        ``action`` of the decision it named, None when it named none)."""
        disputes = self._rows("SELECT * FROM web_disputes WHERE fingerprint = ? ORDER BY id", (fingerprint,))
        answers = self._rows(
            "SELECT a.*, d.action FROM web_dispute_answers a JOIN web_disputes w ON w.id = a.dispute_id "
            "LEFT JOIN decisions d ON d.id = a.decision_id WHERE w.fingerprint = ? ORDER BY a.id", (fingerprint,))
        for w in disputes:
            w["answers"] = [a for a in answers if a["dispute_id"] == w["id"]]
        return disputes

    def open_disputes(self, period: int) -> list[dict[str, Any]]:
        """The period's unanswered disputes that are their item's latest."""
        return self._rows(
            "SELECT w.* FROM web_disputes w WHERE w.period = ? AND w.id = "
            "(SELECT max(id) FROM web_disputes x WHERE x.fingerprint = w.fingerprint) "
            "AND NOT EXISTS (SELECT 1 FROM web_dispute_answers a WHERE a.dispute_id = w.id)",
            (period,),
        )

    def open_dispute(self, fingerprint: str) -> dict[str, Any] | None:
        """The item's latest dispute when it is still unanswered."""
        row = self._row("SELECT * FROM web_disputes WHERE fingerprint = ? ORDER BY id DESC LIMIT 1", (fingerprint,))
        if row is None or self._row("SELECT 1 FROM web_dispute_answers WHERE dispute_id = ?", (row["id"],)):
            return None
        return row

    # ------------------------------------------------------------------ re-check requests

    def add_recheck_request(self, unit_id: str, scope: list[str], by: str, not_since: str) -> int:
        """Queue a re-check of a unit over ``scope`` (URL prefixes) and audit it; its id. Refused
        (``RecheckTooSoonError``) when the unit's latest request was made after ``not_since``."""
        with self._write():
            last = self._row(
                "SELECT requested_at FROM recheck_requests WHERE unit_id = ? ORDER BY id DESC LIMIT 1", (unit_id,)
            )
            if last and last["requested_at"] > not_since:
                raise RecheckTooSoonError(f"单位 {unit_id} 于 {last['requested_at']} 已申请过复查", last["requested_at"])
            scope_text = json.dumps(scope, ensure_ascii=False)
            request_id = self._insert(
                "recheck_requests",
                {"unit_id": unit_id, "scope": scope_text, "requested_by": by, "requested_at": self.now(),
                 "status": "queued"},
            )
            self.record_event(by, "recheck.request", unit_id=unit_id, target=unit_id, after=scope_text)
        return request_id

    def recheck_requests(self, unit_id: str, limit: int = 5) -> list[dict[str, Any]]:
        """The unit's latest re-check requests, newest first (``scope`` as a list)."""
        rows = self._rows(
            "SELECT * FROM recheck_requests WHERE unit_id = ? ORDER BY id DESC LIMIT ?", (unit_id, limit)
        )
        return [{**r, "scope": json.loads(r["scope"])} for r in rows]

    def queued_recheck_requests(self) -> list[dict[str, Any]]:
        """The ``id`` and ``unit_id`` of every queued re-check request, oldest first."""
        return self._rows("SELECT id, unit_id FROM recheck_requests WHERE status = 'queued' ORDER BY id")

    def set_recheck_status(self, request_ids: list[int], status: str) -> None:
        """Move re-check requests to ``status`` (queued / running / done / failed)."""
        with self._write():
            self._conn.executemany(
                "UPDATE recheck_requests SET status = ?, updated_at = ? WHERE id = ?",
                [(status, self.now(), rid) for rid in request_ids],
            )
