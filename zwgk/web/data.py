"""Queries of the review web app: its own tables (sessions, login failures, disputes, re-check requests)
and the read models its pages show (dashboard rows, the review queue, the audit log with before/after).

Everything takes an open ``Store``; nothing here keeps state between requests.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from rubrics.engine import OPEN, STATUS_WORDS, Action, Deduction, ScoreSheet, Status
from rubrics.model import Indicator
from zwgk import app as services
from zwgk.render import review_rows
from zwgk.store import Store, StoreError

LOGIN_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER_IP = 5  # per username + client address within LOGIN_WINDOW
MAX_FAILURES_PER_IP = 30  # any usernames from one address within LOGIN_WINDOW (password spraying)
RECHECK_INTERVAL = timedelta(hours=1)
SESSION_LIFETIME = timedelta(hours=12)

ACTION_WORDS = {
    Action.CONFIRM.value: "确认",
    Action.REJECT.value: "驳回",
    Action.AMEND.value: "修改",
    Action.NOT_APPLICABLE.value: "认定不适用",
    Action.REOPEN.value: "撤销（重新待处理）",
}
RECHECK_WORDS = {"queued": "排队中", "running": "复查中", "done": "已完成", "failed": "失败"}


class WebError(Exception):
    """A refused web action; the message is Chinese and shown to the user."""


def _shifted(store: Store, delta: timedelta) -> str:
    """The store clock's now plus ``delta`` in the store's timestamp format (ISO 8601 UTC, seconds)."""
    return (datetime.fromisoformat(store.now()) + delta).isoformat(timespec="seconds")


# ---------------------------------------------------------------------------------------- sessions


def create_session(store: Store, username: str, ip: str) -> str:
    sid = secrets.token_urlsafe(32)
    with store.transaction():
        store.insert("web_sessions", {"id": sid, "username": username, "created_at": store.now(), "ip": ip})
    return sid


def session_user(store: Store, sid: str | None) -> dict[str, Any] | None:
    """The active user of a live session, or None (unknown, revoked, expired, or user disabled)."""
    if not sid:
        return None
    row = store.row(
        "SELECT username FROM web_sessions WHERE id = ? AND revoked_at IS NULL AND created_at > ?",
        (sid, _shifted(store, -SESSION_LIFETIME)),
    )
    if row is None:
        return None
    user = store.get_user(row["username"])
    return None if user is None or user["disabled"] else user


def revoke_session(store: Store, sid: str) -> None:
    with store.transaction():
        store.conn.execute("UPDATE web_sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", (store.now(), sid))


def revoke_user_sessions(store: Store, username: str) -> int:
    """End every web session of a user (after a password change or when disabling the account)."""
    with store.transaction():
        cur = store.conn.execute(
            "UPDATE web_sessions SET revoked_at = ? WHERE username = ? AND revoked_at IS NULL", (store.now(), username)
        )
    return cur.rowcount


# ------------------------------------------------------------------------------------- throttling


def login_blocked(store: Store, username: str, ip: str) -> bool:
    since = _shifted(store, -LOGIN_WINDOW)
    per_user = store.conn.execute(
        "SELECT count(*) FROM web_login_failures WHERE username = ? AND ip = ? AND at > ?", (username, ip, since)
    ).fetchone()[0]
    per_ip = store.conn.execute(
        "SELECT count(*) FROM web_login_failures WHERE ip = ? AND at > ?", (ip, since)
    ).fetchone()[0]
    return per_user >= MAX_FAILURES_PER_USER_IP or per_ip >= MAX_FAILURES_PER_IP


def record_login_failure(store: Store, username: str, ip: str) -> None:
    with store.transaction():
        store.insert("web_login_failures", {"username": username, "ip": ip, "at": store.now()})


def clear_login_failures(store: Store, username: str, ip: str) -> None:
    with store.transaction():
        store.conn.execute("DELETE FROM web_login_failures WHERE username = ? AND ip = ?", (username, ip))


# ---------------------------------------------------------------------------------------- disputes


def add_dispute(store: Store, fingerprint: str, unit_id: str, period: int, comment: str, by: str) -> int:
    comment = (comment or "").strip()
    if not comment:
        raise WebError("请填写异议说明")
    if len(comment) > 2000:
        raise WebError("异议说明不能超过 2000 字")
    with store.transaction():
        return store.insert(
            "web_disputes",
            {"fingerprint": fingerprint, "unit_id": unit_id, "period": period, "comment": comment, "by_user": by,
             "at": store.now()},
        )


def disputes_of(store: Store, fingerprint: str) -> list[dict[str, Any]]:
    return store.rows("SELECT * FROM web_disputes WHERE fingerprint = ? ORDER BY id", (fingerprint,))


def open_disputes(store: Store, period: int) -> dict[str, dict[str, Any]]:
    """fingerprint → its latest dispute, for disputes no decision has answered yet (a decision taken
    after the dispute counts as the answer)."""
    rows = store.rows(
        "SELECT w.* FROM web_disputes w WHERE w.period = ? AND w.id = "
        "(SELECT max(id) FROM web_disputes x WHERE x.fingerprint = w.fingerprint) "
        "AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.fingerprint = w.fingerprint AND d.at >= w.at)",
        (period,),
    )
    return {r["fingerprint"]: r for r in rows}


# ------------------------------------------------------------------------------------ re-checks


def unit_scope(unit: dict[str, Any]) -> list[str]:
    """The URL prefixes a unit's registry entry lets it have crawled."""
    scope = [unit.get("site")] + list(unit.get("disclosure_roots") or []) + list(unit.get("scopes") or [])
    seen: list[str] = []
    for s in scope:
        if s and s not in seen:
            seen.append(s)
    return seen


