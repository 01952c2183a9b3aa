"""What the spiders hand to item pipelines: raw responses with how they were reached.

Spiders only navigate: they never judge. The application's pipeline stores the raw bytes as evidence
(content-addressed) and builds the page record with ``crawler.extract``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FetchedPage:
    unit_id: str
    url: str  # requested
    final_url: str  # after redirects
    status: int
    headers: dict[str, str]  # response headers, names lower-cased, first value only
    body: bytes
    role: str  # root | list | detail | attachment (crawler.record.ROLES)
    fetched_at: str  # ISO 8601 UTC, seconds
    depth: int = 0
    referer: str | None = None
    column: str | None = None  # the list column this page was reached from (its title or URL)
    cms: str | None = None  # adapter that parsed the list page it came from
    not_modified: bool = False  # a conditional GET answered 304: body is empty, the stored snapshot stands
    truncated: bool = False  # body cut at the size cap


@dataclass
class SkippedLink:
    """A link the spider saw and did not follow, with the reason (audit of what was searched)."""

    unit_id: str
    url: str
    referer: str | None
    reason: str  # off_scope | not_http | trap | depth | robots | error | known | attachment_too_large | a cut …
    detail: dict = field(default_factory=dict)


# Skip reasons that mean "not crawled for lack of budget" (未抓完): the unit's request budget, its wall-time
# budget, its bounded queue, a column's page cap reached without the pager declaring more. A unit with any
# of them is partial, never a source of deductions for what was not reached.
CUT_REASONS = ("page_cap", "time_budget", "frontier_full", "column_cap")
