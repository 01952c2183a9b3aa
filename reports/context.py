"""Typed report contexts, built from plain data only.

A unit's report is built from ``UnitData``: the plain score sheet (``rubrics.export.sheet_to_dict``), the
unit (the registry's dict), the findings the sheet refers to (for evidence links and the could-not-assess
list) and, when known, crawl health. The rubric supplies the table's wording. Nothing here scores:
every number comes from the score sheet; this module only arranges it for templates and spreadsheets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Iterable, Sequence
from zoneinfo import ZoneInfo

from rubrics.model import Adjustment, Indicator, Rubric, RuleKind
from reports.remedies import Remedies

SHANGHAI = ZoneInfo("Asia/Shanghai")
COULD_NOT_ASSESS = "could_not_assess"

# Evidence keys the checks write, and what a reader calls them. Keys holding web addresses become links
# (http and https only); the rest are shown as text.
LINK_LABELS = {
    "url": "证据页面",
    "urls": "相关页面",
    "columns": "检索的栏目",
}
FACT_LABELS = {
    "excerpt": "网页摘录",
    "searched": "检索范围",
    "missing": "缺少",
    "missing_subunits": "缺少的工作部门",
    "published": "发布日期",
    "working_days": "间隔工作日",
    "guides": "指南份数",
    "error": "错误",
    "reason": "原因",
    "policy": "政策文件",
    "interpretation": "解读材料",
    "dates": "日期",
    "deadline": "截止日期",
    "lag_working_days": "间隔工作日",
    "paired_by": "配对依据",
    "uncertain": "未能识别（未计入）",
    "image_only": "仅为图片",
}
# What a key means when it appears inside a nested evidence value.
NESTED_LABELS = {
    **FACT_LABELS, "pages": "页面数", "attachments": "附件数", "kinds": "页面类型", "title": "标题", "date": "日期",
    "policies_found": "政策文件", "interpretations_found": "解读", "work_rules_excluded": "不计入的工作制度",
    "pairing": "配对方法", "guides_found": "办事指南", "records": "页面数", "year": "年度", "years_found": "找到的年度",
    "reports_found": "找到的年报", "hits": "命中", "where": "位置", "id_numbers": "身份证号（已遮盖）",
    "mobiles": "手机号（已遮盖）", "policy": "政策文件", "interpretation": "解读", "url": "网址",
}
# Internals an assessor may want (in the web app) but a unit's report does not: snapshot keys, regexes, the
# element matrix (the lost points already name the missing elements).
HIDDEN_KEYS = frozenset({"snapshot", "patterns", "title_patterns", "matrix", "found", "date_source", "rules_documents"})


def readable(value: object) -> str:
    """A nested evidence value as one line of Chinese text: mappings as 名称：值, lists joined with 、."""
    if isinstance(value, dict):
        parts = [f"{NESTED_LABELS.get(k, k)}：{readable(v)}" for k, v in value.items() if k not in HIDDEN_KEYS]
        return "；".join(parts)
    if isinstance(value, (list, tuple)):
        return "、".join(readable(v) for v in value)
    if value is True:
        return "是"
    if value is False:
        return "否"
    return "—" if value is None else str(value)
# A report's crawl health, in the report's own vocabulary (report.json says "ok", and "unknown" when no crawl is
# stored): ``zwgk.services.reporting`` maps the crawl status (``crawler.status.CrawlStatus``) onto it. Its
# words say more than the tables' (完整/部分/失败): a report is read on its own.
CRAWL_WORDS = {"ok": "正常", "partial": "部分页面未能抓取", "failed": "抓取失败", "unknown": "未知"}


def dec(value: int | float | str | None) -> Decimal | None:
    """A JSON number from the plain score sheet as an exact Decimal (halves are exact in binary)."""
    return None if value is None else Decimal(str(value))


def pts(value: Decimal | int | None) -> str:
    """Points as people write them: 3, 2.5, 97.5 (never 3.0); "" for none."""
    if value is None:
        return ""
    value = Decimal(value)
    return str(int(value)) if value == value.to_integral() else format(value.normalize(), "f")


def local_time(iso: str | None) -> str | None:
    """An ISO timestamp (the store writes UTC) as Beijing time, to the minute."""
    if not iso:
        return None
    try:
        t = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if t.tzinfo is not None:
        t = t.astimezone(SHANGHAI)
    return t.strftime("%Y-%m-%d %H:%M")


def is_web_address(value: object) -> bool:
    return isinstance(value, str) and value.lower().startswith(("http://", "https://"))


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Fact:
    label: str
    text: str


@dataclass(frozen=True)
class Evidence:
    """What the machine saw and what it looked for, arranged for reading."""

    links: tuple[Link, ...]
    facts: tuple[Fact, ...]

    @classmethod
    def from_dict(cls, evidence: dict | None) -> "Evidence":
        links: list[Link] = []
        facts: list[Fact] = []
        other: list[str] = []
        for key, value in (evidence or {}).items():
            if key in HIDDEN_KEYS:
                continue
            values = value if isinstance(value, list) else [value]
            if key in LINK_LABELS:
                for v in values:
                    if is_web_address(v):
                        if all(link.url != v for link in links):
                            links.append(Link(LINK_LABELS[key], v))
                    else:  # never turned into a link: javascript:, data: and the like stay inert text
                        facts.append(Fact(f"{LINK_LABELS[key]}（非网页地址）", str(v)))
            elif key in FACT_LABELS:
                facts.append(Fact(FACT_LABELS[key], readable(value)))
            else:
                other.append(f"{NESTED_LABELS.get(key, key)}：{readable(value)}")
        if other:
            facts.append(Fact("其他证据", "；".join(other)))
        return cls(tuple(links), tuple(facts))


@dataclass(frozen=True)
class DeductionRow:
    """One proposal or manual entry on a unit's sheet, with what it costs and how to fix it."""

    owner_id: str  # indicator id, or the bonus/penalty row's id
    position: str  # "2.2"; "" for bonus/penalty rows
    owner_name: str
    rule_id: str
    rule_text: str
    source: str  # check | manual
    status: str
    status_text: str
    count: int
    count_text: str  # "3项" for counted rules, "" for fixed ones
    amount: Decimal
    confirmed_points: Decimal
    provisional_points: Decimal
    excluded_by: str | None
    subject: str
    message: str
    evidence: Evidence
    evidence_changed: bool
    decided_by: str | None
    decided_at: str | None
    reason: str | None
    remedy: str
    fingerprint: str

    @property
    def is_open(self) -> bool:
        return self.status in ("proposed", "needs_review")

    @property
    def costs(self) -> bool:
        """Loses points in the confirmed or the provisional view."""
        return self.confirmed_points > 0 or self.provisional_points > 0


