"""The one home of zwgk's crawl defaults. Each setting says why it has its value.

``DEFAULTS`` is what every crawl starts from (the runner layers a caller's settings on top).
``LOOPBACK_PROFILE`` relaxes politeness for 127.0.0.1 / localhost / ::1 only — tests and ``zwgk demo``
serve sites there — through per-host download slots, so a real host in the same crawl keeps the polite
defaults; ``crawler.middlewares.LoopbackPolitenessMiddleware`` logs when it is in effect.
"""

from __future__ import annotations

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")

DEFAULTS: dict = {
    "BOT_NAME": "zwgk",
    # Say who we are: site operators can see (and contact) the assessment office behind the traffic.
    "USER_AGENT": "zwgk/0.1 (政务公开考核辅助系统)",
    # Obey robots.txt by default; a deployment may override it for named hosts, with a reason that is
    # logged whenever the override is used: {"www.example.gov.cn": "市政务公开办书面同意（2017-03）"}.
    "ROBOTSTXT_OBEY": True,
    "ZWGK_ROBOTS_OVERRIDES": {},
    # Politeness is per host (Scrapy's download slots are keyed by host): many units of one county share
    # the city's intensive platform, so two requests at a time and half a second apart *per host*.
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    "DOWNLOAD_DELAY": 0.5,
    "DOWNLOAD_DELAY_JITTER": 0.5,
    # AutoThrottle backs off further when a county server is slow; it never goes below DOWNLOAD_DELAY.
    "AUTOTHROTTLE_ENABLED": True,
    "AUTOTHROTTLE_START_DELAY": 1.0,
    "AUTOTHROTTLE_MAX_DELAY": 30.0,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
    # Retries for timeouts, dropped connections and 5xx, each waiting longer (crawler.middlewares
    # .BackoffRetryMiddleware): base × 2^(attempt-1), at most ZWGK_RETRY_BACKOFF_MAX seconds.
    "RETRY_ENABLED": True,
    "RETRY_TIMES": 2,
    "ZWGK_RETRY_BACKOFF_BASE": 2.0,
    "ZWGK_RETRY_BACKOFF_MAX": 60.0,
    "DOWNLOADER_MIDDLEWARES": {
        # first of all: a unit out of time downloads nothing more, not even robots.txt
        "crawler.middlewares.BudgetMiddleware": 50,
        "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
        "crawler.middlewares.BackoffRetryMiddleware": 550,
        # the body cap applies to decompressed bodies too (a gzip bomb is cut, not inflated)
        "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
        "crawler.middlewares.DecompressionCapMiddleware": 590,
        # before RobotsTxtMiddleware (100): marks overridden hosts' requests dont_obey_robotstxt
        "crawler.middlewares.RobotsOverrideMiddleware": 90,
        "crawler.middlewares.LoopbackPolitenessMiddleware": 95,
        # outermost on the response side: cuts the body before anything else reads it
        "crawler.middlewares.BodyCapMiddleware": 960,
    },
    # County servers are slow but a page that takes a minute is a failure worth reporting.
    "DOWNLOAD_TIMEOUT": 30,
    # Bodies are kept as evidence up to ZWGK_MAX_BODY_BYTES (the rest is cut and the page marked
    # truncated); a response announcing more than DOWNLOAD_MAXSIZE is refused outright.
    "ZWGK_MAX_BODY_BYTES": 20 * 1024 * 1024,
    "DOWNLOAD_MAXSIZE": 100 * 1024 * 1024,
    "DOWNLOAD_WARNSIZE": 10 * 1024 * 1024,
    # Links are read from the first 4 MB of a page: a real list page is well under 1 MB, and a 20 MB page of
    # links would otherwise queue hundreds of thousands of requests.
    "ZWGK_MAX_PARSE_BYTES": 4 * 1024 * 1024,
    # An attachment announcing a larger size is not downloaded (附件过大); one that does not announce its size
    # is cut at ZWGK_MAX_BODY_BYTES and its text not extracted.
    "ZWGK_MAX_ATTACHMENT_BYTES": 20 * 1024 * 1024,
    # Budgets per unit (crawler.spiders.disclosure): requests in all; wall time from its first request (a
    # polite crawl of a 20,000-page unit on a shared host takes about 3 hours); requests asked and not yet
    # answered (the queue: documents are fetched before further list pages, so a real unit stays far below).
    # What a budget cuts is recorded (未抓完) and the unit's crawl is partial.
    "ZWGK_UNIT_PAGE_CAP": 20000,
    "ZWGK_UNIT_TIME_BUDGET": 4 * 3600,
    "ZWGK_UNIT_FRONTIER_CAP": 5000,
    # Units crawled at a time: the next one starts when one has finished, so the queue of the whole crawl is
    # bounded (a province's 7,000 units do not all queue their roots' links at once) and a unit's time budget
    # starts when it does. Many units share a host, so this many keep every host of a county busy.
    "ZWGK_ACTIVE_UNITS": 100,
    # Per column: list pages in all (a pager declaring more is the trap 分页过多), further list pages
    # requested at a time (pagination is lazy: a declared count never becomes that many requests).
    "ZWGK_COLUMN_PAGE_CAP": 500,
    "ZWGK_COLUMN_WINDOW": 2,
    # Column-discovery depth from the root.
    "ZWGK_MAX_DEPTH": 4,
    # On SIGINT/SIGTERM (crawler.runner): seconds the requests in flight get to finish before the crawl is
    # stopped regardless (a slow download or a retry's backoff must not hold a stop for minutes).
    "ZWGK_STOP_GRACE": 5,
    # Trap thresholds (crawler.scope.TrapDetector): distinct date-valued query variants per path, distinct
    # query strings per path, occurrences of one path segment.
    "ZWGK_TRAP_CALENDAR_VARIANTS": 12,
    "ZWGK_TRAP_QUERY_VARIANTS": 300,
    "ZWGK_TRAP_REPEATED_SEGMENTS": 3,
    # Redirects — HTTP and <meta http-equiv="refresh"> — are followed by the spider itself, so each hop is
    # checked against the unit's scope; Scrapy's own meta-refresh middleware would follow them anywhere.
    "REDIRECT_MAX_TIMES": 10,
    "METAREFRESH_ENABLED": False,
    # Items processed in parallel per response: each spider callback yields a handful; Scrapy's 100 starts
    # that many tasks per response for nothing (measured: 0.4–0.7 ms CPU per page, benchmarks/crawl_bench.py).
    "CONCURRENT_ITEMS": 16,
    # Cookies would put sessions into the crawl; disclosure pages are public.
    "COOKIES_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "INFO",
    # The spider deduplicates per unit (two units may list the same page) and sets priorities itself
    # (roots, then list pages, then documents, then attachments); first in, first out within a priority.
    "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
}

LOOPBACK_SLOT = {"concurrency": 16, "delay": 0.0, "jitter": 0.0}

LOOPBACK_PROFILE: dict = {
    "ZWGK_LOOPBACK_RELAXED": True,
    "DOWNLOAD_SLOTS": {host: dict(LOOPBACK_SLOT) for host in LOOPBACK_HOSTS},
}


def crawl_settings(overrides: dict | None = None, *, loopback: bool = False) -> dict:
    """DEFAULTS, then the loopback profile when asked, then ``overrides`` (dicts of components merged)."""
    merged = dict(DEFAULTS)
    layers = [LOOPBACK_PROFILE] if loopback else []
    layers.append(overrides or {})
    for layer in layers:
        for key, value in layer.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
    return merged
