"""Downloader middlewares of zwgk's crawl: each reads its settings in ``from_crawler`` and switches itself
off with ``NotConfigured``.

- ``RobotsOverrideMiddleware``: robots.txt is obeyed (``ROBOTSTXT_OBEY``) except on hosts listed in
  ``ZWGK_ROBOTS_OVERRIDES`` ({host: reason}); their requests are marked ``dont_obey_robotstxt`` and the
  reason is logged the first time each host is crawled.
- ``LoopbackPolitenessMiddleware``: with ``ZWGK_LOOPBACK_RELAXED`` (crawler.settings.LOOPBACK_PROFILE),
  keeps AutoThrottle from slowing loopback hosts and logs, once per host, that politeness is relaxed there.
- ``BackoffRetryMiddleware``: Scrapy's retries, each one after a wait that doubles.
- ``BodyCapMiddleware``: stops a download at ``ZWGK_MAX_BODY_BYTES`` and keeps what arrived, marked
  ``zwgk_truncated`` in the request meta (evidence up to the cap beats no evidence).
- ``DecompressionCapMiddleware`` (in place of Scrapy's ``HttpCompressionMiddleware``): the same cap on the
  *decompressed* body — a 100 KB gzip answer can inflate to gigabytes — inflating gzip and deflate
  incrementally up to the cap; other encodings are decoded by Scrapy with the cap as their limit.
- ``BudgetMiddleware``: a queued request of a unit whose wall-time budget is spent (the spider's
  ``over_time``) is dropped before it is downloaded (``BudgetExceeded``).
"""

from __future__ import annotations

import logging
import zlib

from scrapy import signals
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured, StopDownload
from scrapy.http import Request, TextResponse
from scrapy.responsetypes import responsetypes
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.task import deferLater

from crawler.settings import LOOPBACK_HOSTS

log = logging.getLogger(__name__)


class RobotsOverrideMiddleware:
    def __init__(self, overrides: dict[str, str]):
        self.overrides = {host.lower(): str(reason) for host, reason in overrides.items()}
        self.announced: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler):
        overrides = crawler.settings.getdict("ZWGK_ROBOTS_OVERRIDES")
        if not crawler.settings.getbool("ROBOTSTXT_OBEY") or not overrides:
            raise NotConfigured
        return cls(overrides)

    def process_request(self, request: Request):
        host = (urlparse_cached(request).hostname or "").lower()
        reason = self.overrides.get(host)
        if reason is None:
            return None
        request.meta["dont_obey_robotstxt"] = True
        if host not in self.announced:
            self.announced.add(host)
            log.warning("主机 %s 不遵守 robots.txt（已配置例外，理由：%s）", host, reason)
        return None


class LoopbackPolitenessMiddleware:
    def __init__(self):
        self.announced: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("ZWGK_LOOPBACK_RELAXED"):
            raise NotConfigured
        return cls()

    def process_request(self, request: Request):
        host = (urlparse_cached(request).hostname or "").lower().strip("[]")
        if host not in LOOPBACK_HOSTS:
            return None
        request.meta["autothrottle_dont_adjust_delay"] = True
        if host not in self.announced:
            self.announced.add(host)
            log.warning("回环地址 %s 放宽了礼貌抓取限制（无间隔、高并发），仅用于测试和演示", host)
        return None


