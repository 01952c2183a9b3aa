"""The scoring engine: rubric + proposals + decisions + manual entries → score sheet.

Pure: no I/O, no clock. Semantics (design.md, "Semantics" and "Conventions"):

- 倒扣分，扣完为止: indicator score = max(0, points − Σ effective deductions).
- A fixed rule deducts its points once however many deductions name it; per-item and per-event rules
  deduct points × count, summed over their deductions.
- A rule that applies (has a counted deduction) makes the rules it ``excludes`` cost nothing.
- Every machine deduction is a proposal until a person decides. The *confirmed* view counts confirmed and
  amended deductions (and manual entries, which a person made); the *provisional* view also counts every
  open proposal, as if it were confirmed.
- Decisions attach to fingerprints and are append-only: the latest decision on a fingerprint wins; a
  ``reopen`` decision undoes the ones before it.
- Not applicable (认定) on an indicator or a rule, scoped to unit + period, costs nothing and is shown.
- Bonus and penalty events sit outside the 100: final = Σ indicator scores + bonus − penalty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Iterable

from rubrics.model import Adjustment, AdjustmentType, Indicator, Outcome, Rubric, Rule, RuleKind

ZERO = Decimal(0)
HALF = Decimal("0.5")


class Action(str, Enum):
    CONFIRM = "confirm"
    REJECT = "reject"
    AMEND = "amend"
    NOT_APPLICABLE = "not_applicable"
    REOPEN = "reopen"  # undo: back to the state before any decision


class Status(str, Enum):
    PROPOSED = "proposed"
    NEEDS_REVIEW = "needs_review"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    AMENDED = "amended"
    NOT_APPLICABLE = "not_applicable"


# The Chinese words of the outcomes and statuses, shared by CLI, web app, reports and XLSX.
STATUS_WORDS = {
    Status.PROPOSED: "拟扣分",
    Status.NEEDS_REVIEW: "待复核",
    Status.CONFIRMED: "已确认",
    Status.REJECTED: "已驳回",
    Status.AMENDED: "已修改",
    Status.NOT_APPLICABLE: "不适用（已认定）",
}
OUTCOME_WORDS = {
    Outcome.PASS: "通过",
    Outcome.FAIL: "拟扣分",
    Outcome.NEEDS_REVIEW: "待复核",
    Outcome.NOT_APPLICABLE: "不适用（已认定）",
    Outcome.COULD_NOT_ASSESS: "无法评估",
}
OPEN = frozenset({Status.PROPOSED, Status.NEEDS_REVIEW})
COUNTED_CONFIRMED = frozenset({Status.CONFIRMED, Status.AMENDED})


class EngineError(ValueError):
    """Inputs that contradict the rubric; the message is Chinese."""


@dataclass(frozen=True)
class Proposal:
    """A deduction proposed by a check (outcome fail or needs_review)."""

    fingerprint: str
    rule_id: str
    count: int
    outcome: Outcome
    subject: str
    message: str
    check_id: str | None = None
    evidence_ref: str | None = None  # where the evidence is kept (finding id)
    evidence_hash: str | None = None  # changes when what the check saw changes


@dataclass(frozen=True)
class ManualEntry:
    """A deduction, bonus or penalty an assessor entered (a person made it: confirmed on entry)."""

    fingerprint: str
    rule_id: str
    count: int
    reason: str
    by: str
    at: str
    points: Decimal | None = None  # overrides rule points × count when given


@dataclass(frozen=True)
class Decision:
    fingerprint: str
    action: Action
    by: str
    at: str
    reason: str | None = None
    count: int | None = None  # amend: new count
    points: Decimal | None = None  # amend: new amount of points lost
    evidence_hash: str | None = None  # the evidence the decision was taken on
    seq: int = 0  # order of decisions; later wins


@dataclass(frozen=True)
class Determination:
    """认定: an indicator or rule is not applicable to this unit for this period."""

    target_id: str  # indicator id or rule id
    reason: str
    by: str
    at: str
    revoked: bool = False  # a later row with revoked=True withdraws an earlier one
    seq: int = 0


@dataclass
class Deduction:
    """One proposal or manual entry as it stands after decisions."""

    fingerprint: str
    source: str  # "check" | "manual"
    rule_id: str
    rule_text: str
    status: Status
    count: int
    amount: Decimal  # points this deduction would cost on its own
    subject: str
    message: str
    check_id: str | None = None
    evidence_ref: str | None = None
    evidence_changed: bool = False  # 证据已变化: decided on other evidence than the current
    decided_by: str | None = None
    decided_at: str | None = None
    reason: str | None = None
    excluded_by: str | None = None  # rule id that makes this one moot (provisional view)
    confirmed_points: Decimal = ZERO  # what it costs in the confirmed view
    provisional_points: Decimal = ZERO  # what it costs in the provisional view


@dataclass
class IndicatorScore:
    indicator: Indicator
    confirmed: Decimal
    provisional: Decimal
    deductions: list[Deduction]
    not_applicable: Determination | None = None
    not_applicable_rules: dict[str, Determination] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)  # why each point was lost, in Chinese

    @property
    def open_count(self) -> int:
        return sum(1 for d in self.deductions if d.status in OPEN)


@dataclass
class CategoryScore:
    id: str
    name: str
    points: Decimal
    confirmed: Decimal
    provisional: Decimal
    indicators: list[IndicatorScore]


@dataclass
class AdjustmentScore:
    adjustment: Adjustment
    confirmed: Decimal
    provisional: Decimal
    entries: list[Deduction]


@dataclass
class ScoreSheet:
    rubric: Rubric
    unit_id: str
    period: int
    categories: list[CategoryScore]
    adjustments: list[AdjustmentScore]
    subtotal_confirmed: Decimal  # out of 100
    subtotal_provisional: Decimal
    bonus_confirmed: Decimal
    bonus_provisional: Decimal
    penalty_confirmed: Decimal
    penalty_provisional: Decimal

    @property
    def final_confirmed(self) -> Decimal:
        return self.subtotal_confirmed + self.bonus_confirmed - self.penalty_confirmed

    @property
    def final_provisional(self) -> Decimal:
        return self.subtotal_provisional + self.bonus_provisional - self.penalty_provisional

    @property
    def indicators(self) -> list[IndicatorScore]:
        return [i for c in self.categories for i in c.indicators]

    @property
    def open_count(self) -> int:
        return sum(i.open_count for i in self.indicators) + sum(
            1 for a in self.adjustments for e in a.entries if e.status in OPEN
        )


def _latest(decisions: Iterable[Decision]) -> dict[str, list[Decision]]:
    by_fp: dict[str, list[Decision]] = {}
    for d in sorted(decisions, key=lambda d: d.seq):
        by_fp.setdefault(d.fingerprint, []).append(d)
    return by_fp


def _check_count(count: int, where: str) -> None:
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise EngineError(f"{where}：次数/项数应为非负整数，实际为 {count!r}")


def _check_points(points: Decimal, where: str) -> None:
    if not isinstance(points, Decimal) or not points.is_finite() or points < 0 or points % HALF != 0:
        raise EngineError(f"{where}：扣分应为非负数且为 0.5 的整数倍，实际为 {points}")


def _apply_decisions(ded: Deduction, rule: Rule, history: list[Decision], evidence_hash: str | None) -> None:
    """Settle a deduction's status and amount from its decision history (latest wins; reopen undoes)."""
    if not history:
        return
    last = history[-1]
    where = f"对 {ded.fingerprint[:12]} 的决定"
    ded.decided_by, ded.decided_at, ded.reason = last.by, last.at, last.reason
    if last.evidence_hash is not None and evidence_hash is not None and last.evidence_hash != evidence_hash:
        ded.evidence_changed = True
    if last.action is Action.REOPEN:
        return
    if last.action is Action.CONFIRM:
        ded.status = Status.CONFIRMED
    elif last.action is Action.REJECT:
        ded.status = Status.REJECTED
    elif last.action is Action.NOT_APPLICABLE:
        ded.status = Status.NOT_APPLICABLE
    elif last.action is Action.AMEND:
        ded.status = Status.AMENDED
        if last.points is not None:
            _check_points(last.points, where)
            ded.amount = last.points
        if last.count is not None:
            _check_count(last.count, where)
            ded.count = last.count
            if last.points is None:
                ded.amount = rule.amount(last.count)
        if last.points is None and last.count is None:
            raise EngineError(f"{where}：修改须给出新的次数或分值")


