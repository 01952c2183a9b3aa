"""What every check shares: the finding it returns, the context it reads, and its declaration.

A check is a pure function of one unit's page records for one period (``CheckContext``) that returns
``Finding``s — one per rule it serves and subject it looks at. Conventions (design.md, "Conventions"):

- ``fail`` only when the evidence itself shows the gap (a report dated after the deadline, a guide whose
  elements are missing); what a check cannot find is ``needs_review``, never ``fail``, and the evidence
  says what was searched (``evidence["searched"]``).
- ``needs_review`` with ``count`` 0 is a review item that proposes no points (evidence an assessor should
  look at for a per-event rule, e.g. 依申请公开 statistics a report does not state).
- A crawl that failed makes every rule the check serves ``could_not_assess`` with the crawl's reason.
- ``could_not_assess`` is also used for a partial rule whose whole-indicator sibling is being proposed
  (no report → its timeliness cannot be judged): it proposes nothing and says why.
- Rules marked ``human_only`` in the rubric are never given ``fail``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from checks.text import label
from crawler.record import PageRecord
from rubrics.engine import Outcome, fingerprint
from rubrics.model import Rubric

CRAWL_STATUSES = ("complete", "partial", "failed")


@dataclass(frozen=True)
class Finding:
    check_id: str
    rule_id: str
    subject: str  # the subject key the check documents (guide URL, "2016年度报告", policy URL …)
    outcome: Outcome
    count: int
    message: str  # Chinese
    evidence: dict[str, Any]  # urls, excerpt, dates, and "searched": what was looked at

    def to_store_dict(self, rubric_id: str, period: int, unit_id: str) -> dict[str, Any]:
        """The dict ``zwgk.store.Store.record_findings`` takes, with the finding's stable fingerprint."""
        return {
            "fingerprint": fingerprint(rubric_id, period, unit_id, self.rule_id, self.subject),
            "rule_id": self.rule_id,
            "check_id": self.check_id,
            "subject": self.subject,
            "outcome": self.outcome.value,
            "count": self.count,
            "message": self.message,
            "evidence": self.evidence,
        }


@dataclass
class CheckContext:
    unit: dict[str, Any]  # id, name, kind, subunits
    period: int  # the assessment year
    rubric: Rubric
    records: list[PageRecord]
    crawl_status: str | None = None  # complete | partial | failed | None (unknown)
    crawl_reason: str | None = None  # Chinese, when the crawl did not complete
    _by_kind: dict[str, list[PageRecord]] | None = field(default=None, init=False, repr=False, compare=False)

    def of_kind(self, kind: str) -> list[PageRecord]:
        if self._by_kind is None:
            index: dict[str, list[PageRecord]] = {}
            for r in self.records:
                index.setdefault(r.kind, []).append(r)
            self._by_kind = index
        return self._by_kind.get(kind, [])

    @property
    def unit_name(self) -> str:
        return self.unit.get("name") or self.unit.get("id") or ""

    @property
    def subunits(self) -> list[str]:
        return list(self.unit.get("subunits") or [])

    def in_period(self, iso: str | None) -> bool:
        return bool(iso) and iso[:4] == str(self.period)

    def searched(self, **what: Any) -> dict[str, Any]:
        """The ``searched`` evidence block: what a check looked at, plus the crawl it looked at."""
        out = {"pages": len(self.records), **what}
        if self.crawl_status and self.crawl_status != "complete":
            out["crawl"] = self.crawl_status + (f"：{self.crawl_reason}" if self.crawl_reason else "")
        return out


Runner = Callable[[CheckContext, dict[str, str]], list[Finding]]


@dataclass(frozen=True)
class Check:
    """A check's declaration: id, Chinese title, the rules it serves per rubric (role → rule id), and its code.

    ``rules`` maps a rubric id to the roles the check fills in that rubric, e.g. ``{"department-2017":
    {"exists": "department-2017.2.2.a", …}}``. A rubric the check does not list gets no findings from it.
    """

    id: str
    title: str
    rules: dict[str, dict[str, str]]
    run: Runner

    @property
    def rule_ids(self) -> list[str]:
        return [rid for roles in self.rules.values() for rid in roles.values()]

    def __call__(self, ctx: CheckContext) -> list[Finding]:
        roles = self.rules.get(ctx.rubric.id)
        if not roles:
            return []
        if ctx.crawl_status == "failed":
            reason = ctx.crawl_reason or "抓取失败"
            return [
                Finding(self.id, rid, self.title, Outcome.COULD_NOT_ASSESS, 0, f"本单位网站抓取失败，无法评估：{reason}",
                        {"searched": ctx.searched(), "crawl_reason": reason})
                for rid in dict.fromkeys(roles.values())
            ]
        findings = self.run(ctx, roles)
        for f in findings:
            if f.rule_id not in roles.values():
                raise ValueError(f"check {self.id} returned a finding on {f.rule_id}, which it does not declare")
            _, rule = ctx.rubric.find_rule(f.rule_id)
            if rule.human_only and f.outcome is Outcome.FAIL:
                raise ValueError(f"check {self.id} gave fail on human-only rule {f.rule_id}")
        return findings


def finding(check_id: str, rule_id: str, subject: str, outcome: Outcome, message: str, count: int | None = None,
            **evidence: Any) -> Finding:
    """Build a finding; ``count`` defaults to 1 for fail/needs_review and 0 otherwise."""
    if count is None:
        count = 1 if outcome in (Outcome.FAIL, Outcome.NEEDS_REVIEW) else 0
    return Finding(check_id, rule_id, subject, outcome, count, message, evidence)


def parse_date(iso: str | None) -> dt.date | None:
    if not iso:
        return None
    try:
        return dt.date.fromisoformat(iso[:10])
    except ValueError:
        return None


def ref(r: PageRecord) -> dict[str, Any]:
    """How evidence points at a page: address, title, date, snapshot key."""
    return {"url": r.url, "title": r.title, "date": r.pub_date, "snapshot": r.body_sha256}


def presence(ctx: CheckContext, check_id: str, rule_id: str, subject: str, pattern, what: str) -> Finding:
    """The common "is a page about X published?" finding: pages whose title/column/breadcrumb match ``pattern``.

    Found → pass with the pages; not found → needs_review naming what was searched (absence is not proof).
    """
    pages = [r for r in ctx.records if pattern.search(label(r))]
    searched = ctx.searched(patterns=[pattern.pattern])
    if pages:
        shown = max(pages, key=lambda r: r.pub_date or "")
        return finding(check_id, rule_id, subject, Outcome.PASS, f"已找到{what}：{shown.title}",
                       urls=[r.url for r in pages[:20]], pages=[ref(r) for r in pages[:20]], found=len(pages), searched=searched)
    return finding(check_id, rule_id, subject, Outcome.NEEDS_REVIEW,
                   f"在抓取的{len(ctx.records)}个页面的标题、栏目和导航中未找到{what}，请人工核实", searched=searched)