def request_recheck(store: Store, unit: dict[str, Any], by: str) -> int:
    scope = unit_scope(unit)
    if not scope:
        raise WebError(f"{unit['name']} 在单位名录中没有登记网站地址，无法安排复查，请联系考核人员补充登记")
    with store.transaction():
        last = store.row(
            "SELECT requested_at FROM recheck_requests WHERE unit_id = ? ORDER BY id DESC LIMIT 1", (unit["id"],)
        )
        if last and last["requested_at"] > _shifted(store, -RECHECK_INTERVAL):
            raise WebError(f"每个单位每小时只能申请一次复查；上次申请时间为 {local_time(last['requested_at'])}")
        return store.insert(
            "recheck_requests",
            {"unit_id": unit["id"], "scope": json.dumps(scope, ensure_ascii=False), "requested_by": by,
             "requested_at": store.now(), "status": "queued"},
        )


def recheck_requests(store: Store, unit_id: str, limit: int = 5) -> list[dict[str, Any]]:
    rows = store.rows(
        "SELECT * FROM recheck_requests WHERE unit_id = ? ORDER BY id DESC LIMIT ?", (unit_id, limit)
    )
    return [{**r, "scope": json.loads(r["scope"]), "status_text": RECHECK_WORDS.get(r["status"], r["status"])}
            for r in rows]


# ---------------------------------------------------------------------------------------- display


def local_time(iso: str | None) -> str:
    """An ISO UTC timestamp as Beijing time, e.g. 2017-12-01 09:30."""
    if not iso:
        return ""
    t = datetime.fromisoformat(iso)
    return (t + timedelta(hours=8) - (t.utcoffset() or timedelta())).strftime("%Y-%m-%d %H:%M")


def default_period(store: Store) -> int:
    """The latest period anything was assessed or entered for; else the current year (Beijing)."""
    row = store.conn.execute(
        "SELECT max(p) FROM (SELECT max(period) AS p FROM run_units UNION ALL SELECT max(period) FROM manual_entries)"
    ).fetchone()
    if row and row[0]:
        return int(row[0])
    return int(local_time(store.now())[:4])


