"""DisclosureSpider: from each unit's disclosure roots, through its columns and their pagination, to the
documents and their attachments. It only navigates: every response becomes a ``FetchedPage``, every link
not followed a ``SkippedLink`` with its reason; what a page says is extraction's business.

Per unit it keeps its own scope, caps, trap detector and de-duplication (two units may list the same
page; each gets its own item), and counts into ``crawler.stats`` under ``zwgk/<unit>/…``:
``requests``, ``pages/<role>``, ``errors/<kind>`` (dns, timeout, connection, too_large, http_4xx,
http_5xx, robots, redirect), ``skips/<reason>``, ``traps/<kind>``, ``roots_ok`` / ``roots_failed``,
``not_modified``, ``truncated``, ``declared_pages`` (the largest page count a pager declared beyond the
column cap) and ``column_page_cap``. ``crawler.runner.unit_summaries`` turns them into complete / partial / failed.

Bounded by construction, whatever a site serves:

- **Lazy pagination.** Each column is a ``ColumnState`` holding its pager's *description* — the latest list
  page's ``next_requests``, a list or a ``crawler.cms.PageRange`` of any length — and a cursor into it. At
  most ``ZWGK_COLUMN_WINDOW`` further pages of a column are requested at a time (one in an incremental
  run); the next one is made when a slot frees. A column stops at ``ZWGK_COLUMN_PAGE_CAP`` list pages; a
  pager declaring more is the trap ``too_many_pages`` (分页过多, with the count). A further page that
  answers 4xx, or lists no entries, ends its column (the pager claimed pages that are not there).
- **Breadth before depth.** ``PRIORITY``: roots, documents, attachments, pages to probe, the first page of
  each column, then further pages, lower the deeper (``_page_priority``): a deep or endless column cannot
  keep another column's first page, or the unit's guide, waiting.
- **Budgets per unit**: requests made (``ZWGK_UNIT_PAGE_CAP``), wall time since the unit's first request
  (``ZWGK_UNIT_TIME_BUDGET``; ``crawler.middlewares.BudgetMiddleware`` also drops queued requests of a unit
  out of time) and requests asked but not answered yet (``ZWGK_UNIT_FRONTIER_CAP``: the queue is bounded).
  What they cut is a skip whose reason is in ``crawler.items.CUT_REASONS``; the unit's crawl is then
  partial. At most ``ZWGK_ACTIVE_UNITS`` units are crawled at a time (``start`` waits for one to finish —
  none of its requests left unanswered — before starting the next), so the whole queue is bounded too
  and a unit's clock starts when it does; if nothing is being downloaded for a while, the units counted
  active are taken as finished (a miscount can slow the gate, never hang the crawl).
- **Traps** are skips ``trap`` with a ``kind``, counted under ``traps/<kind>``: calendar, query_variants,
  repeated_path (``crawler.scope.TrapDetector``), endless_pagination, past_page_count, too_many_pages,
  redirect_loop, redirect_chain, url_too_long (over ``URLLENGTH_LIMIT``, which Scrapy would drop silently); a session id removed from a URL counts as ``traps/session_id``; links past
  ``ZWGK_MAX_DEPTH`` are skips ``depth``.
- Links are read from the first ``ZWGK_MAX_PARSE_BYTES`` of a page (the body is kept up to the body cap);
  an attachment announcing more than ``ZWGK_MAX_ATTACHMENT_BYTES`` is not downloaded (``attachment_too_large``).
- ``stop_scheduling()`` (the runner calls it on SIGINT/SIGTERM): no request is made after it.

Incremental runs (``incremental=True``) fetch list pages every time but a known document (``known``:
{url: {"etag", "last_modified", "sha256"}}) not at all, and walk each column's pages one at a time,
newest first, stopping at the first page whose entries are all known. Without ``incremental``, known
documents are fetched with If-None-Match / If-Modified-Since; a 304 becomes ``FetchedPage(not_modified=True)``.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import Counter
from collections.abc import Sequence
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
from crawler.cms.columns import is_attachment, link_kind, page_links
from crawler.extract.layout import layout_of
from crawler.items import CUT_REASONS, FetchedPage, SkippedLink
from crawler.middlewares import BudgetExceeded
from crawler.scope import TrapDetector, UnitScope, canonicalize, has_session_id
from crawler.spiders.journal import CrawlJournal

log = logging.getLogger(__name__)

# Documents before further list pages: each list page adds ~20 documents, so fetching them first keeps the
# in-memory queue near one list page deep instead of holding every document of the unit (peak RSS). A
# column's further pages come after every column's first page, the deeper the later (down to -DEEPEST).
PRIORITY = {"root": 30, "detail": 20, "attachment": 15, "page": 10, "list": 5}
DEEPEST = 50
UNIT_GATE_CHECK = 5.0  # seconds between looks at an idle downloader while start() waits for a unit to finish
UNIT_GATE_IDLE_CHECKS = 3
REDIRECTS = (301, 302, 303, 307, 308)
META_REFRESH_MAX_DELAY = 10  # seconds; a slower refresh is a page that updates itself, not a redirect
HANDLED_STATUSES = [304, *REDIRECTS, *range(400, 600)]


_DIGITS = re.compile(r"\d+")


@dataclass
class ColumnState:
    """One column of one unit: the list pages asked for, the entries seen, and the pager as the latest list
    page described it (``pager``, read from ``cursor`` on), with ``in_flight`` further pages being fetched."""

    unit: str
    column: str
    title: str | None
    cms: str | None
    depth: int
    pages: set[str] = field(default_factory=set)
    items: set[str] = field(default_factory=set)
    pager: Sequence = ()
    cursor: int = 0
    in_flight: int = 0
    page_count: int | None = None
    too_many: bool = False  # the pager declared more pages than the column cap (recorded once)
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
        self.outstanding: Counter = Counter()  # per unit: requests made, not answered yet
        self.started: dict[str, float] = {}  # per unit: time.monotonic() of its first request
        self.active: set[str] = set()  # units started and not finished
        self._unit_finished: asyncio.Event | None = None
        self.stopping = False

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        s = crawler.settings
        spider.unit_page_cap = s.getint("ZWGK_UNIT_PAGE_CAP")
        spider.unit_time_budget = s.getfloat("ZWGK_UNIT_TIME_BUDGET")
        spider.frontier_cap = s.getint("ZWGK_UNIT_FRONTIER_CAP")
        spider.column_page_cap = s.getint("ZWGK_COLUMN_PAGE_CAP")
        spider.column_window = max(1, s.getint("ZWGK_COLUMN_WINDOW"))
        spider.max_active_units = s.getint("ZWGK_ACTIVE_UNITS")
        spider.url_limit = s.getint("URLLENGTH_LIMIT")
        spider.parse_limit = s.getint("ZWGK_MAX_PARSE_BYTES")
        spider.attachment_max = s.getint("ZWGK_MAX_ATTACHMENT_BYTES")
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

    def _trap(self, unit: str, url: str, referer: str | None, kind: str, **detail) -> SkippedLink | None:
        self._inc(unit, f"traps/{kind}")
        return self._skip(unit, url, referer, "trap", kind=kind, **detail)

    # --- budgets and stopping ----------------------------------------------------------------------

    def stop_scheduling(self) -> None:
        """No request is made from now on (a stop signal): the responses on their way are still handled."""
        self.stopping = True

    def over_time(self, unit: str) -> bool:
        started = self.started.get(unit)
        return started is not None and time.monotonic() - started > self.unit_time_budget

    def _cut(self, unit: str, paged: bool) -> tuple[str, dict] | None:
        """The budget that forbids ``unit`` another request (reason, detail), or None. Further list pages are
        bounded by their columns' windows, not by the frontier cap (nothing would wake a column paused on it)."""
        if self.crawler.stats.get_value(f"zwgk/{unit}/requests", 0) >= self.unit_page_cap:
            return "page_cap", {"cap": self.unit_page_cap}
        if self.over_time(unit):
            return "time_budget", {"budget_s": self.unit_time_budget}
        if not paged and self.outstanding[unit] >= self.frontier_cap:
            return "frontier_full", {"cap": self.frontier_cap}
        return None

    # --- requests ----------------------------------------------------------------------------------

    def _request(self, unit: str, url: str, role: str, *, referer: str | None, depth: int,
                 host_only: bool = False, column: str | None = None, column_title: str | None = None,
                 cms_name: str | None = None, form: dict | None = None, check_traps: bool = True,
                 paged: bool = False, priority: int | None = None):
        """A Request for ``url`` in ``unit``'s crawl, a SkippedLink saying why not, or None (already asked,
        or stopping). ``paged``: a further list page holding a slot of its column's window."""
        if self.stopping:
            return None
        canon = canonicalize(url)
        if canon is None:
            return self._skip(unit, url, referer, "not_http")
        if has_session_id(url):
            self._inc(unit, "traps/session_id")
        reason = self.scopes[unit].reason(canon, host_only=host_only)
        if reason:
            return self._skip(unit, canon, referer, reason)
        if self.url_limit and len(canon) > self.url_limit:
            return self._trap(unit, canon[:500], referer, "url_too_long", length=len(canon))
        key = canon if form is None else canon + "\n" + "&".join(f"{k}={v}" for k, v in sorted(form.items()))
        if key in self.seen[unit]:
            return None
        if check_traps:
            trap = self.traps[unit].check(canon)
            if trap:
                return self._trap(unit, canon, referer, trap)
        if role in ("list", "page") and depth > self.max_depth:
            return self._skip(unit, canon, referer, "depth", depth=depth)
        cut = self._cut(unit, paged)
        if cut:
            return self._skip(unit, canon, referer, cut[0], **cut[1])
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
        if paged:
            meta["zwgk_paged"] = True
        if role == "attachment" and self.attachment_max > 0:
            meta["download_maxsize"] = self.attachment_max  # a larger declared size is refused unread
        self._inc(unit, "requests")
        self.outstanding[unit] += 1
        common = dict(callback=self.parse, errback=self.on_error, meta=meta, headers=headers,
                      priority=PRIORITY[role] if priority is None else priority, dont_filter=True)
        if form is not None:
            return FormRequest(canon, formdata=form, **common)
        return scrapy.Request(canon, **common)

    async def start(self):
        self._unit_finished = asyncio.Event()
        for uid, unit in self.units.items():
            await self._unit_slot()
            if self.stopping:
                return
            self.started[uid] = time.monotonic()
            self.active.add(uid)
            roots = list(unit.get("disclosure_roots") or ([unit["site"]] if unit.get("site") else []))
            if not roots:
                log.error("单位 %s 没有配置信息公开入口（disclosure_roots 或 site），无法抓取", uid)
                self._inc(uid, "errors/no_root")
            for root in roots:
                out = self._request(uid, root, "root", referer=None, depth=0, check_traps=False)
                if out is not None:
                    yield out
            if not self.outstanding[uid]:
                self.active.discard(uid)

    async def _unit_slot(self) -> None:
        """Wait until fewer than ``max_active_units`` units are being crawled."""
        idle = 0
        while 0 < self.max_active_units <= len(self.active) and not self.stopping:
            self._unit_finished.clear()
            try:
                await asyncio.wait_for(self._unit_finished.wait(), UNIT_GATE_CHECK)
            except asyncio.TimeoutError:
                idle = 0 if self.crawler.engine.downloader.active else idle + 1
                if idle >= UNIT_GATE_IDLE_CHECKS:  # nothing on its way: whatever the counts say, they are done
                    self.active.clear()

    def _answered(self, unit: str) -> None:
        """One request of ``unit`` was answered and its callback done; a unit with none left has finished."""
        self.outstanding[unit] -= 1
        if self.outstanding[unit] <= 0 and unit in self.active:
            self.active.discard(unit)
            if self._unit_finished is not None:
                self._unit_finished.set()

    # --- responses ---------------------------------------------------------------------------------

    def parse(self, response):
        try:
            yield from self._parse(response)
        finally:  # after every request the response led to was made
            self._answered(response.meta["zwgk_unit"])

    def _parse(self, response):
        meta = response.meta
        unit, role = meta["zwgk_unit"], meta["zwgk_role"]
        if response.status in REDIRECTS:
            followed = False
            for out in self._redirect(response):
                followed = followed or isinstance(out, scrapy.Request)
                yield out
            if not followed:  # the redirect was refused: the page's slot in its column is free
                yield from self._page_done(meta)
            return
        state = self._release(meta)
        if response.status == 304:
            self._inc(unit, "not_modified")
            self._inc(unit, f"pages/{role}")
            yield self._page(response, role, body=b"", not_modified=True)
            return
        text = self._text(response)
        if role in ("detail", "page") and text is None:
            role = "attachment"
        listing = None
        if text is not None and response.status < 300:
            role, listing = self._role_of(response, text, role)
        if response.status >= 400:
            self._inc(unit, f"errors/http_{response.status // 100}xx")
        if role == "root":
            self._inc(unit, "roots_ok" if response.status < 300 else "roots_failed")
        self._inc(unit, f"pages/{role}")
        if meta.get("zwgk_truncated"):
            self._inc(unit, "truncated")
        yield self._page(response, role, cms_name=listing[0] if listing else None)
        if response.status >= 300 or text is None:
            if state is not None:
                state.stopped = state.stopped or response.status >= 400  # pages past the column's end
                yield from self._fill(state, response.url)
            return
        interval, refresh = get_meta_refresh(text, response.url)
        if refresh and interval is not None and interval <= META_REFRESH_MAX_DELAY:
            yield from self._follow(response, refresh, refresh=True)
        if listing is not None and (role == "list" or listing[1].items or listing[1].next_requests):
            yield from self._list(response, text, *listing)
        elif state is not None:
            yield from self._fill(state, response.url)
        if role == "root":
            yield from self._root_links(response, text)
        if role == "detail":
            yield from self._attachments(response, text)

    def _text(self, response) -> str | None:
        """The page's text for navigation: decoded once, and only its first ``parse_limit`` bytes."""
        if not isinstance(response, TextResponse):
            return None
        if len(response.body) <= self.parse_limit:
            return response.text
        return response.body[: self.parse_limit].decode(response.encoding, errors="replace")

    def _role_of(self, response, text: str, role: str):
        """(role, parsed list or None) from the page itself: a page reached as a link to probe, or as a
        document whose URL is no platform's article URL, is a list when its own layout is a list or both
        (``crawler.extract.layout``) — a column page reached from a list, a 年报 column of year pages — and
        its entries are followed. Roots and columns' list pages are always read for entries and pager."""
        meta = response.meta
        if role in ("page", "detail") and not (role == "detail" and link_kind(response.url) == "article"):
            if layout_of(response.url, text).layout != "document":
                role = "list"
            elif role == "page":
                role = "detail"
        if role not in ("root", "list", "page"):
            return role, None
        return role, cms.parse_list(response.url, text, meta.get("zwgk_form"), cms=meta.get("zwgk_cms"))

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
        if self.stopping:
            return
        canon = canonicalize(target)
        chain = meta.get("zwgk_chain", (meta["zwgk_origin"],)) + (canonicalize(response.url) or response.url,)
        if canon is not None and canon in chain:
            skip = self._trap(unit, canon, meta["zwgk_origin"], "redirect_loop", redirects=len(chain) - 1)
            if skip:
                yield skip
            return
        if meta["zwgk_redirects"] >= self.max_redirects:
            skip = self._trap(unit, target, meta["zwgk_origin"], "redirect_chain", redirects=meta["zwgk_redirects"])
            if skip:
                yield skip
            return
        reason = "not_http" if canon is None else self.scopes[unit].reason(canon, host_only=meta["zwgk_host_only"])
        if reason:
            skip = self._skip(unit, target, meta["zwgk_origin"], reason, redirected_from=meta["zwgk_origin"])
            if skip:
                yield skip
            return
        self._inc(unit, "redirects")
        self.outstanding[unit] += 1
        # only the spider's own keys travel: Scrapy's (download_latency, …) belong to the response
        new_meta = {k: v for k, v in meta.items() if k.startswith("zwgk_")}
        new_meta["zwgk_redirects"] = meta["zwgk_redirects"] + 1
        new_meta["zwgk_chain"] = chain
        new_meta["handle_httpstatus_list"] = HANDLED_STATUSES  # each hop comes back here, not to Scrapy's redirects
        if "download_maxsize" in meta:
            new_meta["download_maxsize"] = meta["download_maxsize"]
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

    def _columns(self, response, text: str, page: cms.ListPage):
        """Column links on a column's first page, except its own entries and the pages of its own pager."""
        meta = response.meta
        unit, depth = meta["zwgk_unit"], meta["zwgk_depth"]
        entries = {i.url for i in page.items}
        pager = page.next_requests
        shapes = {_shape(_url_of(n)) for n in [*pager[:1], *pager[-1:]]}
        for url, label, kind in page_links(response.url, text):
            if kind != "column" or url in entries or _shape(url) in shapes:
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
        state = self.columns.get((unit, column))
        if state is None:
            state = self.columns[(unit, column)] = ColumnState(unit, column, title, cms_name, depth)
        first_page = not state.pages
        state.pages.add(meta["zwgk_origin"])
        state.cms = cms_name
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
        pager = page.next_requests
        all_known = bool(page.items) and all((canonicalize(i.url) or i.url) in self.known for i in page.items)
        if page.items and not new_items:
            # the pager goes on but the entries repeat: endless pagination
            if not state.stopped and len(pager):
                skip = self._trap(unit, _url_of(pager[0]), response.url, "endless_pagination", column=column)
                if skip:
                    yield skip
            state.stopped = True
        elif self.incremental and all_known:
            state.stopped = True
            self._inc(unit, "skips/incremental_stop")
        elif meta.get("zwgk_paged") and not page.items:
            state.stopped = True  # a further page without entries: the column ends here, whatever its pager says
        elif len(pager):
            # judged on the first pager the column shows, when no further page is in flight yet: the list
            # requests it implies (a Hanweb request is a group of pages), reported with its page count
            requests = len(state.pages) + len(pager) if not len(state.pager) else 0
            state.pager, state.cursor = pager, 0
            if requests > self.column_page_cap and not state.too_many:
                declared = max(page.page_count or 0, requests)
                state.too_many = True
                self.crawler.stats.max_value(f"zwgk/{unit}/declared_pages", declared)
                self.crawler.stats.set_value(f"zwgk/{unit}/column_page_cap", self.column_page_cap)
                skip = self._trap(unit, _url_of(pager[-1]), response.url, "too_many_pages", column=column,
                                  declared=declared, cap=self.column_page_cap)
                if skip:
                    yield skip
        yield from self._fill(state, response.url)
        if first_page:
            yield from self._columns(response, text, page)

    def _release(self, meta) -> ColumnState | None:
        """A further list page was answered: its column, with one slot of its window free again."""
        if not meta.get("zwgk_paged"):
            return None
        state = self.columns.get((meta["zwgk_unit"], meta["zwgk_column"]))
        if state is not None:
            state.in_flight -= 1
        return state

    def _page_done(self, meta):
        state = self._release(meta)
        if state is not None:
            yield from self._fill(state, meta["zwgk_origin"])

    def _fill(self, state: ColumnState, referer: str):
        """Request the column's next pages from its pager while its window has room: one page made at a time,
        however many the pager describes."""
        unit = state.unit
        window = 1 if self.incremental else self.column_window
        while not state.stopped and not self.stopping and state.in_flight < window and state.cursor < len(state.pager):
            nxt = state.pager[state.cursor]
            state.cursor += 1
            url = _url_of(nxt)
            canon = canonicalize(url) or url
            if canon in state.pages:
                continue
            if len(state.pages) >= self.column_page_cap:
                state.stopped = True
                if not state.too_many:  # a declared excess is a trap, recorded already; else pages were cut
                    skip = self._skip(unit, canon, referer, "column_cap", column=state.column,
                                      cap=self.column_page_cap)
                    if skip:
                        yield skip
                return
            if state.page_count is not None and isinstance(nxt, str) and len(state.pages) >= state.page_count:
                state.stopped = True
                skip = self._trap(unit, canon, referer, "past_page_count", page_count=state.page_count)
                if skip:
                    yield skip
                return
            form = nxt.form() if isinstance(nxt, cms.PostRequest) else None
            state.pages.add(canon)
            # the column's own pager may live elsewhere on the host (Hanweb's /module/web/jpage/dataproxy.jsp)
            out = self._request(unit, url, "list", referer=referer, depth=state.depth, column=state.column,
                                column_title=state.title, cms_name=state.cms, form=form, check_traps=False,
                                host_only=True, paged=True, priority=_page_priority(len(state.pages)))
            if isinstance(out, scrapy.Request):
                state.in_flight += 1
            elif isinstance(out, SkippedLink) and out.reason in CUT_REASONS:
                state.stopped = True
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
        try:
            yield from self._on_error(failure)
        finally:
            self._answered(failure.request.meta["zwgk_unit"])

    def _on_error(self, failure):
        request = failure.request
        meta = request.meta
        unit, role = meta["zwgk_unit"], meta["zwgk_role"]
        kind = error_kind(failure)
        origin, referer = meta["zwgk_origin"], meta["zwgk_referer"]
        if kind == "time_budget":  # queued when the unit ran out of time: cut, not failed
            skip = self._skip(unit, origin, referer, "time_budget", budget_s=self.unit_time_budget)
        elif kind == "too_large" and role == "attachment":  # the site's file, not a failed crawl
            skip = self._skip(unit, origin, referer, "attachment_too_large", max_bytes=self.attachment_max,
                              message=str(failure.value)[:300])
        else:
            self._inc(unit, f"errors/{kind}")
            if role == "root":
                self._inc(unit, "roots_failed")
            if kind == "robots":
                skip = self._skip(unit, origin, referer, "robots")
            else:
                skip = self._skip(unit, origin, referer, "error", error=kind, message=str(failure.value)[:300])
        if skip:
            yield skip
        yield from self._page_done(meta)


def _url_of(nxt) -> str:
    return nxt.url if isinstance(nxt, cms.PostRequest) else nxt


def _shape(url: str) -> str:
    """A URL with its numbers masked: the pages of one pager share it (index_2.html, index_99999.html)."""
    return _DIGITS.sub("#", url)


def _page_priority(pages: int) -> int:
    """The priority of a column's ``pages``-th list page: below every first page, lower the deeper."""
    return PRIORITY["list"] - min(pages - 1, DEEPEST)


def error_kind(failure) -> str:
    """dns | timeout | too_large | robots | time_budget | ignored | connection, from a download failure."""
    if failure.check(BudgetExceeded):
        return "time_budget"
    if failure.check(CannotResolveHostError, DNSLookupError):
        return "dns"
    if failure.check(DownloadTimeoutError, TxTimeoutError):
        return "timeout"
    if failure.check(DownloadCancelledError):
        return "too_large" if "max size" in str(failure.value) else "connection"
    if failure.check(IgnoreRequest):
        return "robots" if "robots" in str(failure.value).lower() else "ignored"
    return "connection"