@dataclass(frozen=True)
class NotApplicable:
    """认定: a whole indicator or one rule is not applicable to this unit for this period."""

    target_id: str
    target_text: str  # "2.7 查询场所" or the rule's words
    reason: str
    by: str
    at: str | None


@dataclass(frozen=True)
class IndicatorRow:
    id: str
    position: str
    group: str | None  # the source's 指标名称 cell; None where the source has none
    label: str
    name: str
    content: str
    rules_text: str
    automation: str
    points: Decimal
    confirmed: Decimal
    provisional: Decimal
    not_applicable: NotApplicable | None
    rules_not_applicable: tuple[NotApplicable, ...]
    notes: tuple[str, ...]  # 说明: the engine's reasons, then rejected deductions
    deductions: tuple[DeductionRow, ...]

    @property
    def lost_confirmed(self) -> Decimal:
        return self.points - self.confirmed

    @property
    def lost_provisional(self) -> Decimal:
        return self.points - self.provisional

    @property
    def lost_items(self) -> tuple[DeductionRow, ...]:
        return tuple(d for d in self.deductions if d.costs)

    @property
    def moot_items(self) -> tuple[DeductionRow, ...]:
        """Deductions that cost nothing because a broader rule of the indicator already applies."""
        return tuple(d for d in self.deductions if d.excluded_by and not d.costs and d.status not in ("rejected", "not_applicable"))

    @property
    def open_count(self) -> int:
        return sum(1 for d in self.deductions if d.is_open)

    @property
    def floored(self) -> bool:
        """The listed deductions add up to more than the indicator loses (扣完为止)."""
        return sum((d.provisional_points for d in self.deductions), Decimal(0)) > self.lost_provisional