def latest_decision_ids(store: Store, period: int) -> dict[str, int]:
    rows = store.conn.execute(
        "SELECT fingerprint, max(id) FROM decisions WHERE period = ? GROUP BY fingerprint", (period,)
    ).fetchall()
    return {fp: last for fp, last in rows}


def latest_decision_id(store: Store, fingerprint: str) -> int | None:
    return store.conn.execute("SELECT max(id) FROM decisions WHERE fingerprint = ?", (fingerprint,)).fetchone()[0]


def last_crawl(store: Store, unit_id: str) -> dict[str, Any] | None:
    """The latest run that assessed the unit: when, its status, and the crawl's health notes when the unit
    was crawled (else the check or data-set run its findings come from)."""
    crawl = services.crawl_store(store).unit_status(unit_id)
    if crawl is not None:
        return {"at": crawl["finished_at"] or crawl["started_at"], "status": crawl["status"],
                "health": [h.get("message", str(h)) for h in crawl["health"]], "crawl": True}
    row = store.row(
        "SELECT r.kind, r.status, coalesce(r.finished_at, r.started_at) AS at FROM run_units u "
        "JOIN runs r ON r.id = u.run_id WHERE u.unit_id = ? ORDER BY u.run_id DESC LIMIT 1",
        (unit_id,),
    )
    if row is None:
        return None
    return {"at": row["at"], "status": row["status"], "health": [], "crawl": False, "kind": row["kind"]}


# ----------------------------------------------------------------------------------- read models


@dataclass
class QueueRow:
    unit: dict[str, Any]
    indicator: Indicator | None  # None for bonus/penalty entries
    where: str  # indicator position, or the bonus/penalty row's name
    where_name: str
    deduction: Deduction
    latest_id: int | None
    dispute: dict[str, Any] | None

    @property
    def status_text(self) -> str:
        return STATUS_WORDS[self.deduction.status]

    @property
    def is_open(self) -> bool:
        return self.deduction.status in OPEN


def unit_sheet(store: Store, unit_id: str, period: int) -> tuple[ScoreSheet | None, dict[str, Any], str | None]:
    """(score sheet, unit, error): the error is Chinese when the unit cannot be scored for the period."""
    unit = services.unit_or_fail(store, unit_id)
    try:
        sheet, _ = services.score_unit(store, unit_id, period)
    except (services.AppError, StoreError, ValueError) as exc:
        return None, unit, str(exc)
    return sheet, unit, None


def sheet_rows(sheet: ScoreSheet, unit: dict[str, Any], latest: dict[str, int],
               disputes: dict[str, dict[str, Any]]) -> list[QueueRow]:
    out = []
    for r in review_rows(sheet, True):
        d = r["deduction"]
        ind = r["indicator"]
        where, name = (ind.position, ind.name) if ind else (r["adjustment"].name, r["adjustment"].name)
        out.append(QueueRow(unit, ind, where, name, d, latest.get(d.fingerprint), disputes.get(d.fingerprint)))
    return out


STATUS_FILTERS = {
    "open": "待处理（拟扣分、待复核）",
    "disputed": "单位有异议",
    "all": "全部",
    **{s.value: STATUS_WORDS[s] for s in Status},
}


def queue(store: Store, period: int, units: list[dict[str, Any]], indicator: str = "", check: str = "",
          status: str = "open", rule: str = "") -> list[QueueRow]:
    latest = latest_decision_ids(store, period)
    disputes = open_disputes(store, period)
    rows: list[QueueRow] = []
    for unit in units:
        sheet, _, _ = unit_sheet(store, unit["id"], period)
        if sheet is None:
            continue
        rows.extend(sheet_rows(sheet, unit, latest, disputes))

    def keep(r: QueueRow) -> bool:
        d = r.deduction
        if indicator and (r.indicator is None or r.indicator.id != indicator):
            return False
        if check and (d.check_id or "") != check:
            return False
        if rule and d.rule_id != rule:
            return False
        return status_matches(r, status)

    return [r for r in rows if keep(r)]


