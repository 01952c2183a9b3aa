"""Which rubric applies: the one in force for a unit's kind and a period, the one a command names
(``--rubric``), or the one a stored id (an indicator, a rule) belongs to."""

from __future__ import annotations

from checks.registry import get_rubric, rubric_for, rubrics
from rubrics.loader import KIND_NAMES
from rubrics.model import Indicator, Rubric
from zwgk.services.errors import AppError
from zwgk.store import Store


def rubric_of(unit: dict, period: int, rubric_id: str | None = None) -> Rubric:
    """The rubric that scores ``unit`` for ``period``: ``rubric_id`` when given (``--rubric``), else the
    one in force for the unit's kind and the period (a year without its own rubric: the newest before it)."""
    try:
        rubric = get_rubric(rubric_id) if rubric_id else rubric_for(unit["kind"], period)
    except LookupError as exc:
        raise AppError(str(exc)) from None
    if rubric.kind != unit["kind"]:
        raise AppError(f"考核细则 {rubric.id} 用于{KIND_NAMES.get(rubric.kind, rubric.kind)}，"
                       f"单位 {unit['id']} 是{KIND_NAMES.get(unit['kind'], unit['kind'])}")
    return rubric


def current_rubric(store: Store, unit: dict, period: int) -> Rubric:
    """The rubric the unit's current findings for ``period`` were checked under (``zwgk check --rubric``
    may have chosen one), else the one in force."""
    return rubric_of(unit, period, store.current_rubric_id(unit["id"], period))


def rubric_choice(unit: dict, rubric_ids: tuple[str, ...] | list[str], strict: bool = False) -> str | None:
    """Of the ``--rubric`` ids a command was given (at most one per unit kind), the one for this unit;
    ``strict`` (a command about one unit): an id given for another kind of unit is an error."""
    chosen = []
    for rid in rubric_ids:
        try:
            chosen.append(get_rubric(rid))
        except LookupError as exc:
            raise AppError(str(exc)) from None
    kinds = [r.kind for r in chosen]
    if len(set(kinds)) != len(kinds):
        raise AppError("--rubric 对同一类单位只能指定一个考核细则")
    mine = next((r.id for r in chosen if r.kind == unit["kind"]), None)
    if strict and chosen and mine is None:
        raise AppError(f"考核细则 {chosen[0].id} 用于{KIND_NAMES.get(chosen[0].kind, chosen[0].kind)}，"
                       f"单位 {unit['id']} 是{KIND_NAMES.get(unit['kind'], unit['kind'])}")
    return mine


def _rubric_holding(unit: dict, some_id: str) -> Rubric | None:
    """The rubric of the unit's kind that an indicator or rule id belongs to (ids carry their rubric's id)."""
    return next((r for r in rubrics().values() if r.kind == unit["kind"] and r.has_id(some_id)), None)


def require_rule(unit: dict, period: int, rule_id: str) -> Rubric:
    """The rubric of ``rule_id``: the one in force for the period, or another rubric of the unit's kind
    (a period re-scored with ``--rubric``)."""
    rubric = _rubric_holding(unit, rule_id)
    if rubric is None:
        rubric = rubric_of(unit, period)
        raise AppError(f"规则 {rule_id} 不在考核细则 {rubric.id} 中（用 zwgk rubric show {rubric.id} 查看规则编号）")
    return rubric


def require_target(unit: dict, period: int, target_id: str) -> Rubric:
    """The rubric of an indicator or indicator rule that a determination (认定) may name."""
    rubric = _rubric_holding(unit, target_id)
    if rubric is not None and _indicator_or_its_rule(rubric, target_id):
        return rubric
    rubric = rubric or rubric_of(unit, period)
    raise AppError(f"{target_id} 不是考核细则 {rubric.id} 中的指标或规则编号")


def _indicator_or_its_rule(rubric: Rubric, target_id: str) -> bool:
    try:
        rubric.indicator(target_id)
        return True
    except KeyError:
        pass
    try:
        owner, _ = rubric.find_rule(target_id)
    except KeyError:
        return False
    return isinstance(owner, Indicator)
