"""A unit's crawl status and its Chinese word: the one vocabulary of crawl outcomes.

``crawler.runner.summary_status`` decides it from a unit's counters (see ``crawler.runner``); the store keeps
its value; the checks read it on their context (``failed``: every rule is ``could_not_assess``); CLI tables,
the nightly summary, the demo summary and the nightly digest show its word (``crawl_status_word``). A table
that deliberately says more keeps its own phrases as a second mapping keyed by ``CrawlStatus``, with its
reason beside it (``zwgk.cli.selfcheck``: a site owner's one-page report explains the status).
"""

from __future__ import annotations

from enum import StrEnum


class CrawlStatus(StrEnum):
    COMPLETE = "complete"  # every disclosure root answered and nothing was cut or failed to download
    PARTIAL = "partial"  # some downloads failed or a budget cut links: what was fetched is assessed
    FAILED = "failed"  # no disclosure root answered: the unit cannot be assessed


CRAWL_STATUS_WORDS = {CrawlStatus.COMPLETE: "完整", CrawlStatus.PARTIAL: "部分", CrawlStatus.FAILED: "失败"}


def crawl_status_word(status: str) -> str:
    """The Chinese word of a crawl status; a value that is none of them is shown as it is."""
    return CRAWL_STATUS_WORDS.get(status, status)
