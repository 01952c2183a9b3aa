"""The Scrapy item pipeline that persists a crawl: evidence first, then the page record derived from it.

Settings it reads (set by ``zwgk.crawl``): ``ZWGK_DB`` (database path), ``ZWGK_BLOBS`` (snapshot folder),
``ZWGK_RUN_ID`` (the crawl run the responses belong to). A response is stored before anything is derived
from it, so a crash mid-crawl loses at most the record of the page in hand, which re-extraction rebuilds.
"""

from __future__ import annotations

import logging

from scrapy.exceptions import NotConfigured

from crawler.items import FetchedPage, SkippedLink
from crawler.record import EXTRACTOR_VERSION
from zwgk.blobs import BlobStore
from zwgk.crawlstore import CrawlStore
from zwgk.extraction import build_attachment_text, build_record
from zwgk.store import Store

log = logging.getLogger(__name__)


class StorePipeline:
    def __init__(self, db_path: str, blobs_path: str, run_id: int | None):
        self.db_path = db_path
        self.blobs_path = blobs_path
        self.run_id = run_id
        self.crawl_store: CrawlStore | None = None

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.get("ZWGK_DB"):
            raise NotConfigured("ZWGK_DB not set")
        run_id = settings.getint("ZWGK_RUN_ID") or None
        return cls(settings.get("ZWGK_DB"), settings.get("ZWGK_BLOBS"), run_id)

    def open_spider(self) -> None:
        self.crawl_store = CrawlStore(Store.open(self.db_path), BlobStore(self.blobs_path))

    def close_spider(self) -> None:
        if self.crawl_store is not None:
            self.crawl_store.store.close()

    def process_item(self, item):
        cs = self.crawl_store
        if isinstance(item, SkippedLink):
            cs.record_skip(self.run_id, item)
        elif isinstance(item, FetchedPage):
            sha = cs.record_fetch(self.run_id, item)
            if sha and (200 <= item.status < 300 or item.not_modified):
                persist_derived(cs, item.unit_id, item.url, item.final_url, item.role, sha)
        return item


def persist_derived(cs: CrawlStore, unit_id: str, url: str, final_url: str, role: str, sha: str | None) -> None:
    """Derive and store the page record (or attachment text) of a stored snapshot, unless already done."""
    if sha is None:
        return
    if role == "attachment":
        if not cs.has_attachment_text(sha):
            body = cs.snapshot(sha)
            headers = cs.fetch_headers(unit_id, url, sha)
            result = build_attachment_text(final_url or url, headers.get("content-type"), body or b"")
            cs.save_attachment_text(sha, result.status, result.text, result.error)
        return
    if cs.has_record(unit_id, url, sha, EXTRACTOR_VERSION):
        return
    body = cs.snapshot(sha) or b""
    headers = cs.fetch_headers(unit_id, url, sha)
    record = build_record(url, headers, body, role=role, final_url=final_url)
    cs.save_record(unit_id, record)
