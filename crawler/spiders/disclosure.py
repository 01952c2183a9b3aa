"""DisclosureSpider: from each unit's disclosure roots, through its columns and their pagination, to the
documents and their attachments. It only navigates: every response becomes a ``FetchedPage``, every link
not followed a ``SkippedLink`` with its reason; what a page says is extraction's business.

Per unit it keeps its own scope, caps, trap detector and de-duplication (two units may list the same
page; each gets its own item), and counts into ``crawler.stats`` under ``zwgk/<unit>/…``:
``requests``, ``pages/<role>``, ``errors/<kind>`` (dns, timeout, connection, too_large, http_4xx,
http_5xx, robots, redirect), ``skips/<reason>``, ``roots_ok`` / ``roots_failed``, ``not_modified``,
``truncated``. ``crawler.runner.unit_summaries`` turns them into complete / partial / failed.

Incremental runs (``incremental=True``) fetch list pages every time but a known document (``known``:
{url: {"etag", "last_modified", "sha256"}}) not at all, and walk each column's pages one at a time,
newest first, stopping at the first page whose entries are all known. Without ``incremental``, known
documents are fetched with If-None-Match / If-Modified-Since; a 304 becomes ``FetchedPage(not_modified=True)``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urljoin

import scrapy
from scrapy import signals
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import FormRequest, TextResponse
from twisted.internet.error import DNSLookupError, TimeoutError as TxTimeoutError
from w3lib.html import get_meta_refresh

from crawler import cms
from crawler.cms.columns import is_attachment, page_links
from crawler.items import FetchedPage, SkippedLink
from crawler.scope import TrapDetector, UnitScope, canonicalize, has_session_id
from crawler.spiders.journal import CrawlJournal

log = logging.getLogger(__name__)

# Documents before further list pages: each list page adds ~20 documents, so fetching them first keeps the
# in-memory queue near one list page deep instead of holding every document of the unit (peak RSS).
PRIORITY = {"root": 30, "detail": 20, "attachment": 15, "page": 10, "list": 5}
REDIRECTS = (301, 302, 303, 307, 308)
META_REFRESH_MAX_DELAY = 10  # seconds; a slower refresh is a page that updates itself, not a redirect
HANDLED_STATUSES = [304, *REDIRECTS, *range(400, 600)]
LIST_MIN_ITEMS = 5  # a probed page with this many dated entries (or a pager) is a list page


@dataclass
class ColumnState:
    """One column of one unit: the pages asked for, the entries seen, what is left (incremental walk)."""

    pages: set[str] = field(default_factory=set)
    items: set[str] = field(default_factory=set)
    pending: list = field(default_factory=list)
    page_count: int | None = None
    stopped: bool = False


class DisclosureSpider(scrapy.Spider):
    name = "disclosure"

    def __init__(self, units: list[dict], known: dict | None = None, incremental: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.units = {u["id"]: u for u in units}
        self.known = {canonicalize(url) or url: meta or {} for url, meta in (known or {}).items()}
        self.incremental = incremental
        self.scopes = {
            uid: UnitScope(u.get("disclosure_roots") or ([u["site"]] if u.get("site") else []), u.get("scopes") or [])
            for uid, u in self.units.items()
        }
        self.seen: dict[str, set[str]] = {uid: set() for uid in self.units}
        self.skipped: dict[str, set[tuple[str, str]]] = {uid: set() for uid in self.units}
        self.columns: dict[tuple[str, str], ColumnState] = {}
        self.journal: CrawlJournal | None = None
        self.traps: dict[str, TrapDetector] = {}

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        s = crawler.settings
        spider.unit_page_cap = s.getint("ZWGK_UNIT_PAGE_CAP")
        spider.column_page_cap = s.getint("ZWGK_COLUMN_PAGE_CAP")
        spider.max_depth = s.getint("ZWGK_MAX_DEPTH")
        spider.max_redirects = s.getint("REDIRECT_MAX_TIMES")
        spider.traps = {
            uid: TrapDetector(
                calendar_variants=s.getint("ZWGK_TRAP_CALENDAR_VARIANTS"),
                query_variants=s.getint("ZWGK_TRAP_QUERY_VARIANTS"),
                repeated_segments=s.getint("ZWGK_TRAP_REPEATED_SEGMENTS"),
            )
            for uid in spider.units
        }
        if s.get("ZWGK_JOB_DIR"):
            spider.journal = CrawlJournal(s.get("ZWGK_JOB_DIR"))
            crawler.signals.connect(spider._item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        return spider

    # --- bookkeeping -------------------------------------------------------------------------------

    def _inc(self, unit: str, key: str, n: int = 1) -> None:
        self.crawler.stats.inc_value(f"zwgk/{unit}/{key}", n)

    def _skip(self, unit: str, url: str, referer: str | None, reason: str, **detail) -> SkippedLink | None:
        self._inc(unit, f"skips/{reason}")
        if (url, reason) in self.skipped[unit]:
            return None
        self.skipped[unit].add((url, reason))
        return SkippedLink(unit_id=unit, url=url, referer=referer, reason=reason, detail=detail)

    def _item_scraped(self, item, response=None, spider=None):
        if isinstance(item, FetchedPage) and item.role in ("detail", "attachment") and item.status < 500:
            self.journal.mark(f"{item.unit_id} {item.url}")

    def _closed(self, spider=None, reason=None):
        if self.journal is not None:
            self.journal.close()

    # --- requests ----------------------------------------------------------------------------------

    def _request(self, unit: str, url: str, role: str, *, referer: str | None, depth: int,
                 host_only: bool = False, column: str | None = None, column_title: str | None = None,
                 cms_name: str | None = None, form: dict | None = None, check_traps: bool = True):
        """A Request for ``url`` in ``unit``'s crawl, a SkippedLink saying why not, or None (already asked)."""
        canon = canonicalize(url)
        if canon is None:
            return self._skip(unit, url, referer, "not_http")
        if has_session_id(url):
            self._inc(unit, "trap/session_id_removed")
        reason = self.scopes[unit].reason(canon, host_only=host_only)
        if reason:
            return self._skip(unit, canon, referer, reason)
        key = canon if form is None else canon + "\n" + "&".join(f"{k}={v}" for k, v in sorted(form.items()))
        if key in self.seen[unit]:
            return None
        if check_traps:
            trap = self.traps[unit].check(canon)
            if trap:
                return self._skip(unit, canon, referer, "trap", kind=trap)
        if role in ("list", "page") and depth > self.max_depth:
            return self._skip(unit, canon, referer, "depth", depth=depth)
        if self.crawler.stats.get_value(f"zwgk/{unit}/requests", 0) >= self.unit_page_cap:
            return self._skip(unit, canon, referer, "page_cap", cap=self.unit_page_cap)
        self.seen[unit].add(key)
        known = self.known.get(canon) if role in ("detail", "attachment", "page") else None
        if known is not None and self.incremental:
            return self._skip(unit, canon, referer, "known")
        if self.journal is not None and role in ("detail", "attachment", "page") and f"{unit} {canon}" in self.journal:
            self._inc(unit, "skips/resumed")
            return None
        headers = {}
        if known:
            if known.get("etag"):
                headers["If-None-Match"] = known["etag"]
            if known.get("last_modified"):
                headers["If-Modified-Since"] = known["last_modified"]
        meta = {
            "zwgk_unit": unit, "zwgk_role": role, "zwgk_depth": depth, "zwgk_referer": referer,
            "zwgk_host_only": host_only, "zwgk_column": column, "zwgk_column_title": column_title,
            "zwgk_cms": cms_name, "zwgk_form": form, "zwgk_origin": canon, "zwgk_redirects": 0,
            "handle_httpstatus_list": HANDLED_STATUSES,
        }
        self._inc(unit, "requests")
        common = dict(callback=self.parse, errback=self.on_error, meta=meta, headers=headers,
                      priority=PRIORITY[role], dont_filter=True)
        if form is not None:
            return FormRequest(canon, formdata=form, **common)
        return scrapy.Request(canon, **common)

    async def start(self):
        for uid, unit in self.units.items():
            roots = list(unit.get("disclosure_roots") or ([unit["site"]] if unit.get("site") else []))
            if not roots:
                log.error("单位 %s 没有配置信息公开入口（disclosure_roots 或 site），无法抓取", uid)
                self._inc(uid, "errors/no_root")
            for root in roots:
                out = self._request(uid, root, "root", referer=None, depth=0, check_traps=False)
                if out is not None:
                    yield out

    # --- responses ---------------------------------------------------------------------------------

    def parse(self, response):
        meta = response.meta
        unit, role = meta["zwgk_unit"], meta["zwgk_role"]
        if response.status in REDIRECTS:
            yield from self._redirect(response)
            return
        if response.status == 304:
            self._inc(unit, "not_modified")
            self._inc(unit, f"pages/{role}")
            yield self._page(response, role, body=b"", not_modified=True)
            return
        text = response.text if isinstance(response, TextResponse) else None
        if role in ("detail", "page") and text is None:
            role = "attachment"
        listing = None
        if role in ("root", "list", "page") and text is not None and response.status < 300:
            listing = cms.parse_list(response.url, text, meta.get("zwgk_form"), cms=meta.get("zwgk_cms"))
            if role == "page":
                _name, found = listing
                role = "list" if found.next_requests or len(found.items) >= LIST_MIN_ITEMS else "detail"
                if role == "detail":
                    listing = None
        if response.status >= 400:
            self._inc(unit, f"errors/http_{response.status // 100}xx")
        if role == "root":
            self._inc(unit, "roots_ok" if response.status < 300 else "roots_failed")
        self._inc(unit, f"pages/{role}")
        if meta.get("zwgk_truncated"):
            self._inc(unit, "truncated")
        yield self._page(response, role, cms_name=listing[0] if listing else None)
        if response.status >= 300 or text is None:
            return
        interval, refresh = get_meta_refresh(text, response.url)
        if refresh and interval is not None and interval <= META_REFRESH_MAX_DELAY:
            yield from self._follow(response, refresh, refresh=True)
        if listing is not None and (role == "list" or listing[1].items or listing[1].next_requests):
            yield from self._list(response, text, *listing)
        if role == "root":
            yield from self._root_links(response, text)
        if role == "detail":
            yield from self._attachments(response, text)

    def _page(self, response, role: str, *, body: bytes | None = None, not_modified: bool = False,
              cms_name: str | None = None) -> FetchedPage:
        meta = response.meta
        headers = {k.decode("latin-1").lower(): v[0].decode("latin-1") for k, v in response.headers.items() if v}
        return FetchedPage(
            unit_id=meta["zwgk_unit"], url=meta["zwgk_origin"], final_url=response.url,
            status=response.status, headers=headers, body=response.body if body is None else body, role=role,
            fetched_at=datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
            depth=meta["zwgk_depth"], referer=meta["zwgk_referer"],
            column=meta.get("zwgk_column_title") or meta.get("zwgk_column"),
            cms=cms_name or meta.get("zwgk_cms"), not_modified=not_modified,
            truncated=bool(meta.get("zwgk_truncated")),
        )

    def _redirect(self, response):
        location = response.headers.get("Location")
        if not location:
            self._inc(response.meta["zwgk_unit"], "errors/redirect")
            return
        yield from self._follow(response, urljoin(response.url, location.decode("latin-1")))

    def _follow(self, response, target: str, *, refresh: bool = False):
        """Follow an HTTP or meta-refresh redirect like any link: scope-checked, capped, counted. An HTTP
        redirect's target is recorded under the requested URL; a meta refresh's target is a page of its own
        (the refreshing page was already recorded)."""
        meta = response.meta
        unit = meta["zwgk_unit"]
        if meta["zwgk_redirects"] >= self.max_redirects:
            self._inc(unit, "errors/redirect")
            skip = self._skip(unit, target, meta["zwgk_origin"], "redirect_cap", redirects=meta["zwgk_redirects"])
            if skip:
                yield skip
            return
        canon = canonicalize(target)
        reason = "not_http" if canon is None else self.scopes[unit].reason(canon, host_only=meta["zwgk_host_only"])
        if reason:
            skip = self._skip(unit, target, meta["zwgk_origin"], reason, redirected_from=meta["zwgk_origin"])
            if skip:
                yield skip
            return
        self._inc(unit, "redirects")
        # only the spider's own keys travel: Scrapy's (download_latency, …) belong to the response
        new_meta = {k: v for k, v in meta.items() if k.startswith("zwgk_")}
        new_meta["zwgk_redirects"] = meta["zwgk_redirects"] + 1
        if refresh:
            new_meta["zwgk_origin"] = canon
        # the target keeps the origin's method only for 307/308 (as browsers do)
        if response.status in (307, 308):
            yield response.request.replace(url=canon, meta=new_meta)
        else:
            yield scrapy.Request(canon, callback=self.parse, errback=self.on_error, meta=new_meta,
                                 priority=response.request.priority, dont_filter=True)

    def _root_links(self, response, text: str):
        meta = response.meta
        unit, depth = meta["zwgk_unit"], meta["zwgk_depth"]
        for url, label, kind in page_links(response.url, text):
            role = {"attachment": "attachment", "article": "detail", "column": "list", "page": "page"}[kind]
            out = self._request(unit, url, role, referer=response.url, depth=depth + 1,
                                column=url if role == "list" else None, column_title=label or None,
                                host_only=role in ("detail", "attachment"))
            if out is not None:
                yield out

    def _columns(self, response, text: str, exclude: set[str]):
        meta = response.meta
        unit, depth = meta["zwgk_unit"], meta["zwgk_depth"]
        for url, label, kind in page_links(response.url, text):
            if kind != "column" or url in exclude:
                continue
            out = self._request(unit, url, "list", referer=response.url, depth=depth + 1, column=url,
                                column_title=label or None)
            if out is not None:
                yield out

    def _list(self, response, text: str, cms_name: str, page: cms.ListPage):
        meta = response.meta
        unit, depth = meta["zwgk_unit"], meta["zwgk_depth"]
        column = meta.get("zwgk_column") or meta["zwgk_origin"]
        title = meta.get("zwgk_column_title")
        state = self.columns.setdefault((unit, column), ColumnState())
        first_page = not state.pages
        state.pages.add(meta["zwgk_origin"])
        if page.page_count:
            state.page_count = max(state.page_count or 0, page.page_count)
        new_items = [i for i in page.items if i.url not in state.items]
        for item in page.items:
            state.items.add(item.url)
            role = "attachment" if is_attachment(item.url) else "detail"
            out = self._request(unit, item.url, role, referer=response.url, depth=depth + 1, host_only=True,
                                column=column, column_title=title, cms_name=cms_name)
            if out is not None:
                yield out
        all_known = bool(page.items) and all((canonicalize(i.url) or i.url) in self.known for i in page.items)
        if page.items and not new_items:
            # the pager goes on but the entries repeat: endless pagination
            state.stopped = True
            for nxt in page.next_requests + state.pending:
                skip = self._skip(unit, _url_of(nxt), response.url, "trap", kind="endless_pagination")
                if skip:
                    yield skip
            state.pending = []
        elif self.incremental and all_known:
            state.stopped = True
            self._inc(unit, "skips/incremental_stop")
            state.pending = []
        if not state.stopped:
            fresh = [n for n in page.next_requests if n not in state.pending]
            state.pending.extend(fresh)
            batch, state.pending = (state.pending[:1], state.pending[1:]) if self.incremental else (state.pending, [])
            for nxt in batch:
                yield from self._next_page(response, state, unit, column, title, cms_name, depth, nxt)
        if first_page:
            exclude = {i.url for i in page.items} | {_url_of(n) for n in page.next_requests}
            yield from self._columns(response, text, exclude)

    def _next_page(self, response, state: ColumnState, unit, column, title, cms_name, depth, nxt):
        url = _url_of(nxt)
        if (canonicalize(url) or url) in state.pages:
            return
        if len(state.pages) >= self.column_page_cap:
            skip = self._skip(unit, url, response.url, "page_cap", column_cap=self.column_page_cap)
            if skip:
                yield skip
            return
        if state.page_count is not None and isinstance(nxt, str) and len(state.pages) >= state.page_count:
            skip = self._skip(unit, url, response.url, "trap", kind="past_page_count", page_count=state.page_count)
            if skip:
                yield skip
            return
        form = nxt.form() if isinstance(nxt, cms.PostRequest) else None
        state.pages.add(canonicalize(url) or url)
        # the column's own pager may live elsewhere on the host (Hanweb's /module/web/jpage/dataproxy.jsp)
        out = self._request(unit, url, "list", referer=response.url, depth=depth, column=column,
                            column_title=title, cms_name=cms_name, form=form, check_traps=False, host_only=True)
        if out is not None:
            yield out

    def _attachments(self, response, text: str):
        meta = response.meta
        unit = meta["zwgk_unit"]
        for url, _label, kind in page_links(response.url, text):
            if kind != "attachment":
                continue
            out = self._request(unit, url, "attachment", referer=response.url, depth=meta["zwgk_depth"] + 1,
                                host_only=True, column=meta.get("zwgk_column"),
                                column_title=meta.get("zwgk_column_title"))
            if out is not None:
                yield out

    # --- failures ----------------------------------------------------------------------------------

    def on_error(self, failure):
        request = failure.request
        meta = request.meta
        unit = meta["zwgk_unit"]
        kind = error_kind(failure)
        self._inc(unit, f"errors/{kind}")
        if meta["zwgk_role"] == "root":
            self._inc(unit, "roots_failed")
        if kind == "robots":
            skip = self._skip(unit, meta["zwgk_origin"], meta["zwgk_referer"], "robots")
        else:
            skip = self._skip(unit, meta["zwgk_origin"], meta["zwgk_referer"], "error", error=kind,
                              message=str(failure.value)[:300])
        if skip:
            yield skip


def _url_of(nxt) -> str:
    return nxt.url if isinstance(nxt, cms.PostRequest) else nxt


def error_kind(failure) -> str:
    """dns | timeout | too_large | robots | ignored | connection, from a download failure."""
    if failure.check(CannotResolveHostError, DNSLookupError):
        return "dns"
    if failure.check(DownloadTimeoutError, TxTimeoutError):
        return "timeout"
    if failure.check(DownloadCancelledError):
        return "too_large" if "max size" in str(failure.value) else "connection"
    if failure.check(IgnoreRequest):
        return "robots" if "robots" in str(failure.value).lower() else "ignored"
    return "connection"
