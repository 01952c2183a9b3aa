"""Typed, immutable model of an assessment rubric (考核细则).

A rubric file (one per rubric and year, e.g. ``township-2017.yaml``) is loaded into these types by
``rubrics.loader``. Every id is written in the file itself; nothing is derived from position, so a later
edit never renumbers history.

Points are ``Decimal`` throughout: the rubric deals in multiples of 0.5 and scores must add up exactly.

The model also holds what a check and the scoring engine share: a check's verdict (``Outcome``) and a finding's
``fingerprint``, so that ``checks`` needs the model only, never the engine.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum


class Outcome(str, Enum):
    """A check's verdict on one rule and subject."""

    PASS = "pass"
    FAIL = "fail"
    NEEDS_REVIEW = "needs_review"
    NOT_APPLICABLE = "not_applicable"
    COULD_NOT_ASSESS = "could_not_assess"


def fingerprint(rubric_id: str, period: int, unit_id: str, rule_id: str, subject_key: str) -> str:
    """Stable identity of a finding: a decision attaches to it and survives later nights."""
    raw = "\x1f".join([rubric_id, str(period), unit_id, rule_id, subject_key])
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class RuleKind(str, Enum):
    """How a deduction rule turns a count into points."""

    FIXED = "fixed"  # "未公开指南的扣1分": the points once, however many times it is found
    PER_ITEM = "per_item"  # "每缺一项扣0.5分": points × number of distinct missing items
    PER_EVENT = "per_event"  # "每件次扣2分" / "每起" / "每次": points × number of events


class Automation(str, Enum):
    """What website evidence can do for an indicator (see docs: indicators)."""

    AUTO = "auto"  # website evidence can decide a proposal
    PARTIAL = "partial"  # website evidence helps, a person decides
    MANUAL = "manual"  # nothing on a website shows it; an assessor enters it


class AdjustmentType(str, Enum):
    BONUS = "bonus"  # 加分, outside the 100
    PENALTY = "penalty"  # 减分, outside the 100


@dataclass(frozen=True)
class Rule:
    id: str
    text: str  # the rule's own words, verbatim from the source cell
    kind: RuleKind
    points: Decimal  # per occurrence for per_item / per_event, once for fixed
    unit: str | None = None  # the counted noun for per_item / per_event: 项, 要素, 件次, 起, 次, 条
    items: tuple[str, ...] = ()  # the rubric's own enumeration the per-item count is taken from
    excludes: tuple[str, ...] = ()  # rule ids made moot when this rule applies
    human_only: bool = False  # never proposed by a machine (e.g. liability "经查实需承担责任")
    note: str | None = None  # editorial: how the rule was read where the source is ambiguous
    checks: tuple[str, ...] = ()  # bindings "check_id.role": the checks whose role serves this rule

    def amount(self, count: int) -> Decimal:
        """Points lost for ``count`` occurrences, before the indicator's floor."""
        if count <= 0:
            return Decimal(0)
        if self.kind is RuleKind.FIXED:
            return self.points
        return self.points * count


@dataclass(frozen=True)
class Indicator:
    id: str
    position: str  # "2.5": category.position as in the source table
    group: str | None  # the source's 指标名称 cell, inherited across merged rows; None where blank
    label: str  # short name for lists and reports; equals group unless editorial
    label_editorial: bool  # True when the label is not from the source
    content: str  # 考核内容, verbatim
    points: Decimal  # 分值
    rules_text: str  # 扣分办法 cell, verbatim
    rules: tuple[Rule, ...]
    automation: Automation
    notes: tuple[str, ...] = ()  # source defects kept in the wording, and readings taken
    short: str | None = None  # editorial short name where several rows share one long group name

    @property
    def name(self) -> str:
        """What lists and reports call the indicator: the editorial short name, else the label."""
        return self.short or self.label

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


@dataclass(frozen=True)
class Category:
    id: str
    name: str  # e.g. 组织保障
    points: Decimal
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class Adjustment:
    """A bonus (加分) or penalty (减分) row: events counted outside the 100 points."""

    id: str
    type: AdjustmentType
    name: str  # 加分 / 减分
    content: str  # 考核内容, verbatim
    rules_text: str
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Rubric:
    id: str  # e.g. township-2017
    title: str  # the source table's title, verbatim
    kind: str  # unit kind the rubric scores: township | department
    year: int  # the year the rubric was issued for: "按2017年细则评估"
    total: Decimal  # 100
    categories: tuple[Category, ...]
    adjustments: tuple[Adjustment, ...]
    closing_note: str  # the 说明 under the table, verbatim
    source: str  # provenance of the wording
    notes: tuple[str, ...] = ()
    applies_from: int = 0  # first period (calendar year) the rubric scores
    applies_until: int | None = None  # last period it scores; None: until a newer rubric of its kind supersedes it
    _index: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        index: dict[str, object] = {}
        for cat in self.categories:
            for ind in cat.indicators:
                index[ind.id] = ind
                for rule in ind.rules:
                    index[rule.id] = (ind, rule)
        for adj in self.adjustments:
            index[adj.id] = adj
            for rule in adj.rules:
                index[rule.id] = (adj, rule)
        self._index.update(index)

    @property
    def applied_label(self) -> str:
        """What every output says about the rubric it scored under: 按2017年细则评估."""
        return f"按{self.year}年细则评估"

    @property
    def periods_label(self) -> str:
        """The periods the file states, in words: 2017年起（至被新细则取代） / 2017年至2018年."""
        if self.applies_until is None:
            return f"{self.applies_from}年起（至被新细则取代）"
        if self.applies_until == self.applies_from:
            return f"{self.applies_from}年"
        return f"{self.applies_from}年至{self.applies_until}年"

    def in_force(self, period: int) -> bool:
        """Whether the rubric's stated periods cover ``period`` (a newer rubric may still supersede it)."""
        return self.applies_from <= period and (self.applies_until is None or period <= self.applies_until)

    def bindings(self, check_id: str) -> dict[str, str]:
        """role → rule id for every rule of this rubric that names ``check_id`` (``check: guide.exists``)."""
        out: dict[str, str] = {}
        for owner in self.indicators:
            for rule in owner.rules:
                for binding in rule.checks:
                    cid, role = binding.split(".", 1)
                    if cid == check_id:
                        out[role] = rule.id
        return out

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(ind for cat in self.categories for ind in cat.indicators)

    def indicator(self, indicator_id: str) -> Indicator:
        found = self._index.get(indicator_id)
        if not isinstance(found, Indicator):
            raise KeyError(indicator_id)
        return found

    def find_rule(self, rule_id: str) -> tuple[Indicator | Adjustment, Rule]:
        """The rule with this id and the indicator or bonus/penalty row it belongs to."""
        found = self._index.get(rule_id)
        if not isinstance(found, tuple):
            raise KeyError(rule_id)
        return found

    def has_id(self, some_id: str) -> bool:
        return some_id in self._index
