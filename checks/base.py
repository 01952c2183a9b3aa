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

Which rules a check serves is written in the rubric file, not here: a rule names ``check: guide.exists``
(check id and role). A check declares the roles it offers (``Check.roles``); it runs with the rubric's
bindings, role → rule id, and serves only the roles the rubric binds.

Every finding is about a subject with a stable key (``Subject.key``): ASCII, documented in each check's
docstring, never display text that may be reworded (a URL, a fixed code such as ``disclosure-guide``, a
year). The fingerprint a decision attaches to is built from it; ``Subject.label`` is what people read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from checks.calendar import STATUTORY, WorkingCalendar
from checks.text import label
from crawler.record import PageRecord
from crawler.status import CrawlStatus
from rubrics.model import Outcome, Rubric, fingerprint


@dataclass(frozen=True)
class Subject:
    """What a finding is about: ``key`` is its stable identity (ASCII), ``label`` what people read (Chinese)."""

    key: str
    label: str

    def __post_init__(self) -> None:
        if not self.key or not self.key.isascii() or any(c.isspace() for c in self.key):
            raise ValueError(f"subject key must be non-empty ASCII without spaces: {self.key!r}")


URL_SAFE = ":/?#[]@!$&'()*+,;=%~"  # kept as they are: a URL's own delimiters and existing %-escapes


def url_key(url: str) -> str:
    """A page's address as a subject key: the URL, with anything not ASCII percent-encoded (UTF-8)."""
    return quote(url, safe=URL_SAFE)


def page_subject(url: str) -> Subject:
    """The subject of a finding about one page: keyed by its URL, shown as its URL."""
    return Subject(url_key(url), url)


@dataclass(frozen=True)
class Finding:
    check_id: str
    rule_id: str | None  # None only inside a runner: a role the rubric leaves unbound (``Check`` drops it)
    subject: Subject
    outcome: Outcome
    count: int
    message: str  # Chinese
    evidence: dict[str, Any]  # urls, excerpt, dates, and "searched": what was looked at

    def to_store_dict(self, rubric_id: str, period: int, unit_id: str) -> dict[str, Any]:
        """The dict ``zwgk.store.Store.record_findings`` takes, with the finding's stable fingerprint."""
        return {
            "fingerprint": fingerprint(rubric_id, period, unit_id, self.rule_id, self.subject.key),
            "rule_id": self.rule_id,
            "check_id": self.check_id,
            "subject_key": self.subject.key,
            "subject": self.subject.label,
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
    crawl_status: CrawlStatus | None = None  # None: unknown
    crawl_reason: str | None = None  # Chinese, when the crawl did not complete
    calendar: WorkingCalendar = STATUTORY  # working days; the application passes the one with overrides
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
        if self.crawl_status and self.crawl_status != CrawlStatus.COMPLETE:
            out["crawl"] = self.crawl_status + (f"：{self.crawl_reason}" if self.crawl_reason else "")
        return out


Runner = Callable[[CheckContext, dict[str, str]], list[Finding]]


@dataclass(frozen=True)
class Role:
    """One thing a check can judge, which a rubric rule may bind (``check: guide.exists``)."""

    title: str  # Chinese: what the role judges, listed by `zwgk rubric checks` for rubric authors
    items: bool = False  # counts the bound rule's own ``items`` (the rule must be per_item with a list)


@dataclass(frozen=True)
class Check:
    """A check's declaration: id, Chinese title, the roles it offers, and its code.

    The rubric says which rule each role serves; the runner gets the bound roles (role → rule id) and serves
    exactly those. A rubric that binds none of the check's roles gets no findings from it. A runner may
    build a finding for a role the rubric leaves unbound (``roles.get(role)`` is None): it is dropped. When
    the crawl failed, each bound rule gets one could-not-assess finding whose subject key is the check id.
    """

    id: str
    title: str
    roles: dict[str, Role]
    run: Runner

    def __call__(self, ctx: CheckContext) -> list[Finding]:
        roles = ctx.rubric.bindings(self.id)
        if not roles:
            return []
        unknown = sorted(set(roles) - set(self.roles))
        if unknown:
            raise ValueError(f"rubric {ctx.rubric.id} binds {self.id}.{unknown[0]}, a role the check does not offer")
        if ctx.crawl_status == CrawlStatus.FAILED:
            reason = ctx.crawl_reason or "抓取失败"
            return [
                Finding(self.id, rid, Subject(self.id, self.title), Outcome.COULD_NOT_ASSESS, 0,
                        f"本单位网站抓取失败，无法评估：{reason}", {"searched": ctx.searched(), "crawl_reason": reason})
                for rid in dict.fromkeys(roles.values())
            ]
        findings = [f for f in self.run(ctx, roles) if f.rule_id is not None]
        for f in findings:
            if f.rule_id not in roles.values():
                raise ValueError(f"check {self.id} returned a finding on {f.rule_id}, which the rubric does not bind to it")
            _, rule = ctx.rubric.find_rule(f.rule_id)
            if rule.human_only and f.outcome is Outcome.FAIL:
                raise ValueError(f"check {self.id} gave fail on human-only rule {f.rule_id}")
        return findings


def finding(check_id: str, rule_id: str, subject: Subject, outcome: Outcome, message: str, count: int | None = None,
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


def presence(ctx: CheckContext, check_id: str, rule_id: str, subject: Subject, pattern, what: str) -> Finding:
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