@dataclass(frozen=True)
class CategoryRow:
    id: str
    name: str
    points: Decimal
    confirmed: Decimal
    provisional: Decimal
    indicators: tuple[IndicatorRow, ...]


@dataclass(frozen=True)
class AdjustmentRow:
    id: str
    type: str  # bonus | penalty
    name: str
    content: str
    rules_text: str
    confirmed: Decimal
    provisional: Decimal
    entries: tuple[DeductionRow, ...]


@dataclass(frozen=True)
class CouldNotAssess:
    rule_id: str
    position: str
    owner_name: str
    rule_text: str
    subject: str
    message: str
    reason: str | None
    evidence: Evidence


@dataclass(frozen=True)
class CrawlHealth:
    status: str  # ok | partial | failed | unknown
    last_crawl: str | None  # ISO timestamp of the run the findings come from
    note: str | None = None

    def __post_init__(self) -> None:
        if self.status not in CRAWL_WORDS:
            raise ValueError(f"unknown crawl status {self.status!r}")

    @property
    def status_text(self) -> str:
        return CRAWL_WORDS[self.status]

    def to_dict(self) -> dict:
        return {"status": self.status, "last_crawl": self.last_crawl, "note": self.note}


@dataclass(frozen=True)
class UnitData:
    """The plain data a unit report is built from; also what the JSON export writes."""

    sheet: dict  # rubrics.export.sheet_to_dict
    unit: dict  # id, name, kind, site, … as in the units registry
    findings: list = field(default_factory=list)  # findings the sheet refers to, and could-not-assess ones
    crawl: CrawlHealth | None = None
    # information the rubric does not score, as plain tables: {"title", "headers": [...], "rows": [[...]]}
    information: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "unit": self.unit,
            "score_sheet": self.sheet,
            "findings": self.findings,
            "crawl": self.crawl.to_dict() if self.crawl else None,
            "information": self.information,
        }

    @classmethod
    def from_dict(cls, doc: dict) -> "UnitData":
        crawl = doc.get("crawl")
        return cls(
            sheet=doc["score_sheet"],
            unit=doc["unit"],
            findings=list(doc.get("findings") or []),
            crawl=CrawlHealth(**crawl) if crawl else None,
            information=list(doc.get("information") or []),
        )


@dataclass(frozen=True)
class UnitReport:
    unit_id: str
    unit_name: str
    unit_kind: str
    site: str | None
    rubric_id: str
    rubric_title: str
    rubric_applied: str  # 按2017年细则评估
    period: int
    total: Decimal
    subtotal_confirmed: Decimal
    subtotal_provisional: Decimal
    bonus_confirmed: Decimal
    bonus_provisional: Decimal
    penalty_confirmed: Decimal
    penalty_provisional: Decimal
    final_confirmed: Decimal
    final_provisional: Decimal
    open_count: int
    categories: tuple[CategoryRow, ...]
    adjustments: tuple[AdjustmentRow, ...]
    could_not_assess: tuple[CouldNotAssess, ...]
    not_applicable: tuple[NotApplicable, ...]
    crawl: CrawlHealth | None
    closing_note: str
    data: UnitData

    @property
    def indicators(self) -> tuple[IndicatorRow, ...]:
        return tuple(i for c in self.categories for i in c.indicators)

    @property
    def lost(self) -> tuple[IndicatorRow, ...]:
        """Indicators that lose points in either view, in rubric order."""
        return tuple(i for i in self.indicators if i.lost_items)

    @property
    def adjustment_entries(self) -> tuple[tuple[AdjustmentRow, DeductionRow], ...]:
        return tuple((a, e) for a in self.adjustments for e in a.entries)


