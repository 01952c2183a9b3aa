"""Running a crawl: in this process (``run_crawl``) or in a child process (``run_crawl_subprocess``).

Twisted's reactor cannot be restarted, so a process can run ``run_crawl`` once; tests and callers that
crawl more than once use the subprocess form, which streams the items back as JSON lines (bodies in
base64) through a file.

``job_dir`` makes a crawl resumable: the spider journals every document that went through the item
pipelines (``crawler.spiders.journal``) and a rerun with the same folder skips them. Scrapy's own JOBDIR
is not used: it marks a request as seen when it is *scheduled* and writes its queue state only on a clean
shutdown, so after a SIGKILL the pages still queued would never be fetched again.

Per-unit status (``unit_summaries``, ``summary_status``): ``failed`` when no disclosure root answered,
``partial`` when downloads failed (dns, timeout, connection, 5xx, robots, too large) or a budget cut links
(``crawler.items.CUT_REASONS``), else ``complete``. A 404 on a linked document is the site's defect, not
the crawl's, and does not make a unit partial; nor does a trap stopped or an attachment too large to fetch.

Stopping (``run_crawl`` in the main thread, ``run_crawl_subprocess``): the first SIGINT or SIGTERM stops
scheduling (``DisclosureSpider.stop_scheduling``) and closes the crawl; the requests in flight get
``ZWGK_STOP_GRACE`` seconds, then the reactor is stopped regardless. Every item already handed to the
pipelines is stored and journaled, so nothing is lost. ``run_crawl`` then raises ``CrawlInterrupted`` with
what was counted; a second signal exits the process at once (``exit_code_on_kill``). A crawl in a child
process gets the parent's signal forwarded, and the parent raises ``CrawlInterrupted`` when it has ended.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlsplit

from crawler.items import CUT_REASONS, FetchedPage, SkippedLink
from crawler.settings import LOOPBACK_HOSTS, crawl_settings
from crawler.status import CrawlStatus

PARTIAL_ERRORS = ("dns", "timeout", "connection", "http_5xx", "robots", "too_large", "redirect")
JSONL_PIPELINE = "crawler.runner.JsonLinesPipeline"
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
SIGNAL_NAMES = {signal.SIGINT: "SIGINT", signal.SIGTERM: "SIGTERM"}

log = logging.getLogger(__name__)


class CrawlInterrupted(Exception):
    """A stop signal ended the crawl before it was done; ``summaries`` counts what it did until then."""

    def __init__(self, signum: int, summaries: dict | None = None):
        super().__init__(f"crawl stopped by {SIGNAL_NAMES.get(signum, signum)}")
        self.signum = signum
        self.summaries = summaries or {}

    @property
    def signal_name(self) -> str:
        return SIGNAL_NAMES.get(self.signum, str(self.signum))


def _unit_dicts(units) -> list[dict]:
    return [u.to_dict() if hasattr(u, "to_dict") else dict(u) for u in units]


def _on_loopback(units: list[dict]) -> bool:
    urls = [url for u in units for url in (u.get("disclosure_roots") or [u.get("site")]) if url]
    return bool(urls) and all((urlsplit(url).hostname or "") in LOOPBACK_HOSTS for url in urls)


def build_settings(units: list[dict], *, item_pipelines: dict | None = None, settings: dict | None = None,
                   job_dir: str | None = None) -> dict:
    """DEFAULTS + the loopback profile when every unit is served from loopback + the caller's settings."""
    overrides = dict(settings or {})
    if item_pipelines:
        overrides["ITEM_PIPELINES"] = {**overrides.get("ITEM_PIPELINES", {}), **item_pipelines}
    if job_dir:
        overrides["ZWGK_JOB_DIR"] = str(job_dir)
    return crawl_settings(overrides, loopback=_on_loopback(units))


def unit_summaries(stats: dict, unit_ids) -> dict:
    """{unit: {status, requests, pages: {role: n}, errors: {kind: n}, skips: {reason: n}, …}} from stats."""
    out = {}
    for uid in unit_ids:
        prefix = f"zwgk/{uid}/"
        summary = {"requests": 0, "pages": {}, "errors": {}, "skips": {}, "traps": {}, "not_modified": 0,
                   "truncated": 0, "roots_ok": 0, "roots_failed": 0, "redirects": 0, "declared_pages": 0,
                   "column_page_cap": 0}
        for key, value in stats.items():
            if not key.startswith(prefix):
                continue
            name = key[len(prefix):]
            group, _, sub = name.partition("/")
            if sub and group in ("pages", "errors", "skips", "traps"):
                summary[group][sub] = value
            elif not sub and name in summary:
                summary[name] = value
        summary["status"] = summary_status(summary)
        out[uid] = summary
    return out


