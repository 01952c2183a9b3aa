"""The Scrapy item pipeline that persists a crawl: evidence first, then the page record derived from it.

Settings it reads (set by ``zwgk.crawl``): ``ZWGK_DB`` (database path), ``ZWGK_BLOBS`` (snapshot folder),
``ZWGK_RUN_ID`` (the crawl run the responses belong to).

Per response: the body is written to the snapshot store first; its page record (or attachment text) is
built from the bytes in hand — not read back from the snapshot just written; then the fetch row, the URL's
state and the record are written in one transaction.

One record per page: a page's record is understood with the text of its attachments (a service guide or a
report published as a PDF) — when it is built, with the texts already stored, and again whenever one of its
attachments is fetched or its text extracted (``derive_linking``). Checks and reports read that stored
record; none of them understands a page again. ``process_item`` returns (and the spider's resume
journal marks the document done) only after that transaction committed, so a crawl killed at any moment
loses nothing it acknowledged. An extractor error still keeps the evidence (snapshot and fetch row) and is
then raised, so Scrapy reports it and the document is not journaled; ``zwgk reextract`` can rebuild the
record from the snapshot.

Measured alternatives that did not pay on a 2-core machine (benchmarks/crawl_bench.py): a writer thread
(blob files, extraction and SQLite off the reactor), or only the blob files on a thread, cost more in GIL
hand-offs than they saved; with ``synchronous=NORMAL`` (zwgk.store) a group commit (items held up to 50 ms,
acknowledged after their batch committed) saved about 0.02 ms a page of ~0.3 ms of SQLite work: not worth
delaying acknowledgements and holding the write lock longer (assessors write through the web app meanwhile).
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter

from scrapy.exceptions import NotConfigured

from crawler.items import FetchedPage, SkippedLink
from crawler.record import EXTRACTOR_VERSION, PageRecord
from crawler.understand import understand
from zwgk.store.blobs import BlobStore
from zwgk.store.crawl import CrawlStore
from crawler.build import build_attachment_text, build_record
from zwgk.store import Store

log = logging.getLogger(__name__)
progress_log = logging.getLogger("zwgk.crawl.progress")


class StorePipeline:
    """Settings: ZWGK_DB, ZWGK_BLOBS, ZWGK_RUN_ID; ZWGK_PROGRESS_EVERY (pages between progress lines, logged
    in Chinese on the ``zwgk.crawl.progress`` logger, which ``zwgk.services.crawling`` shows to the user)."""

    def __init__(self, db_path: str, blobs_path: str, run_id: int | None, every: int = 50):
        self.db_path = db_path
        self.blobs_path = blobs_path
        self.run_id = run_id
        self.every = every
        self.pages: Counter = Counter()
        self.crawl_store: CrawlStore | None = None

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.get("ZWGK_DB"):
            raise NotConfigured("ZWGK_DB not set")
        run_id = settings.getint("ZWGK_RUN_ID") or None
        return cls(settings.get("ZWGK_DB"), settings.get("ZWGK_BLOBS"), run_id,
                   every=settings.getint("ZWGK_PROGRESS_EVERY", 50))

    def open_spider(self) -> None:
        self.crawl_store = CrawlStore(Store.open(self.db_path), BlobStore(self.blobs_path))

    def close_spider(self) -> None:
        if self.crawl_store is not None:
            self.crawl_store.store.close()
        if self.pages:
            progress_log.info("共保存 %d 个页面（%d 个单位）", sum(self.pages.values()), len(self.pages))

    def process_item(self, item):
        cs = self.crawl_store
        if isinstance(item, SkippedLink):
            cs.record_skip(self.run_id, item)
        elif isinstance(item, FetchedPage):
            store_page(cs, self.run_id, item)
            self.pages[item.unit_id] += 1
            total = sum(self.pages.values())
            if total % self.every == 0:
                progress_log.info("已保存 %d 个页面（%d 个单位）……", total, len(self.pages))
        return item


def store_page(cs: CrawlStore, run_id: int | None, item: FetchedPage) -> str | None:
    """Store one response and what derives from it (see the module's docstring); returns its snapshot's sha256."""
    stored = cs.put_body(item)
    record = attachment_text = error = None
    fresh = bool(stored) and 200 <= item.status < 300  # derived here from the bytes in hand
    if fresh:
        try:
            if item.role == "attachment":
                if not cs.has_attachment_text(stored):
                    attachment_text = build_attachment_text(item.final_url or item.url, item.headers.get("content-type"),
                                                            item.body, truncated=item.truncated)
            elif not cs.has_record(item.unit_id, item.url, stored, EXTRACTOR_VERSION):
                record = build_record(item.url, item.headers, item.body, role=item.role, final_url=item.final_url)
                record = with_stored_attachments(cs, item.unit_id, record)
        except Exception as exc:  # keep the evidence all the same; raised once it is stored
            error = exc
    sha = cs.record_fetch(run_id, item, stored=stored, record=record, attachment_text=attachment_text)
    if item.role == "attachment":  # its state changed (fetched, failed or new text): so may its pages' records
        derive_linking(cs, item.unit_id, item.url)
    if error is not None:
        raise error
    if not fresh and sha and item.not_modified:
        # a 304: the standing snapshot's record, unless already made by this extractor version
        persist_derived(cs, item.unit_id, item.url, item.final_url, item.role, sha)
    return sha


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
            derive_linking(cs, unit_id, url)
        return
    if cs.has_record(unit_id, url, sha, EXTRACTOR_VERSION):
        return
    body = cs.snapshot(sha) or b""
    headers = cs.fetch_headers(unit_id, url, sha)
    record = build_record(url, headers, body, role=role, final_url=final_url)
    cs.save_record(unit_id, with_stored_attachments(cs, unit_id, record))


def with_stored_attachments(cs: CrawlStore, unit_id: str, record: PageRecord) -> PageRecord:
    """A freshly built record, understood again when its attachments already have text in the store."""
    filled = cs.with_attachments(unit_id, record)
    if not any(a.text for a in filled.attachments):
        return record
    return dataclasses.replace(understand(filled), attachments=record.attachments)


def derive_linking(cs: CrawlStore, unit_id: str, attachment_url: str) -> None:
    """An attachment was fetched or its text extracted: the records of the pages that list it are understood
    again with their attachments' current text (or without, when none has text any more) and stored when
    that changes what they are. Their attachment entries stay as extracted; readers fill them in."""
    for record in cs.records_linking(unit_id, attachment_url):
        filled = cs.with_attachments(unit_id, record)
        derived = understand(filled if any(a.text for a in filled.attachments) else record)
        if _understanding(derived) != _understanding(record):
            cs.save_record(unit_id, dataclasses.replace(derived, attachments=record.attachments))


def _understanding(record: PageRecord) -> tuple:
    return record.kind, record.kind_confidence, record.kind_reasons, record.extras