def status_matches(r: QueueRow, status: str) -> bool:
    """The queue's status filter: open (the default) also lists items a unit disputes."""
    if status == "open":
        return r.is_open or r.dispute is not None
    if status == "disputed":
        return r.dispute is not None
    if status == "all":
        return True
    return r.deduction.status.value == status


def quote_url(url: str) -> str:
    return quote(url, safe="")


def dashboard(store: Store, period: int) -> list[dict[str, Any]]:
    latest = latest_decision_ids(store, period)
    disputes = open_disputes(store, period)
    out = []
    for unit in store.list_units():
        sheet, _, error = unit_sheet(store, unit["id"], period)
        rows = sheet_rows(sheet, unit, latest, disputes) if sheet else []
        could_not = [f for f in store.current_findings(unit["id"], period) if f["outcome"] == "could_not_assess"]
        out.append({
            "unit": unit,
            "sheet": sheet,
            "error": error,
            "open": sum(1 for r in rows if r.is_open),
            "disputed": sum(1 for r in rows if r.dispute is not None),
            "could_not_assess": len(could_not),
            "crawl": last_crawl(store, unit["id"]),
        })
    return out


def initial_status(store: Store, fingerprint: str) -> str:
    """What a deduction was before anyone decided: 拟扣分 / 待复核 for a check's finding (the engine's
    rule: needs_review, or a human-only rule), 已确认 for a manual entry."""
    finding = store.finding_by_fingerprint(fingerprint)
    if finding is None:
        return STATUS_WORDS[Status.CONFIRMED]
    if finding["outcome"] == "needs_review":
        return STATUS_WORDS[Status.NEEDS_REVIEW]
    unit = store.get_unit(finding["unit_id"])
    try:
        rubric = services.require_rule(unit, finding["period"], finding["rule_id"]) if unit else None
        _, rule = rubric.find_rule(finding["rule_id"]) if rubric else (None, None)
    except (services.AppError, KeyError):
        rule = None
    return STATUS_WORDS[Status.NEEDS_REVIEW if rule is not None and rule.human_only else Status.PROPOSED]


def _after_text(entry: dict[str, Any], initial: str) -> str:
    action = entry["action"]
    if action == Action.CONFIRM.value:
        return STATUS_WORDS[Status.CONFIRMED]
    if action == Action.REJECT.value:
        return STATUS_WORDS[Status.REJECTED]
    if action == Action.NOT_APPLICABLE.value:
        return STATUS_WORDS[Status.NOT_APPLICABLE]
    if action == Action.AMEND.value:
        parts = []
        if entry.get("count") is not None:
            parts.append(f"{entry['count']} 项")
        if entry.get("points") is not None:
            parts.append(f"扣 {fmt_points(entry['points'])} 分")
        return f"{STATUS_WORDS[Status.AMENDED]}（{'，'.join(parts)}）"
    return initial


def fmt_points(value: Decimal | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value == value.to_integral() else format(value.normalize(), "f")


def audit_log(store: Store, unit_ids: list[str] | None, period: int | None, by: str | None,
              action: str | None) -> list[dict[str, Any]]:
    """Every decision, newest first, with the state before and after it (before = the state the previous
    decision on the same item left, or the item's initial state)."""
    log = store.decision_log(period=period)
    initial: dict[str, str] = {}
    state: dict[str, str] = {}
    for entry in reversed(log):  # oldest first: replay each item's history
        fp = entry["fingerprint"]
        if fp not in initial:
            initial[fp] = initial_status(store, fp)
        entry["before"] = state.get(fp, initial[fp])
        entry["after"] = _after_text(entry, initial[fp])
        entry["action_text"] = ACTION_WORDS.get(entry["action"], entry["action"])
        state[fp] = entry["after"]
    return [
        e for e in log
        if (unit_ids is None or e["unit_id"] in unit_ids)
        and (not by or e["by"] == by)
        and (not action or e["action"] == action)
    ]
