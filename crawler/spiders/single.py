"""SingleSpider: fetch one URL once, through the crawl's own downloader settings (``zwgk inspect``).

The request goes through the same middlewares and settings as a unit's crawl (``crawler.settings``):
robots.txt obeyed, zwgk's user agent, the body size cap (``BodyCapMiddleware``) and the download timeout,
with the loopback profile for 127.0.0.1 as in ``crawler.runner``. Redirects are followed by Scrapy's own
middleware (there is no unit scope to check each hop against). Retries are off: inspect fetches once and
says what happened.

``fetch_once(url)`` runs the spider in this process and returns a ``FetchResult``: the response (any
status; the caller decides what a 404 means) or the download failure's kind (``error_kind``: dns,
timeout, connection, too_large, robots, ignored). Twisted's reactor cannot be restarted, so a process can
call it once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

import scrapy

from crawler.settings import LOOPBACK_HOSTS, crawl_settings
from crawler.spiders.disclosure import error_kind

ERROR_STATUSES = list(range(400, 600))


@dataclass
class FetchResult:
    url: str  # requested
    final_url: str | None = None  # after redirects
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)  # names lower-cased, first value only
    body: bytes = b""
    truncated: bool = False  # cut at ZWGK_MAX_BODY_BYTES
    error: str | None = None  # download failure kind (crawler.spiders.disclosure.error_kind)
    message: str | None = None  # the failure's own text, for the error kinds that need it


class SingleSpider(scrapy.Spider):
    name = "single"

    def __init__(self, url: str, **kwargs):
        super().__init__(**kwargs)
        self.url = url
        self.result = FetchResult(url, error="connection", message="未收到任何响应")

    async def start(self):
        yield scrapy.Request(self.url, callback=self.parse, errback=self.on_error, dont_filter=True,
                             meta={"handle_httpstatus_list": ERROR_STATUSES})

    def parse(self, response):
        headers = {k.decode("latin-1").lower(): v[0].decode("latin-1") for k, v in response.headers.items() if v}
        self.result = FetchResult(self.url, final_url=response.url, status=response.status, headers=headers,
                                  body=response.body, truncated=bool(response.meta.get("zwgk_truncated")))

    def on_error(self, failure):
        self.result = FetchResult(self.url, error=error_kind(failure), message=str(failure.value)[:300])


def fetch_settings(url: str, overrides: dict | None = None) -> dict:
    """The crawl's settings for one fetch of ``url``: no logs (the caller reports the outcome), no retries, loopback profile on loopback."""
    loopback = (urlsplit(url).hostname or "") in LOOPBACK_HOSTS
    return crawl_settings({"LOG_LEVEL": "CRITICAL", "RETRY_ENABLED": False, **(overrides or {})}, loopback=loopback)


def fetch_once(url: str, *, settings: dict | None = None) -> FetchResult:
    """Fetch ``url`` once in this process (see the module notes)."""
    from scrapy.crawler import CrawlerProcess

    process = CrawlerProcess(fetch_settings(url, settings))
    crawler = process.create_crawler(SingleSpider)
    process.crawl(crawler, url=url)
    process.start()
    return crawler.spider.result