def summary_status(summary: dict) -> CrawlStatus:
    """complete | partial | failed of one unit's counters (see the module notes)."""
    if not summary.get("roots_ok"):
        return CrawlStatus.FAILED
    errors, skips = summary.get("errors", {}), summary.get("skips", {})
    if any(errors.get(kind) for kind in PARTIAL_ERRORS) or any(skips.get(r) for r in CUT_REASONS):
        return CrawlStatus.PARTIAL
    return CrawlStatus.COMPLETE


class _SignalHandlers:
    """Installs the subclass's ``_handle`` for SIGINT / SIGTERM while entered, in the main thread only (Python
    delivers signals there); the previous handlers come back on exit."""

    def __init__(self):
        self.signum: int | None = None
        self.previous: dict = {}

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for sig in STOP_SIGNALS:
                self.previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc):
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)
        return False


class _StopOnSignal(_SignalHandlers):
    """SIGINT / SIGTERM while a crawl runs in this process (see the module notes)."""

    def __init__(self, process, crawler, grace: float, exit_code_on_kill: int):
        super().__init__()
        self.process = process
        self.crawler = crawler
        self.grace = grace
        self.exit_code_on_kill = exit_code_on_kill
        self.forced = False

    def __exit__(self, *exc):
        from twisted.internet import reactor

        if self.forced:  # a crashed reactor ran no shutdown triggers: its idle threads would block the exit
            reactor.getThreadPool().stop()
        return super().__exit__(*exc)

    def _handle(self, signum, _frame):
        from twisted.internet import reactor

        if self.signum is not None:  # the second signal: no waiting at all
            os.write(2, "\n再次收到停止信号，立即退出；已保存的页面不会丢失，下次运行时继续。\n".encode())
            os._exit(self.exit_code_on_kill)
        self.signum = signum
        reactor.callFromThread(self._stop)

    def _stop(self):
        from twisted.internet import reactor

        log.warning("收到停止信号（%s）：不再发出新的请求，正在结束（最多 %g 秒）；再按一次 Ctrl-C 立即退出",
                    SIGNAL_NAMES.get(self.signum, self.signum), self.grace)
        spider = getattr(self.crawler, "spider", None)
        if spider is not None and hasattr(spider, "stop_scheduling"):
            spider.stop_scheduling()
        self.process.stop()
        reactor.callLater(self.grace, self._force)

    def _force(self):
        from twisted.internet import reactor

        if reactor.running:
            log.warning("仍在进行的下载已放弃")
            self.forced = True
            reactor.crash()  # stop() would wait for Scrapy's graceful stop, which waits for those downloads


def run_crawl(units, *, item_pipelines: dict | None = None, settings: dict | None = None, known=None,
              incremental: bool = False, job_dir: str | None = None, exit_code_on_kill: int = 1) -> dict:
    """Crawl ``units`` (Unit objects or their dicts) in this process; returns per-unit summaries. Raises
    ``CrawlInterrupted`` when a stop signal ended it early."""
    from scrapy.crawler import CrawlerProcess

    from crawler.spiders.disclosure import DisclosureSpider

    unit_dicts = _unit_dicts(units)
    merged = build_settings(unit_dicts, item_pipelines=item_pipelines, settings=settings, job_dir=job_dir)
    process = CrawlerProcess(merged)
    crawler = process.create_crawler(DisclosureSpider)
    process.crawl(crawler, units=unit_dicts, known=known, incremental=incremental)
    with _StopOnSignal(process, crawler, float(merged["ZWGK_STOP_GRACE"]), exit_code_on_kill) as stop:
        process.start(install_signal_handlers=False)
    summaries = unit_summaries(crawler.stats.get_stats(), [u["id"] for u in unit_dicts])
    if stop.signum is not None:
        raise CrawlInterrupted(stop.signum, summaries)
    return summaries


# --- the child-process form ------------------------------------------------------------------------


def item_to_json(item) -> dict:
    data = asdict(item)
    if isinstance(item, FetchedPage):
        data["body"] = base64.b64encode(item.body).decode("ascii")
        return {"kind": "page", **data}
    return {"kind": "skip", **data}


def item_from_json(data: dict):
    data = dict(data)
    kind = data.pop("kind")
    if kind == "page":
        data["body"] = base64.b64decode(data["body"])
        return FetchedPage(**data)
    return SkippedLink(**data)