def _rule_totals(deds: list[Deduction], rules: dict[str, Rule], counted: frozenset[Status]) -> dict[str, Decimal]:
    """Points per rule from the deductions in ``counted`` states (fixed rules count once)."""
    totals: dict[str, Decimal] = {}
    for d in deds:
        if d.status not in counted or d.amount <= 0:
            continue
        rule = rules[d.rule_id]
        if rule.kind is RuleKind.FIXED:
            totals[d.rule_id] = max(totals.get(d.rule_id, ZERO), d.amount)
        else:
            totals[d.rule_id] = totals.get(d.rule_id, ZERO) + d.amount
    return totals


def _exclusions(totals: dict[str, Decimal], rules: dict[str, Rule]) -> dict[str, str]:
    """rule id → the applying rule that makes it moot."""
    excluded: dict[str, str] = {}
    for rule_id in totals:
        for target in rules[rule_id].excludes:
            excluded.setdefault(target, rule_id)
    return excluded


def _view(deds, rules, counted, blocked_rules, attr) -> Decimal:
    """Total points lost in one view; writes each deduction's effective cost into ``attr``."""
    live = [d for d in deds if d.rule_id not in blocked_rules]
    live_ids = {id(d) for d in live}
    totals = _rule_totals(live, rules, counted)
    excluded = _exclusions(totals, rules)
    lost = ZERO
    fixed_charged: set[str] = set()
    for d in deds:
        cost = ZERO
        if id(d) in live_ids and d.status in counted and d.rule_id not in excluded and d.amount > 0:
            rule = rules[d.rule_id]
            if rule.kind is RuleKind.FIXED:
                # the rule's single charge goes to its first deduction with the largest amount
                if d.rule_id not in fixed_charged and d.amount == totals[d.rule_id]:
                    cost = d.amount
                    fixed_charged.add(d.rule_id)
            else:
                cost = d.amount
        setattr(d, attr, cost)
        lost += cost
    if attr == "provisional_points":
        for d in deds:
            d.excluded_by = excluded.get(d.rule_id) if d.status in counted | OPEN else None
    return lost


