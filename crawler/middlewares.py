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
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import NotConfigured, StopDownload
from scrapy.http import Request
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import reactor
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

    async def _wait(self, result):
        if isinstance(result, Request) and self.backoff_base > 0:
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
