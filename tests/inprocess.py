"""Crawls in the test process, the way Scrapy's own tests run them: one Twisted reactor for the whole session,
running in a background thread, and a ``CrawlerRunner`` per crawl on it.

A reactor cannot be restarted, so ``crawler.runner.run_crawl`` (which starts and stops one) runs once per
process and the application crawls more than once only in child processes. Starting a child costs its
imports and Scrapy's set-up (about a second each); a test that is *about* the crawl — what the spider asks
for, what it yields, how a unit ends — needs neither. ``run_crawl`` here takes ``crawler.runner.run_crawl``'s
arguments and returns the same per-unit summaries; ``run_crawl_collecting`` also returns the items, read back
through the same JSON-lines stream a child writes (``crawler.runner.JsonLinesPipeline``), so they compare
with ``run_crawl_subprocess``'s exactly.

Not for tests of stopping (signals, exit codes, a killed child) or of the CLI's output: those keep their
child processes. Stop signals are not handled here (the crawl runs off the main thread).
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

from crawler.runner import JSONL_PIPELINE, build_settings, read_stream, unit_summaries

REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"  # Scrapy's default TWISTED_REACTOR
_lock = threading.Lock()
_thread: threading.Thread | None = None


def _reactor():
    """The session's reactor, started in a daemon thread on first use."""
    global _thread
    with _lock:
        if _thread is None:
            from scrapy.utils.reactor import install_reactor

            install_reactor(REACTOR)
            from twisted.internet import reactor

            _thread = threading.Thread(target=reactor.run, kwargs={"installSignalHandlers": False},
                                       name="twisted-reactor", daemon=True)
            _thread.start()
        from twisted.internet import reactor

        return reactor


def run_crawl(units, *, item_pipelines: dict | None = None, settings: dict | None = None, known=None,
              incremental: bool = False, job_dir: str | None = None, exit_code_on_kill: int = 1,
              timeout: float = 120) -> dict:
    """``crawler.runner.run_crawl`` on the session's reactor: crawl ``units``, return per-unit summaries.
    ``exit_code_on_kill`` is accepted for the same signature (no signals here); ``timeout`` bounds the wait."""
    from scrapy.crawler import CrawlerRunner
    from twisted.python.failure import Failure

    from crawler.spiders.disclosure import DisclosureSpider

    unit_dicts = [u.to_dict() if hasattr(u, "to_dict") else dict(u) for u in units]
    merged = build_settings(unit_dicts, item_pipelines=item_pipelines, settings=settings, job_dir=job_dir)
    reactor = _reactor()
    finished = threading.Event()
    outcome: dict = {}
    runner: list = []

    def start():
        runner.append(CrawlerRunner(merged))
        crawler = runner[0].create_crawler(DisclosureSpider)
        outcome["crawler"] = crawler
        done = runner[0].crawl(crawler, units=unit_dicts, known=known, incremental=incremental)
        done.addBoth(lambda result: (outcome.update(result=result), finished.set()))

    reactor.callFromThread(start)
    if not finished.wait(timeout):
        reactor.callFromThread(lambda: runner[0].stop())
        finished.wait(30)
        raise RuntimeError(f"抓取超时（{timeout} 秒）")
    if isinstance(outcome["result"], Failure):
        outcome["result"].raiseException()
    return unit_summaries(outcome["crawler"].stats.get_stats(), [u["id"] for u in unit_dicts])


def run_crawl_collecting(units, *, item_pipelines: dict | None = None, settings: dict | None = None, known=None,
                         incremental: bool = False, job_dir: str | None = None,
                         timeout: float = 120) -> tuple[list, dict]:
    """(items, per-unit summaries), as ``crawler.runner.run_crawl_subprocess`` returns them."""
    with tempfile.TemporaryDirectory(prefix="zwgk-crawl-") as tmp:
        out = Path(tmp) / "items.jsonl"
        summaries = run_crawl(units, item_pipelines={**(item_pipelines or {}), JSONL_PIPELINE: 1000},
                              settings={**(settings or {}), "ZWGK_JSONL_OUT": str(out)}, known=known,
                              incremental=incremental, job_dir=job_dir, timeout=timeout)
        items, _ = read_stream(out)
    return items, summaries
