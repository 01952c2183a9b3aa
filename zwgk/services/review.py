"""Review actions, shared by the CLI and the web app: a decision on a proposal, a manual entry, the bounds
of a count or points a person types, and the password policy."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal

from rubrics.engine import Action
from rubrics.model import Adjustment, Indicator, Rule, RuleKind
from zwgk.demo.accounts import DEMO_USERS
from zwgk.services.errors import AppError
from zwgk.services.rubric_choice import require_rule, rubric_of
from zwgk.services.stores import unit_or_fail
from zwgk.store import ANY, Store

POINTS_TEXT = re.compile(r"[0-9]{1,4}(?:\.[0-9]{1,2})?", re.ASCII)
COUNT_TEXT = re.compile(r"[0-9]{1,7}", re.ASCII)
MAX_EVENTS = 100  # the count cap where the rubric names neither a list nor a cap (bonus/penalty events)
PASSWORD_MIN, PASSWORD_MAX = 12, 128


def parse_points(text: str | None) -> Decimal | None:
    """Points as typed: ASCII digits with at most two decimals (``1``, ``0.5``), a multiple of 0.5."""
    if text is None:
        return None
    if not POINTS_TEXT.fullmatch(text):
        raise AppError(f"分值应为不超过 9999 的数字（如 1 或 0.5），实际为 {text[:20]!r}")
    value = Decimal(text)
    if value % Decimal("0.5") != 0:
        raise AppError(f"分值应为非负数且为 0.5 的整数倍，实际为 {text}")
    return value


def parse_count(text: str, what: str = "项数") -> int:
    """A count as typed: ASCII digits only (no ``²``, no sign, no exponent), at most 7 of them."""
    if not COUNT_TEXT.fullmatch(text):
        raise AppError(f"{what}应为非负整数（阿拉伯数字），实际为 {text[:20]!r}")
    return int(text)


def max_count(owner: Indicator | Adjustment, rule: Rule, found: int = 0) -> int:
    """The largest count a person may give a rule: the rubric's own list when it has one; for an indicator's
    per-item or per-event rule, the count at which it costs the whole indicator; else ``MAX_EVENTS``. Never
    below what a check found (``found``)."""
    if rule.items:
        cap = len(dict.fromkeys(rule.items))
    elif isinstance(owner, Indicator) and rule.kind is not RuleKind.FIXED:
        cap = math.ceil(owner.points / rule.points)
    else:
        cap = MAX_EVENTS
    return max(cap, found)


def max_points(owner: Indicator | Adjustment, rule: Rule, count: int) -> Decimal:
    """The most a rule can cost for ``count`` items (a fixed rule: its points once), never more than the
    indicator's points."""
    cap = rule.points if rule.kind is RuleKind.FIXED else rule.points * count
    return min(cap, owner.points) if isinstance(owner, Indicator) else cap


def check_amount(owner: Indicator | Adjustment, rule: Rule, count: int | None, points: Decimal | None,
                 found: int = 0) -> None:
    """Refuse a count or points beyond what the rule allows (``found``: the count the item has now)."""
    noun = rule.unit or "项"
    limit = max_count(owner, rule, found)
    if count is not None and count > limit:
        raise AppError(f"项数超过上限：按“{rule.text}”，最多 {limit} {noun}")
    if points is not None:
        basis = found if count is None else count
        cap = max_points(owner, rule, basis)
        if points > cap:
            whole = f"，该指标满分 {_pts(owner.points)} 分" if isinstance(owner, Indicator) else ""
            how = "" if rule.kind is RuleKind.FIXED else f" {basis} {noun}"
            raise AppError(f"扣分超过上限：按“{rule.text}”{how}最多 {_pts(cap)} 分{whole}")


def _pts(value: Decimal) -> str:
    return format(value.normalize(), "f")


def password_problem(username: str, password: str) -> str | None:
    """Why a new password is refused (Chinese), or None: 12 to 128 characters, not the user name, not a
    demo password, not one repeated character."""
    if len(password) < PASSWORD_MIN:
        return f"密码至少 {PASSWORD_MIN} 个字符"
    if len(password) > PASSWORD_MAX:
        return f"密码不能超过 {PASSWORD_MAX} 个字符"
    if not password.isprintable():
        return "密码不能含有控制字符"
    if username and username.lower() in password.lower():
        return "密码不能包含用户名"
    if password in {p for *_, p in DEMO_USERS} or len(set(password)) < 4:
        return "该密码是演示密码或过于简单，请换一个"
    return None


def require_good_password(username: str, password: str) -> None:
    problem = password_problem(username, password)
    if problem:
        raise AppError(problem)


@dataclass(frozen=True)
class Target:
    """What a review decision is about: a proposal from a check, or a manual entry."""

    fingerprint: str
    unit_id: str
    period: int
    rule_id: str
    evidence_hash: str | None
    count: int  # what the check found, or what the manual entry says


def review_target(store: Store, prefix: str) -> Target:
    fp = store.resolve_fingerprint(prefix)
    finding = store.finding_by_fingerprint(fp)
    if finding is not None:
        return Target(fp, finding["unit_id"], finding["period"], finding["rule_id"], finding["evidence_hash"],
                      finding["count"])
    entry = store.manual_entry_by_fingerprint(fp)
    if entry is None:
        raise AppError(f"找不到编号为 {prefix} 的扣分项")
    return Target(fp, entry["unit_id"], entry["period"], entry["rule_id"], None, entry["count"])


def rule_of(store: Store, unit_id: str, period: int, rule_id: str) -> tuple[Indicator | Adjustment, Rule]:
    rubric = rubric_of(unit_or_fail(store, unit_id), period)
    try:
        return rubric.find_rule(rule_id)
    except KeyError:
        raise AppError(f"规则 {rule_id} 不在考核细则 {rubric.id} 中") from None


def decide(
    store: Store,
    prefix: str,
    action: Action,
    by: str,
    reason: str | None = None,
    count: int | None = None,
    points: Decimal | None = None,
    expected_last=ANY,
    seen_evidence=ANY,
) -> tuple[int, Target]:
    """Record one review decision (append-only). Returns the decision id and what it was about.

    An amendment is bounded by its rule (``check_amount``); ``expected_last`` and ``seen_evidence`` are
    the latest decision id and evidence hash the person was shown (``ANY``: not checked, as on the CLI,
    where the command names the item and its current evidence). The store refuses an unchanged decision
    (``UnchangedError``)."""
    target = review_target(store, prefix)
    if action is Action.AMEND:
        owner, rule = rule_of(store, target.unit_id, target.period, target.rule_id)
        check_amount(owner, rule, count, points, target.count)
    decision_id = store.add_decision(
        target.fingerprint,
        target.unit_id,
        target.period,
        action.value,
        by,
        reason=reason,
        count=count,
        points=points,
        evidence_hash=target.evidence_hash,
        expected_last=expected_last,
        seen_evidence=seen_evidence,
    )
    return decision_id, target


def add_manual(store: Store, unit_id: str, period: int, rule_id: str, count: int, points: Decimal | None,
               reason: str, by: str) -> str:
    """Record a manual entry (confirmed on entry) within its rule's bounds; returns its fingerprint."""
    unit = unit_or_fail(store, unit_id)
    rubric = require_rule(unit, period, rule_id)
    owner, rule = rubric.find_rule(rule_id)
    if count < 1:
        raise AppError("人工录入的项数/次数至少为 1")
    check_amount(owner, rule, count, points)
    return store.add_manual_entry(unit_id, period, rubric.id, rule_id, count, reason, by, points=points)