class BackoffRetryMiddleware(RetryMiddleware):
    """Retries as Scrapy does, but the n-th retry waits base × 2^(n-1) seconds (at most ``max``) first."""

    def __init__(self, settings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("ZWGK_RETRY_BACKOFF_BASE")
        self.backoff_max = settings.getfloat("ZWGK_RETRY_BACKOFF_MAX")
        self.stopping = False

    @classmethod
    def from_crawler(cls, crawler):
        mw = super().from_crawler(crawler)
        # a stopping crawl does not sleep before retries (the engine drops them anyway)
        crawler.signals.connect(mw._stop, signal=signals.engine_stopped)
        crawler.signals.connect(mw._stop, signal=signals.spider_closed)
        return mw

    def _stop(self, *args, **kwargs):
        self.stopping = True

    async def _wait(self, result):
        if isinstance(result, Request) and self.backoff_base > 0 and not self.stopping:
            from twisted.internet import reactor  # the one Scrapy installed (importing it earlier installs another)

            attempt = result.meta.get("retry_times", 1)
            delay = min(self.backoff_base * 2 ** (attempt - 1), self.backoff_max)
            await maybe_deferred_to_future(deferLater(reactor, delay, lambda: None))
        return result

    async def process_response(self, request, response, spider=None):
        return await self._wait(super().process_response(request, response))

    async def process_exception(self, request, exception, spider=None):
        return await self._wait(super().process_exception(request, exception))


class BodyCapMiddleware:
    def __init__(self, cap: int):
        self.cap = cap

    @classmethod
    def from_crawler(cls, crawler):
        cap = crawler.settings.getint("ZWGK_MAX_BODY_BYTES")
        if cap <= 0:
            raise NotConfigured
        mw = cls(cap)
        crawler.signals.connect(mw.bytes_received, signal=signals.bytes_received)
        return mw

    def process_request(self, request: Request, spider=None):
        request.meta["zwgk_received"] = 0  # a retry or redirect copies the meta of the first attempt
        return None

    def bytes_received(self, data: bytes, request: Request, spider=None):
        received = request.meta.get("zwgk_received", 0) + len(data)
        request.meta["zwgk_received"] = received
        if received > self.cap:
            raise StopDownload(fail=False)

    def process_response(self, request: Request, response, spider=None):
        if "download_stopped" in response.flags and len(response.body) >= self.cap:
            request.meta["zwgk_truncated"] = True
            return response.replace(body=response.body[: self.cap])
        return response


class DecompressionCapMiddleware(HttpCompressionMiddleware):
    def __init__(self, stats=None, *, crawler=None):
        super().__init__(stats, crawler=crawler)
        self.cap = crawler.settings.getint("ZWGK_MAX_BODY_BYTES") if crawler is not None else 0

    def process_response(self, request: Request, response, spider=None):
        encodings = [e.strip().lower() for v in response.headers.getlist("Content-Encoding") for e in v.split(b",")]
        encodings = [e for e in encodings if e]
        if request.method == "HEAD" or not encodings or self.cap <= 0:
            return super().process_response(request, response)
        if encodings in ([b"gzip"], [b"x-gzip"], [b"deflate"]):
            try:
                body, cut = inflate_capped(response.body, encodings[0], self.cap)
            except zlib.error:
                return super().process_response(request, response)  # Scrapy says what is wrong with it
            if cut:
                request.meta["zwgk_truncated"] = True
            del response.headers["Content-Encoding"]
            respcls = responsetypes.from_args(headers=response.headers, url=response.url, body=body)
            kwargs = {"body": body}
            if issubclass(respcls, TextResponse):
                kwargs["encoding"] = None
            return response.replace(cls=respcls, **kwargs)
        request.meta["download_maxsize"] = min(request.meta.get("download_maxsize") or self.cap, self.cap)
        return super().process_response(request, response)


def inflate_capped(body: bytes, encoding: bytes, cap: int) -> tuple[bytes, bool]:
    """``body`` inflated (gzip members one after another, or deflate with or without its zlib header), at
    most ``cap`` bytes of output; and whether there was more. Never holds more than ``cap`` + one chunk."""
    if encoding == b"deflate":
        wbits_options = (zlib.MAX_WBITS, -zlib.MAX_WBITS)
    else:
        wbits_options = (16 + zlib.MAX_WBITS,)
    for k, wbits in enumerate(wbits_options):
        try:
            return _inflate(body, wbits, cap)
        except zlib.error:
            if k == len(wbits_options) - 1:
                raise
    raise AssertionError("unreachable")


def _inflate(body: bytes, wbits: int, cap: int) -> tuple[bytes, bool]:
    out = bytearray()
    data = body
    while data:
        inflater = zlib.decompressobj(wbits)
        out += inflater.decompress(data, cap + 1 - len(out))
        if len(out) > cap or inflater.unconsumed_tail:
            return bytes(out[:cap]), True
        data = inflater.unused_data if wbits > 16 else b""  # gzip: the next member, if any
    return bytes(out), False


class BudgetExceeded(IgnoreRequest):
    """A queued request of a unit out of its wall-time budget (not downloaded; recorded as cut)."""


class BudgetMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        if crawler.settings.getfloat("ZWGK_UNIT_TIME_BUDGET") <= 0:
            raise NotConfigured
        return cls(crawler)

    def process_request(self, request: Request, spider=None):
        unit = request.meta.get("zwgk_unit")
        over_time = getattr(self.crawler.spider, "over_time", None)
        if unit is not None and over_time is not None and over_time(unit):
            raise BudgetExceeded(f"单位 {unit} 的抓取时间预算已用完，未下载 {request.url}")
        return None
