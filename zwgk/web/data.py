"""The review web app's rules over its own records (sessions, login failures, disputes and their answers,
re-check requests: lifetimes, limits, intervals, Chinese words) and the read models its pages show
(dashboard rows, the review queue, the audit log with before/after). The records are read and written
through the store's methods (``zwgk.store.web``); each write appends its audit event in the same transaction.

Everything takes an open ``Store``; nothing here keeps state between requests.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from rubrics.engine import OPEN, STATUS_WORDS, Action, Deduction, ScoreSheet, Status
from rubrics.model import Indicator
from zwgk.services.errors import AppError
from zwgk.services.rubric_choice import require_rule
from zwgk.services.scoring import score_unit
from zwgk.services.stores import crawl_store, unit_or_fail
from zwgk.cli.render import review_rows
from zwgk.store import MANUAL_PREFIX, MAX_TEXT, MAX_USERNAME, RecheckTooSoonError, Store, StoreError, clean_text

LOGIN_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER_IP = 5  # per username + client address within LOGIN_WINDOW
MAX_FAILURES_PER_USER = 10  # per username from any addresses within LOGIN_WINDOW (a guess spread over many)
MAX_FAILURES_PER_IP = 30  # any usernames from one address within LOGIN_WINDOW (password spraying)
RECHECK_INTERVAL = timedelta(hours=1)
SESSION_LIFETIME = timedelta(hours=12)  # absolute: a session ends this long after sign-in
SESSION_IDLE = timedelta(minutes=30)  # a session unused this long ends
SESSION_TOUCH = timedelta(minutes=1)  # last use is written at most this often
FINGERPRINT = re.compile(r"(?:[0-9a-f]{64}|" + re.escape(MANUAL_PREFIX) + r"[0-9a-f]{32})", re.ASCII)

ACTION_WORDS = {
    Action.CONFIRM.value: "确认",
    Action.REJECT.value: "驳回",
    Action.AMEND.value: "修改",
    Action.NOT_APPLICABLE.value: "认定不适用",
    Action.REOPEN.value: "撤销（重新待处理）",
}
RECHECK_WORDS = {"queued": "排队中", "running": "复查中", "done": "已完成", "failed": "失败"}
EVENT_WORDS = {
    **{"decision." + k: v for k, v in ACTION_WORDS.items()},
    "manual.add": "人工录入",
    "na.add": "认定不适用",
    "na.revoke": "撤销认定",
    "dispute.add": "单位异议",
    "dispute.answer": "答复异议",
    "recheck.request": "申请复查",
    "user.add": "添加用户",
    "user.password": "修改密码",
    "user.disable": "停用用户",
    "login.ok": "登录",
    "login.fail": "登录失败",
    "logout": "退出",
}


class WebError(Exception):
    """A refused web action; the message is Chinese and shown to the user."""


def _shifted(store: Store, delta: timedelta) -> str:
    """The store clock's now plus ``delta`` in the store's timestamp format (ISO 8601 UTC, seconds)."""
    return (datetime.fromisoformat(store.now()) + delta).isoformat(timespec="seconds")


# ---------------------------------------------------------------------------------------- sessions


def create_session(store: Store, username: str, ip: str) -> str:
    """A new session (and the sign-in's audit event)."""
    sid = secrets.token_urlsafe(32)
    store.start_web_session(sid, username, ip)
    return sid


def session_user(store: Store, sid: str | None) -> dict[str, Any] | None:
    """The active user of a live session, or None (unknown, revoked, past its absolute lifetime, idle
    too long, or user disabled). A live session's last use is brought up to date."""
    if not sid:
        return None
    row = store.live_web_session(sid, _shifted(store, -SESSION_LIFETIME), _shifted(store, -SESSION_IDLE))
    if row is None:
        return None
    user = store.get_user(row["username"])
    if user is None or user["disabled"]:
        return None
    if row["seen"] <= _shifted(store, -SESSION_TOUCH):
        store.touch_web_session(sid)
    return user


def revoke_session(store: Store, sid: str, ip: str | None = None) -> None:
    """Sign out: end the session (and record it)."""
    store.end_web_session(sid, ip)


def revoke_user_sessions(store: Store, username: str, keep: str | None = None) -> int:
    """End every web session of a user but ``keep`` (after a password change or when disabling the account)."""
    return store.end_user_web_sessions(username, keep)


# ------------------------------------------------------------------------------------- throttling


def login_name(typed: str) -> str:
    """The user name as kept in failure rows and the audit log: at most ``MAX_USERNAME`` characters."""
    return typed[:MAX_USERNAME]


def login_blocked(store: Store, username: str, ip: str) -> bool:
    """Too many recent failures for this account from this address, for this account from anywhere, or
    from this address for any accounts."""
    since = _shifted(store, -LOGIN_WINDOW)
    username = login_name(username)
    return (store.login_failure_count(since, username=username, ip=ip) >= MAX_FAILURES_PER_USER_IP
            or store.login_failure_count(since, username=username) >= MAX_FAILURES_PER_USER
            or store.login_failure_count(since, ip=ip) >= MAX_FAILURES_PER_IP)


def record_login_failure(store: Store, username: str, ip: str) -> None:
    """Count a failed sign-in (and audit it); rows older than the window are dropped, so the table holds
    at most the failures the limits still look at."""
    store.record_login_failure(login_name(username), ip, _shifted(store, -LOGIN_WINDOW))


def clear_login_failures(store: Store, username: str) -> None:
    """After a successful sign-in: the account's failures no longer count against it."""
    store.clear_login_failures(username)


# ---------------------------------------------------------------------------------------- disputes


def _text(text: str, what: str) -> str:
    try:
        cleaned = clean_text(text, what, MAX_TEXT)
    except StoreError as exc:
        raise WebError(str(exc)) from None
    if cleaned is None:
        raise WebError(f"请填写{what}")
    return cleaned


def add_dispute(store: Store, fingerprint: str, unit_id: str, period: int, comment: str, by: str) -> int:
    return store.add_dispute(fingerprint, unit_id, period, _text(comment, "异议说明"), by)


def answer_dispute(store: Store, dispute: dict[str, Any], decision_id: int | None, answer: str, by: str) -> int:
    """An assessor's answer to a unit's dispute, naming the decision it led to (None: the item's decision
    stands unchanged)."""
    return store.add_dispute_answer(dispute, decision_id, _text(answer, "给单位的答复"), by)


def disputes_of(store: Store, fingerprint: str) -> list[dict[str, Any]]:
    """The item's disputes, oldest first, each with its answers (and the action of the decision each named)."""
    disputes = store.disputes_of(fingerprint)
    for w in disputes:
        w["answers"] = [{**a, "action_text": ACTION_WORDS.get(a["action"] or "", "维持原决定")} for a in w["answers"]]
    return disputes


def open_disputes(store: Store, period: int) -> dict[str, dict[str, Any]]:
    """fingerprint → its latest dispute, for disputes no assessor has answered yet: such an item is not
    settled, whatever its decision."""
    return {r["fingerprint"]: r for r in store.open_disputes(period)}


def open_dispute(store: Store, fingerprint: str) -> dict[str, Any] | None:
    """The item's latest dispute when it is still unanswered."""
    return store.open_dispute(fingerprint)


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
    try:
        return store.add_recheck_request(unit["id"], scope, by, _shifted(store, -RECHECK_INTERVAL))
    except RecheckTooSoonError as exc:
        raise WebError(f"每个单位每小时只能申请一次复查；上次申请时间为 {local_time(exc.last_at)}") from None


def recheck_requests(store: Store, unit_id: str, limit: int = 5) -> list[dict[str, Any]]:
    return [{**r, "status_text": RECHECK_WORDS.get(r["status"], r["status"])}
            for r in store.recheck_requests(unit_id, limit)]


# ---------------------------------------------------------------------------------------- display


def local_time(iso: str | None) -> str:
    """An ISO UTC timestamp as Beijing time, e.g. 2017-12-01 09:30."""
    if not iso:
        return ""
    t = datetime.fromisoformat(iso)
    return (t + timedelta(hours=8) - (t.utcoffset() or timedelta())).strftime("%Y-%m-%d %H:%M")


def default_period(store: Store) -> int:
    """The latest period anything was assessed or entered for; else the current year (Beijing)."""
    latest = store.latest_assessed_period()
    if latest:
        return int(latest)
    return int(local_time(store.now())[:4])


def last_crawl(store: Store, unit_id: str) -> dict[str, Any] | None:
    """The latest run that assessed the unit: when, its status, and the crawl's health notes when the unit
    was crawled (else the check or data-set run its findings come from)."""
    crawl = crawl_store(store).unit_status(unit_id)
    if crawl is not None:
        return {"at": crawl["finished_at"] or crawl["started_at"], "status": crawl["status"],
                "health": [h.get("message", str(h)) for h in crawl["health"]], "crawl": True}
    row = store.latest_assessing_run(unit_id)
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
    evidence_hash: str  # of the current finding ("" for a manual entry): what a confirm from the row saw

    @property
    def status_text(self) -> str:
        return STATUS_WORDS[self.deduction.status]

    @property
    def is_open(self) -> bool:
        return self.deduction.status in OPEN


def unit_sheet(store: Store, unit_id: str, period: int) -> tuple[ScoreSheet | None, dict[str, Any], str | None]:
    """(score sheet, unit, error): the error is Chinese when the unit cannot be scored for the period."""
    unit = unit_or_fail(store, unit_id)
    try:
        sheet, _ = score_unit(store, unit_id, period)
    except (AppError, StoreError, ValueError) as exc:
        return None, unit, str(exc)
    return sheet, unit, None


def evidence_hashes(store: Store, unit_id: str, period: int) -> dict[str, str]:
    """fingerprint → evidence hash of the unit's current findings."""
    return {f["fingerprint"]: f["evidence_hash"] for f in store.current_findings(unit_id, period)}


def sheet_rows(sheet: ScoreSheet, unit: dict[str, Any], latest: dict[str, int],
               disputes: dict[str, dict[str, Any]], hashes: dict[str, str]) -> list[QueueRow]:
    out = []
    for r in review_rows(sheet, True):
        d = r["deduction"]
        ind = r["indicator"]
        where, name = (ind.position, ind.name) if ind else (r["adjustment"].name, r["adjustment"].name)
        out.append(QueueRow(unit, ind, where, name, d, latest.get(d.fingerprint), disputes.get(d.fingerprint),
                            hashes.get(d.fingerprint, "")))
    return out


STATUS_FILTERS = {
    "open": "待处理（拟扣分、待复核）",
    "disputed": "单位有异议",
    "all": "全部",
    **{s.value: STATUS_WORDS[s] for s in Status},
}


def queue(store: Store, period: int, units: list[dict[str, Any]], indicator: str = "", check: str = "",
          status: str = "open", rule: str = "") -> list[QueueRow]:
    latest = store.latest_decision_ids(period)
    disputes = open_disputes(store, period)
    rows: list[QueueRow] = []
    for unit in units:
        sheet, _, _ = unit_sheet(store, unit["id"], period)
        if sheet is None:
            continue
        rows.extend(sheet_rows(sheet, unit, latest, disputes, evidence_hashes(store, unit["id"], period)))

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
    latest = store.latest_decision_ids(period)
    disputes = open_disputes(store, period)
    out = []
    for unit in store.list_units():
        sheet, _, error = unit_sheet(store, unit["id"], period)
        rows = sheet_rows(sheet, unit, latest, disputes, {}) if sheet else []
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
        rubric = require_rule(unit, finding["period"], finding["rule_id"]) if unit else None
        _, rule = rubric.find_rule(finding["rule_id"]) if rubric else (None, None)
    except (AppError, KeyError):
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


def decision_states(store: Store, period: int | None) -> dict[int, tuple[str, str]]:
    """decision id → (state before, state after): before is what the previous decision on the same item
    left, or the item's initial state."""
    initial: dict[str, str] = {}
    state: dict[str, str] = {}
    out: dict[int, tuple[str, str]] = {}
    for entry in reversed(store.decision_log(period=period)):  # oldest first: replay each item's history
        fp = entry["fingerprint"]
        if fp not in initial:
            initial[fp] = initial_status(store, fp)
        after = _after_text(entry, initial[fp])
        out[entry["id"]] = (state.get(fp, initial[fp]), after)
        state[fp] = after
    return out


def audit_log(store: Store, unit_ids: list[str] | None, period: int | None, actor: str | None,
              action: str | None) -> list[dict[str, Any]]:
    """Every audited write, newest first (filters: units, period, who, what), with the rule and subject
    of the item it was about and, for decisions, the state before and after."""
    rows = store.audit_events(unit_ids, period, actor, action)
    states = decision_states(store, period) if any(r["action"].startswith("decision.") for r in rows) else {}
    for r in rows:
        r["action_text"] = EVENT_WORDS.get(r["action"], r["action"])
        r["item"] = bool(r["target"] and FINGERPRINT.fullmatch(r["target"]))
        if r["action"].startswith("decision.") and r["decision_id"] in states:
            r["before"], r["after"] = states[r["decision_id"]]
    return rows
