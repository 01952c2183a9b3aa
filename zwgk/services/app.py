"""Application services: the CLI (and later the web app) call these; tests call them directly."""

from __future__ import annotations

import math
import re
import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from checks.registry import get_rubric, rubric_for, rubrics
from rubrics.engine import Action, ScoreSheet, score
from rubrics.loader import KIND_NAMES
from rubrics.model import Adjustment, Indicator, Rubric, Rule, RuleKind
from zwgk import paths
from zwgk.store.blobs import BlobStore
from zwgk.store.crawl import CrawlStore
from zwgk.store import ANY, Store, evidence_hash, proposals_of

POINTS_TEXT = re.compile(r"[0-9]{1,4}(?:\.[0-9]{1,2})?", re.ASCII)
COUNT_TEXT = re.compile(r"[0-9]{1,7}", re.ASCII)
MAX_EVENTS = 100  # the count cap where the rubric names neither a list nor a cap (bonus/penalty events)
PASSWORD_MIN, PASSWORD_MAX = 12, 128
from zwgk.registry.units import crawl_settings_for, load_host_policies, load_units


class AppError(Exception):
    """A user-facing failure; the message is Chinese."""


class Interrupted(BaseException):
    """A stop signal (SIGINT / SIGTERM) ended a command early: what was stored stays, and the next run of
    the same command continues where this one stopped. The message is Chinese; the exit code is 3. A
    BaseException, like KeyboardInterrupt, so that no ``except Exception`` on the way swallows it."""


def fresh_output_dir(out: Path, marker: str, label: str) -> None:
    """Make ``out`` an empty folder for a command's output: a missing or empty folder is used, an earlier
    output of the same command (it holds ``marker``) is replaced, anything else is refused so that nobody's
    files are overwritten. ``label`` names the output in the message, e.g. 演示 or 自查."""
    if out.exists() and not out.is_dir():
        raise AppError(f"{out} 已存在且不是目录，请换一个 --out")
    if out.is_dir() and any(out.iterdir()):
        if not (out / marker).is_file():
            raise AppError(f"目录 {out} 不是{label}目录，也不是空目录；为免覆盖其中的文件，请换一个 --out")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / marker).write_text(f"zwgk {label} output: the command deletes and rewrites this folder.\n", encoding="utf-8")


def open_store(db: str | Path | None) -> Store:
    return Store.open(Path(db) if db else paths.default_db_path())


def crawl_store(store: Store) -> CrawlStore:
    """The crawl evidence of a database: snapshots live in ``blobs/`` beside the database file."""
    return CrawlStore(store, BlobStore(Path(store.database_file()).parent / "blobs"))


def sync_units(store: Store, units_path: str | Path | None) -> int:
    """Copy the units registry into the store. An explicit path must exist; the default may be absent."""
    path = Path(units_path) if units_path else paths.default_units_path()
    if not units_path and not path.exists():
        return 0
    units = load_units(path)
    store.upsert_units([u.to_dict() for u in units])
    return len(units)


def host_settings(units_path: str | Path | None) -> dict:
    """Crawl settings for the registry's per-host politeness (``hosts:`` in units.yaml), if any."""
    path = Path(units_path) if units_path else paths.default_units_path()
    if not units_path and not path.exists():
        return {}
    return crawl_settings_for(load_host_policies(path))


def unit_or_fail(store: Store, unit_id: str) -> dict:
    unit = store.get_unit(unit_id)
    if unit is None:
        known = "、".join(u["id"] for u in store.list_units()) or "（无；请用 --units 指定单位名录）"
        raise AppError(f"单位 {unit_id} 不在单位名录中。已登记的单位：{known}")
    return unit


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


def unit_findings(store: Store, unit: dict, period: int, rubric: Rubric) -> list[dict]:
    """The unit's current findings for ``period`` under ``rubric``: the stored ones when the latest check
    used that rubric; else the checks run again over the stored page records (no crawl, nothing stored),
    each finding's ``id`` then being its fingerprint."""
    from zwgk.services import checking  # checking builds on this module: imported here, not at the top

    if store.current_rubric_id(unit["id"], period) in (None, rubric.id):
        return store.current_findings(unit["id"], period)
    found = checking.assess(crawl_store(store), unit, period, rubric).findings
    return [{**f, "id": f["fingerprint"], "rubric_id": rubric.id, "evidence_hash": evidence_hash(f["evidence"])}
            for f in found]


def scored(store: Store, unit_id: str, period: int, rubric_id: str | None = None) -> tuple[ScoreSheet, dict, list[dict]]:
    """The unit's score sheet for ``period`` and the findings behind it, under the rubric its findings were
    checked under, or under ``rubric_id`` (re-scored from the stored evidence, see ``unit_findings``), with
    the decisions, manual entries and 认定 that belong to that rubric."""
    unit = unit_or_fail(store, unit_id)
    rubric = rubric_of(unit, period, rubric_id) if rubric_id else current_rubric(store, unit, period)
    findings = unit_findings(store, unit, period, rubric)
    sheet = score(
        rubric,
        unit_id,
        period,
        proposals=proposals_of(findings),
        decisions=store.decisions(unit_id, period),
        manual=[m for m in store.manual_entries(unit_id, period) if rubric.has_id(m.rule_id)],
        determinations=[d for d in store.determinations(unit_id, period) if rubric.has_id(d.target_id)],
    )
    return sheet, unit, findings


def score_unit(store: Store, unit_id: str, period: int, rubric_id: str | None = None) -> tuple[ScoreSheet, dict]:
    sheet, unit, _ = scored(store, unit_id, period, rubric_id)
    return sheet, unit


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
    from zwgk.services.demo import DEMO_USERS  # zwgk.services.demo imports this module

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