def report_findings(sheet: dict, findings: Iterable[dict]) -> list[dict]:
    """The findings a unit report needs: those the sheet's deductions refer to, and could-not-assess ones."""
    refs = {
        d["evidence_ref"]
        for c in sheet["categories"]
        for i in c["indicators"]
        for d in i["deductions"]
        if d.get("evidence_ref")
    }
    return [f for f in findings if str(f["id"]) in refs or f["outcome"] == COULD_NOT_ASSESS]


def _count_text(kind: RuleKind, unit: str | None, count: int) -> str:
    return "" if kind is RuleKind.FIXED else f"{count}{unit or ''}"


def _deduction(d: dict, owner: Indicator | Adjustment, rubric: Rubric, evidence: dict | None, remedies: Remedies) -> DeductionRow:
    _, rule = rubric.find_rule(d["rule_id"])
    is_indicator = isinstance(owner, Indicator)
    return DeductionRow(
        owner_id=owner.id,
        position=owner.position if is_indicator else "",
        owner_name=owner.name,
        rule_id=d["rule_id"],
        rule_text=d["rule_text"],
        source=d["source"],
        status=d["status"],
        status_text=d["status_text"],
        count=d["count"],
        count_text=_count_text(rule.kind, rule.unit, d["count"]),
        amount=dec(d["points"]),
        confirmed_points=dec(d["confirmed_points"]),
        provisional_points=dec(d["provisional_points"]),
        excluded_by=d.get("excluded_by"),
        subject=d.get("subject") or "",
        message=d.get("message") or "",
        evidence=Evidence.from_dict(evidence),
        evidence_changed=bool(d.get("evidence_changed")),
        decided_by=d.get("decided_by"),
        decided_at=d.get("decided_at"),
        reason=d.get("reason"),
        remedy=remedies.for_rule(d["rule_id"]) if is_indicator else "",
        fingerprint=d["fingerprint"],
    )


def _target_text(rubric: Rubric, target_id: str) -> str:
    try:
        ind = rubric.indicator(target_id)
        return f"{ind.position} {ind.name}（整个指标）"
    except KeyError:
        owner, rule = rubric.find_rule(target_id)
        return f"{owner.position} {owner.name}：{rule.text}"


def _na(rubric: Rubric, target_id: str, det: dict) -> NotApplicable:
    return NotApplicable(target_id, _target_text(rubric, target_id), det["reason"], det["by"], det.get("at"))