def _active_determinations(determinations: Iterable[Determination]) -> dict[str, Determination]:
    active: dict[str, Determination] = {}
    for det in sorted(determinations, key=lambda d: d.seq):
        if det.revoked:
            active.pop(det.target_id, None)
        else:
            active[det.target_id] = det
    return active


def _fmt(points: Decimal) -> str:
    return format(points.normalize(), "f") if points != points.to_integral() else str(int(points))


def score(
    rubric: Rubric,
    unit_id: str,
    period: int,
    proposals: Iterable[Proposal] = (),
    decisions: Iterable[Decision] = (),
    manual: Iterable[ManualEntry] = (),
    determinations: Iterable[Determination] = (),
) -> ScoreSheet:
    """Compute the score sheet of one unit for one period."""
    history = _latest(decisions)
    na = _active_determinations(determinations)
    for target in na:
        if not rubric.has_id(target):
            raise EngineError(f"认定的对象 {target} 不是考核细则 {rubric.id} 中的指标或规则")

    by_owner: dict[str, list[Deduction]] = {}
    seen: set[str] = set()

    def owner_of(rule_id: str, where: str) -> tuple[Indicator | Adjustment, Rule]:
        try:
            return rubric.find_rule(rule_id)
        except KeyError:
            raise EngineError(f"{where}：规则 {rule_id} 不在考核细则 {rubric.id} 中") from None

    for p in proposals:
        where = f"拟扣分 {p.fingerprint[:12]}"
        if p.fingerprint in seen:
            raise EngineError(f"{where}：指纹重复")
        seen.add(p.fingerprint)
        owner, rule = owner_of(p.rule_id, where)
        if isinstance(owner, Adjustment):
            raise EngineError(f"{where}：加减分只能由考核人员录入，不能由检查自动提出")
        if p.outcome not in (Outcome.FAIL, Outcome.NEEDS_REVIEW):
            raise EngineError(f"{where}：只有“拟扣分”或“待复核”的发现才构成扣分提议，实际为 {p.outcome.value}")
        _check_count(p.count, where)
        # liability and the like are for a person to establish: never a plain machine proposal
        status = Status.NEEDS_REVIEW if (p.outcome is Outcome.NEEDS_REVIEW or rule.human_only) else Status.PROPOSED
        ded = Deduction(
            fingerprint=p.fingerprint,
            source="check",
            rule_id=rule.id,
            rule_text=rule.text,
            status=status,
            count=p.count,
            amount=rule.amount(p.count),
            subject=p.subject,
            message=p.message,
            check_id=p.check_id,
            evidence_ref=p.evidence_ref,
        )
        _apply_decisions(ded, rule, history.get(p.fingerprint, []), p.evidence_hash)
        by_owner.setdefault(owner.id, []).append(ded)

    for m in manual:
        where = f"人工录入 {m.fingerprint[:12]}"
        if m.fingerprint in seen:
            raise EngineError(f"{where}：指纹重复")
        seen.add(m.fingerprint)
        owner, rule = owner_of(m.rule_id, where)
        _check_count(m.count, where)
        if m.points is not None:
            _check_points(m.points, where)
        ded = Deduction(
            fingerprint=m.fingerprint,
            source="manual",
            rule_id=rule.id,
            rule_text=rule.text,
            status=Status.CONFIRMED,
            count=m.count,
            amount=m.points if m.points is not None else rule.amount(m.count),
            subject="",
            message=m.reason,
            decided_by=m.by,
            decided_at=m.at,
            reason=m.reason,
        )
        _apply_decisions(ded, rule, history.get(m.fingerprint, []), None)
        by_owner.setdefault(owner.id, []).append(ded)

    categories = []
    for cat in rubric.categories:
        scores = [_score_indicator(ind, by_owner.get(ind.id, []), na) for ind in cat.indicators]
        categories.append(
            CategoryScore(
                id=cat.id,
                name=cat.name,
                points=cat.points,
                confirmed=sum((s.confirmed for s in scores), ZERO),
                provisional=sum((s.provisional for s in scores), ZERO),
                indicators=scores,
            )
        )

    adjustments = []
    totals = {AdjustmentType.BONUS: [ZERO, ZERO], AdjustmentType.PENALTY: [ZERO, ZERO]}
    for adj in rubric.adjustments:
        entries = by_owner.get(adj.id, [])
        rules = {r.id: r for r in adj.rules}
        confirmed = _view(entries, rules, COUNTED_CONFIRMED, set(), "confirmed_points")
        provisional = _view(entries, rules, COUNTED_CONFIRMED | OPEN, set(), "provisional_points")
        adjustments.append(AdjustmentScore(adj, confirmed, provisional, entries))
        totals[adj.type][0] += confirmed
        totals[adj.type][1] += provisional

    return ScoreSheet(
        rubric=rubric,
        unit_id=unit_id,
        period=period,
        categories=categories,
        adjustments=adjustments,
        subtotal_confirmed=sum((c.confirmed for c in categories), ZERO),
        subtotal_provisional=sum((c.provisional for c in categories), ZERO),
        bonus_confirmed=totals[AdjustmentType.BONUS][0],
        bonus_provisional=totals[AdjustmentType.BONUS][1],
        penalty_confirmed=totals[AdjustmentType.PENALTY][0],
        penalty_provisional=totals[AdjustmentType.PENALTY][1],
    )


