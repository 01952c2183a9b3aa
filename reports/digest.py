"""The nightly digest (HTML and a plain-text part for email): what changed since the previous check run.

The context is plain data arranged by the nightly run (``zwgk.services.nightly``): new and resolved gaps per unit,
crawl trouble (the crawl status with its word from ``crawler.status``), open decisions, decided items whose
evidence changed, and each unit's scores as the score sheet gives them. Nothing here scores or diffs; this module only orders and counts for the template.
Autoescaping is on: whatever a website or a check wrote is shown as text, never run.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from reports.context import pts
from reports.html import ENV


@dataclass(frozen=True)
class GapItem:
    """One finding as the digest lists it."""

    fingerprint: str
    rule_id: str
    owner: str  # "2.5 政策解读" or the bonus/penalty row's name
    rule_text: str
    subject: str
    message: str
    outcome_text: str  # 拟扣分 / 待复核 / 通过 / 不再出现 …
    url: str | None  # the evidence page (http/https only)

    @property
    def short_fingerprint(self) -> str:
        return self.fingerprint[:12]


@dataclass(frozen=True)
class EvidenceChange:
    """A decided item whose current evidence is not what the decision was taken on (证据已变化)."""

    item: GapItem
    decision_text: str  # 已确认 / 已驳回 / …
    decided_by: str | None
    decided_at: str | None
    new_tonight: bool  # the evidence changed in this run (not only flagged earlier)


@dataclass(frozen=True)
class CrawlNote:
    kind: str  # unreachable | blocked | layout_changed | errors | page_cap | no_site | not_crawled
    message: str


@dataclass(frozen=True)
class UnitDigest:
    unit_id: str
    unit_name: str
    crawl_status: str  # complete | partial | failed (crawler.status.CrawlStatus)
    crawl_text: str  # its Chinese word (crawler.status.crawl_status_word)
    crawl_notes: tuple[CrawlNote, ...]
    crawl_new: bool  # the crawl status differs from the unit's previous crawl
    assessed: bool  # False: the checks could not assess the unit (crawl failed)
    first_check: bool  # no earlier check run for this unit and period
    pages: int
    new_gaps: tuple[GapItem, ...]
    resolved_gaps: tuple[GapItem, ...]
    evidence_changed: tuple[EvidenceChange, ...]
    open_count: int
    oldest_open_at: str | None  # when the oldest open proposal was first seen (ISO, UTC)
    final_confirmed: Decimal
    final_provisional: Decimal

    @property
    def crawl_trouble(self) -> bool:
        return self.crawl_status != "complete" or bool(self.crawl_notes)


@dataclass(frozen=True)
class DigestContext:
    period: int
    run_date: str  # YYYY-MM-DD, Beijing time
    generated_at: str  # YYYY-MM-DD HH:MM, Beijing time
    units: tuple[UnitDigest, ...]
    reports_dir: str
    crawl_error: str | None = None  # the whole crawl stopped with an error; checks used stored pages
    link_reports: bool = True  # False in email, where the reports beside the digest are not reachable
    item_limit: int = 50  # items listed per unit and section; the rest are counted

    @property
    def title(self) -> str:
        return f"{self.period}年度政务公开考核每日摘要"

    @property
    def new_total(self) -> int:
        return sum(len(u.new_gaps) for u in self.units)

    @property
    def resolved_total(self) -> int:
        return sum(len(u.resolved_gaps) for u in self.units)

    @property
    def evidence_changed_total(self) -> int:
        return sum(len(u.evidence_changed) for u in self.units)

    @property
    def open_total(self) -> int:
        return sum(u.open_count for u in self.units)

    @property
    def trouble_units(self) -> tuple[UnitDigest, ...]:
        """Units whose crawl failed or had trouble: newly troubled first, then failed before partial."""
        rank = {"failed": 0, "partial": 1}
        troubled = [u for u in self.units if u.crawl_trouble]
        return tuple(sorted(troubled, key=lambda u: (not u.crawl_new, rank.get(u.crawl_status, 2), u.unit_id)))

    @property
    def unassessed_units(self) -> tuple[UnitDigest, ...]:
        return tuple(u for u in self.units if not u.assessed)

    @property
    def open_units(self) -> tuple[UnitDigest, ...]:
        """Units with open decisions, the one waiting longest first."""
        waiting = [u for u in self.units if u.open_count]
        return tuple(sorted(waiting, key=lambda u: (u.oldest_open_at or "9999", -u.open_count, u.unit_id)))


def render_digest(ctx: DigestContext) -> str:
    """The digest as one self-contained HTML page (inline CSS, no scripts)."""
    return ENV.get_template("digest.html").render(d=ctx, generated_at=ctx.generated_at)


def render_digest_text(ctx: DigestContext) -> str:
    """A short plain-text form of the digest: the alternative part of the email."""
    lines = [
        f"{ctx.title}（{ctx.run_date}）",
        "",
        (f"新增问题 {ctx.new_total} 项，已解决 {ctx.resolved_total} 项，证据已变化 {ctx.evidence_changed_total} 项，"
         f"待处理扣分 {ctx.open_total} 项。"),
    ]
    if ctx.crawl_error:
        lines.append(f"抓取出错：{ctx.crawl_error}（检查基于此前已保存的页面）")
    for u in ctx.trouble_units:
        lines.append(f"网站抓取{u.crawl_text}：{u.unit_name}——{'；'.join(n.message for n in u.crawl_notes) or '无说明'}")
    lines.append("")
    for u in ctx.units:
        lines.append(
            f"{u.unit_name}：新增 {len(u.new_gaps)}，已解决 {len(u.resolved_gaps)}，待处理 {u.open_count}，"
            f"已确认得分 {pts(u.final_confirmed)}，暂估得分 {pts(u.final_provisional)}"
        )
    lines += ["", f"完整报告：{ctx.reports_dir}"]
    return "\n".join(lines) + "\n"