def build_unit_report(data: UnitData, rubric: Rubric, remedies: Remedies) -> UnitReport:
    """Arrange one unit's plain score sheet for the templates and the workbook."""
    sheet, unit = data.sheet, data.unit
    if sheet["rubric_id"] != rubric.id:
        raise ValueError(f"score sheet is for {sheet['rubric_id']}, not {rubric.id}")
    evidence_by_ref = {str(f["id"]): f.get("evidence") for f in data.findings}

    categories = []
    all_na: list[NotApplicable] = []
    for cat in sheet["categories"]:
        rows = []
        for s in cat["indicators"]:
            ind = rubric.indicator(s["id"])
            deductions = tuple(
                _deduction(d, ind, rubric, evidence_by_ref.get(d.get("evidence_ref") or ""), remedies)
                for d in s["deductions"]
            )
            whole = _na(rubric, ind.id, s["not_applicable"]) if s["not_applicable"] else None
            by_rule = tuple(_na(rubric, rid, det) for rid, det in s["not_applicable_rules"].items())
            all_na += ([whole] if whole else []) + list(by_rule)
            rejected = tuple(
                f"已驳回（{d.decided_by}）：{d.rule_text}" + (f"——{d.reason}" if d.reason else "")
                for d in deductions
                if d.status == "rejected"
            )
            rows.append(
                IndicatorRow(
                    id=ind.id,
                    position=ind.position,
                    group=ind.group,
                    label=ind.label,
                    name=ind.name,
                    content=ind.content,
                    rules_text=ind.rules_text,
                    automation=ind.automation.value,
                    points=dec(s["points"]),
                    confirmed=dec(s["confirmed"]),
                    provisional=dec(s["provisional"]),
                    not_applicable=whole,
                    rules_not_applicable=by_rule,
                    notes=tuple(s["reasons"]) + rejected,
                    deductions=deductions,
                )
            )
        categories.append(
            CategoryRow(cat["id"], cat["name"], dec(cat["points"]), dec(cat["confirmed"]), dec(cat["provisional"]), tuple(rows))
        )

    adjustments = []
    for a in sheet["adjustments"]:
        adj = next(x for x in rubric.adjustments if x.id == a["id"])
        adjustments.append(
            AdjustmentRow(
                id=adj.id,
                type=adj.type.value,
                name=adj.name,
                content=adj.content,
                rules_text=adj.rules_text,
                confirmed=dec(a["confirmed"]),
                provisional=dec(a["provisional"]),
                entries=tuple(_deduction(e, adj, rubric, None, remedies) for e in a["entries"]),
            )
        )

    could_not = []
    for f in data.findings:
        if f["outcome"] != COULD_NOT_ASSESS:
            continue
        owner, rule = rubric.find_rule(f["rule_id"])
        evidence = f.get("evidence") or {}
        could_not.append(
            CouldNotAssess(
                rule_id=rule.id,
                position=getattr(owner, "position", ""),
                owner_name=owner.name,
                rule_text=rule.text,
                subject=f.get("subject") or "",
                message=f.get("message") or "",
                reason=evidence.get("reason") or evidence.get("error"),
                evidence=Evidence.from_dict({k: v for k, v in evidence.items() if k not in ("reason", "error")}),
            )
        )

    return UnitReport(
        unit_id=sheet["unit_id"],
        unit_name=sheet.get("unit_name") or unit.get("name") or sheet["unit_id"],
        unit_kind=unit.get("kind", rubric.kind),
        site=unit.get("site"),
        rubric_id=rubric.id,
        rubric_title=rubric.title,
        rubric_applied=rubric.applied_label,
        period=sheet["period"],
        total=dec(sheet["total"]),
        subtotal_confirmed=dec(sheet["subtotal_confirmed"]),
        subtotal_provisional=dec(sheet["subtotal_provisional"]),
        bonus_confirmed=dec(sheet["bonus_confirmed"]),
        bonus_provisional=dec(sheet["bonus_provisional"]),
        penalty_confirmed=dec(sheet["penalty_confirmed"]),
        penalty_provisional=dec(sheet["penalty_provisional"]),
        final_confirmed=dec(sheet["final_confirmed"]),
        final_provisional=dec(sheet["final_provisional"]),
        open_count=sheet["open_count"],
        categories=tuple(categories),
        adjustments=tuple(adjustments),
        could_not_assess=tuple(could_not),
        not_applicable=tuple(all_na),
        crawl=data.crawl,
        closing_note=rubric.closing_note,
        data=data,
    )


# --- ranking and the summary's chart ----------------------------------------------------------------


@dataclass(frozen=True)
class RankRow:
    rank: int
    unit_id: str
    unit_name: str
    final: Decimal
    subtotal: Decimal
    bonus: Decimal
    penalty: Decimal
    open_count: int
    final_provisional: Decimal
    could_not_assess: int


def rank_units(reports: Sequence[UnitReport]) -> list[RankRow]:
    """Units by confirmed final score, best first; equal scores share a rank (1, 1, 3)."""
    ordered = sorted(reports, key=lambda r: (-r.final_confirmed, r.unit_name, r.unit_id))
    rows: list[RankRow] = []
    for n, r in enumerate(ordered, start=1):
        rank = rows[-1].rank if rows and rows[-1].final == r.final_confirmed else n
        rows.append(
            RankRow(
                rank=rank,
                unit_id=r.unit_id,
                unit_name=r.unit_name,
                final=r.final_confirmed,
                subtotal=r.subtotal_confirmed,
                bonus=r.bonus_confirmed,
                penalty=r.penalty_confirmed,
                open_count=r.open_count,
                final_provisional=r.final_provisional,
                could_not_assess=len(r.could_not_assess),
            )
        )
    return rows