class JsonLinesPipeline:
    """Writes each item as one JSON line to ``ZWGK_JSONL_OUT`` (flushed per line, so a killed crawl
    leaves every finished item readable)."""

    def __init__(self, path: str):
        self.path = path
        self.file = None

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy.exceptions import NotConfigured

        path = crawler.settings.get("ZWGK_JSONL_OUT")
        if not path:
            raise NotConfigured
        return cls(path)

    def open_spider(self, spider=None):
        self.file = open(self.path, "a", encoding="utf-8")

    def close_spider(self, spider=None):
        self.file.close()

    def process_item(self, item, spider=None):
        if isinstance(item, (FetchedPage, SkippedLink)):
            self.file.write(json.dumps(item_to_json(item), ensure_ascii=False) + "\n")
            self.file.flush()
        return item


def spawn_crawl(units, out_path: str | Path, *, item_pipelines: dict | None = None, settings: dict | None = None,
                known=None, incremental: bool = False, job_dir: str | None = None,
                stderr=None) -> subprocess.Popen:
    """Start a crawl in a child Python process writing items (then its summaries) to ``out_path``."""
    spec = {
        "units": _unit_dicts(units), "item_pipelines": item_pipelines or {}, "settings": settings or {},
        "known": known, "incremental": incremental, "job_dir": job_dir, "out": str(out_path),
    }
    spec_path = Path(str(out_path) + ".spec.json")
    spec_path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
    return subprocess.Popen([sys.executable, "-m", "crawler.runner", str(spec_path)], env=env, cwd=root,
                            stdout=subprocess.DEVNULL, stderr=stderr if stderr is not None else subprocess.DEVNULL)


def read_stream(path: str | Path) -> tuple[list, dict | None]:
    """Items and summaries from a child's output; a torn last line (killed child) is ignored."""
    items, summaries, _ = _read_stream(path)
    return items, summaries


def _read_stream(path: str | Path) -> tuple[list, dict | None, int | None]:
    """Items, summaries and the signal that interrupted the child (None when it ended by itself)."""
    items, summaries, interrupted = [], None, None
    path = Path(path)
    if not path.exists():
        return items, summaries, interrupted
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            continue
        if data.get("kind") == "summaries":
            summaries, interrupted = data["units"], data.get("interrupted")
        else:
            items.append(item_from_json(data))
    return items, summaries, interrupted


class _Forward(_SignalHandlers):
    """While waiting for a child crawl: SIGINT / SIGTERM are passed on to it (main thread only)."""

    def __init__(self, proc: subprocess.Popen):
        super().__init__()
        self.proc = proc

    def _handle(self, signum, _frame):
        self.signum = signum
        if self.proc.poll() is None:
            self.proc.send_signal(signum)


def run_crawl_subprocess(units, *, item_pipelines: dict | None = None, settings: dict | None = None, known=None,
                         incremental: bool = False, job_dir: str | None = None,
                         timeout: float | None = None) -> tuple[list, dict]:
    """Crawl in a child process; returns (items, per-unit summaries). Raises RuntimeError if it fails."""
    with tempfile.TemporaryDirectory(prefix="zwgk-crawl-") as tmp:
        out = Path(tmp) / "items.jsonl"
        log_path = Path(tmp) / "stderr.log"
        with open(log_path, "wb") as log_file:
            proc = spawn_crawl(units, out, item_pipelines=item_pipelines, settings=settings, known=known,
                               incremental=incremental, job_dir=job_dir, stderr=log_file)
            with _Forward(proc) as forward:
                try:
                    code = proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
                    raise RuntimeError(f"抓取子进程超时（{timeout} 秒）") from None
        items, summaries, interrupted = _read_stream(out)
        if interrupted or forward.signum is not None:
            raise CrawlInterrupted(interrupted or forward.signum, summaries)
        if code != 0 or summaries is None:
            tail = log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
            raise RuntimeError(f"抓取子进程异常退出（退出码 {code}）：\n{tail}")
        return items, summaries


def _child(spec_path: str) -> int:
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    pipelines = {**spec["item_pipelines"], JSONL_PIPELINE: 1000}
    settings = {**spec["settings"], "ZWGK_JSONL_OUT": spec["out"]}
    interrupted = None
    try:
        summaries = run_crawl(spec["units"], item_pipelines=pipelines, settings=settings, known=spec["known"],
                              incremental=spec["incremental"], job_dir=spec["job_dir"])
    except CrawlInterrupted as exc:
        summaries, interrupted = exc.summaries, exc.signum
    with open(spec["out"], "a", encoding="utf-8") as out:
        line = {"kind": "summaries", "units": summaries, "interrupted": interrupted}
        out.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1]))