def _score_indicator(ind: Indicator, deds: list[Deduction], na: dict[str, Determination]) -> IndicatorScore:
    rules = {r.id: r for r in ind.rules}
    whole = na.get(ind.id)
    rule_na = {rid: det for rid, det in na.items() if rid in rules}
    blocked = set(rules) if whole else set(rule_na)
    lost_confirmed = _view(deds, rules, COUNTED_CONFIRMED, blocked, "confirmed_points")
    lost_provisional = _view(deds, rules, COUNTED_CONFIRMED | OPEN, blocked, "provisional_points")
    result = IndicatorScore(
        indicator=ind,
        confirmed=max(ZERO, ind.points - lost_confirmed),
        provisional=max(ZERO, ind.points - lost_provisional),
        deductions=deds,
        not_applicable=whole,
        not_applicable_rules=rule_na,
    )
    result.reasons = _reasons(result, lost_confirmed, lost_provisional)
    return result


def _reasons(s: IndicatorScore, lost_confirmed: Decimal, lost_provisional: Decimal) -> list[str]:
    """Why points were lost (or not), one Chinese sentence per line."""
    out = []
    if s.not_applicable:
        det = s.not_applicable
        out.append(f"本指标不适用（已认定，{det.by}）：{det.reason}")
    for rid, det in s.not_applicable_rules.items():
        out.append(f"规则 {rid} 不适用（已认定，{det.by}）：{det.reason}")
    for d in s.deductions:
        word = STATUS_WORDS[d.status]
        if d.confirmed_points > 0:
            out.append(f"扣{_fmt(d.confirmed_points)}分（{word}）：{d.rule_text}" + (f"——{d.message}" if d.message else ""))
        elif d.provisional_points > 0:
            out.append(f"拟扣{_fmt(d.provisional_points)}分（{word}，待确认）：{d.rule_text}" + (f"——{d.message}" if d.message else ""))
        elif d.excluded_by and d.status not in (Status.REJECTED, Status.NOT_APPLICABLE):
            out.append(f"不重复扣分：{d.rule_text}（已由规则 {d.excluded_by} 涵盖）")
    points = s.indicator.points
    if lost_provisional > points:
        out.append(f"扣分合计 {_fmt(lost_provisional)} 分超过本指标分值 {_fmt(points)} 分，扣完为止")
    elif lost_confirmed > points:
        out.append(f"已确认扣分合计 {_fmt(lost_confirmed)} 分超过本指标分值 {_fmt(points)} 分，扣完为止")
    return out