@dataclass(frozen=True)
class Bar:
    """One category in the summary chart: its average score over the units, as drawn."""

    label: str
    points: Decimal
    average_confirmed: Decimal
    average_provisional: Decimal
    y: int
    width_confirmed: float  # bar length in SVG units
    width_provisional: float

    @property
    def pending_x(self) -> float:
        """Where the hatched part starts: what open proposals would take away if all were confirmed."""
        return LABEL_WIDTH + self.width_provisional

    @property
    def pending_width(self) -> float:
        return round(self.width_confirmed - self.width_provisional, 1)

    @property
    def rate_confirmed(self) -> int:
        return round(self.average_confirmed / self.points * 100) if self.points else 0

    @property
    def rate_provisional(self) -> int:
        return round(self.average_provisional / self.points * 100) if self.points else 0


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label_width: int
    track_width: int
    bar_height: int
    bars: tuple[Bar, ...]
    ticks: tuple[tuple[int, float], ...]  # (percent, x)


CHART_WIDTH, LABEL_WIDTH, TRACK_WIDTH, ROW, BAR = 760, 150, 420, 40, 22


def category_chart(reports: Sequence[UnitReport]) -> Chart:
    """Average score per category as a share of its points, over the given units of one rubric."""
    n = len(reports)
    bars = []
    for i, cat in enumerate(reports[0].categories if reports else ()):
        scores = [next(c for c in r.categories if c.id == cat.id) for r in reports]
        avg_c = sum((c.confirmed for c in scores), Decimal(0)) / n
        avg_p = sum((c.provisional for c in scores), Decimal(0)) / n
        bars.append(
            Bar(
                label=cat.name,
                points=cat.points,
                average_confirmed=avg_c.quantize(Decimal("0.1")),
                average_provisional=avg_p.quantize(Decimal("0.1")),
                y=30 + i * ROW,
                width_confirmed=round(float(avg_c / cat.points) * TRACK_WIDTH, 1),
                width_provisional=round(float(avg_p / cat.points) * TRACK_WIDTH, 1),
            )
        )
    ticks = tuple((p, LABEL_WIDTH + TRACK_WIDTH * p / 100) for p in (0, 25, 50, 75, 100))
    return Chart(CHART_WIDTH, 30 + len(bars) * ROW + 34, LABEL_WIDTH, TRACK_WIDTH, BAR, tuple(bars), ticks)


@dataclass(frozen=True)
class RubricSummary:
    rubric_id: str
    title: str
    applied: str  # 按2017年细则评估
    units: tuple[UnitReport, ...]  # in ranking order
    ranking: tuple[RankRow, ...]
    chart: Chart

    @property
    def open_total(self) -> int:
        return sum(u.open_count for u in self.units)

    @property
    def could_not_assess_total(self) -> int:
        return sum(len(u.could_not_assess) for u in self.units)


def summarize(reports: Sequence[UnitReport], rubrics: Iterable[Rubric]) -> list[RubricSummary]:
    """One section per rubric (townships and departments are ranked separately), rubrics with units only."""
    rubrics = list(rubrics)
    known = {r.id for r in rubrics}
    stray = sorted({r.rubric_id for r in reports} - known)
    if stray:
        raise ValueError(f"reports for rubrics not given: {', '.join(stray)}")
    out = []
    for rubric in rubrics:
        mine = [r for r in reports if r.rubric_id == rubric.id]
        if not mine:
            continue
        ranking = rank_units(mine)
        by_id = {r.unit_id: r for r in mine}
        out.append(
            RubricSummary(
                rubric_id=rubric.id,
                title=rubric.title,
                applied=rubric.applied_label,
                units=tuple(by_id[row.unit_id] for row in ranking),
                ranking=tuple(ranking),
                chart=category_chart(mine),
            )
        )
    return out
