"""``zwgk crawl``: crawl the units' disclosure sections into the store, resumably, one run at a time.

- One crawl at a time per database: a lock file beside it (exit code 4 when held).
- A run killed at any moment is resumed by the next ``zwgk crawl``: its journal (``jobs/run-N``) says
  which documents already went through the pipeline, and the store only ever adds rows.
- Nightly runs are incremental (known documents are not fetched again; list pages are); ``--full``
  revisits every document with conditional GETs so edits deep in a column are caught.
- Each unit ends complete, partial or failed, with health notes: unreachable, blocked by robots.txt,
  download errors, or "layout changed" (list pages answer but no longer yield any document). A failed
  unit is "could not assess" for the checks, never a source of deductions.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from crawler.runner import run_crawl
from zwgk import app
from zwgk.crawlstore import CrawlStore
from zwgk.locks import Locked, held
from zwgk.store import Store

PIPELINE = {"zwgk.pipeline.StorePipeline": 300}
STATUS_WORDS = {"complete": "完整", "partial": "部分", "failed": "失败"}  # a unit's crawl status, in tables
ERROR_WORDS = {
    "dns": "域名解析失败", "timeout": "超时", "connection": "连接失败", "http_4xx": "4xx 错误", "http_5xx": "服务器错误",
    "robots": "robots.txt 禁止", "too_large": "响应过大", "redirect": "重定向异常",
}


class _OneLineErrors(logging.Filter):
    """Scrapy logs a traceback when a site's robots.txt cannot be fetched; the unit's health notes already
    report the failure in Chinese, so keep the log line and drop the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True


logging.getLogger("scrapy.downloadermiddlewares.robotstxt").addFilter(_OneLineErrors())


class _ProgressHandler(logging.Handler):
    def __init__(self, progress: Callable[[str], None]):
        super().__init__(logging.INFO)
        self.progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        self.progress(record.getMessage())


@contextmanager
def _progress_to(progress: Callable[[str], None]) -> Iterator[None]:
    """Show the store pipeline's progress lines (logger ``zwgk.crawl.progress``) through ``progress``."""
    logger = logging.getLogger("zwgk.crawl.progress")
    handler = _ProgressHandler(progress)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)


class CrawlLocked(Locked):
    """Another crawl holds the lock (exit code 4)."""


def crawl_lock(db_path: Path):
    lock_path = db_path.parent / "crawl.lock"
    return held(lock_path, CrawlLocked, f"另一个抓取任务正在使用 {db_path}（锁文件 {lock_path}），请等它结束后再试")


@dataclass
class UnitCrawl:
    unit_id: str
    unit_name: str
    status: str  # complete | partial | failed
    health: list[dict]
    summary: dict


def _unfinished_run(store: Store, jobs: Path) -> int | None:
    row = store.row("SELECT id FROM runs WHERE kind = 'crawl' AND finished_at IS NULL ORDER BY id DESC LIMIT 1")
    if row and (jobs / f"run-{row['id']}").is_dir():
        return row["id"]
    return None


def _previous_documents(cs: CrawlStore, unit_id: str) -> int:
    row = cs.store.row(
        "SELECT count(*) AS n FROM pages WHERE unit_id = ? AND role = 'detail' AND status BETWEEN 200 AND 299", (unit_id,)
    )
    return row["n"] if row else 0


def unit_health(summary: dict, documents_before: int) -> tuple[str, list[dict]]:
    """Status and health notes of one unit from the crawl's counters (Chinese messages)."""
    status = summary["status"]
    errors = {k: v for k, v in summary.get("errors", {}).items() if v}
    pages = summary.get("pages", {})
    notes = []
    if status == "failed":
        if errors.get("robots"):
            notes.append({"kind": "blocked", "message": "公开目录入口被 robots.txt 禁止抓取"})
        else:
            detail = "、".join(f"{ERROR_WORDS.get(k, k)} {v} 次" for k, v in errors.items()) or "无响应"
            notes.append({"kind": "unreachable", "message": f"公开目录入口均无法访问（{detail}）"})
    else:
        # a 4xx on a linked page is the site's dead link, not a failed crawl
        failures = {k: v for k, v in errors.items() if k != "http_4xx"}
        if failures:
            detail = "、".join(f"{ERROR_WORDS.get(k, k)} {v} 次" for k, v in failures.items())
            notes.append({"kind": "errors", "message": f"部分页面抓取失败：{detail}"})
        if errors.get("http_4xx"):
            notes.append({"kind": "dead_links", "message": f"网站上有失效链接 {errors['http_4xx']} 个（页面不存在或禁止访问）"})
    documents_now = pages.get("detail", 0) + summary.get("skips", {}).get("known", 0)
    if status != "failed" and documents_before and documents_now == 0:
        status = "failed"
        notes.append({
            "kind": "layout_changed",
            "message": f"栏目页可以打开，但解析不出任何文章（上次有 {documents_before} 篇）：网站可能已改版，需要调整抓取规则",
        })
    if summary.get("skips", {}).get("page_cap"):
        notes.append({"kind": "page_cap", "message": f"达到页面数上限，{summary['skips']['page_cap']} 个链接未抓取"})
    return status, notes


def crawl_units(
    db_path: Path,
    unit_ids: list[str] | None,
    *,
    full: bool = False,
    settings: dict | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> tuple[int, list[UnitCrawl]]:
    """Crawl the given units (default: all) into the database; returns the run id and per-unit results."""
    db_path = Path(db_path)
    jobs = db_path.parent / "jobs"
    with crawl_lock(db_path):
        return _crawl_locked(db_path, jobs, unit_ids, full, settings, progress)


def _crawl_locked(db_path, jobs, unit_ids, full, settings, progress) -> tuple[int, list[UnitCrawl]]:
    with Store.open(db_path) as store:
        units = [app.unit_or_fail(store, uid) for uid in unit_ids] if unit_ids else store.list_units()
        if not units:
            raise app.AppError("单位名录为空：请先用 --units 指定单位名录或 zwgk units import 导入")
        missing = [u["id"] for u in units if not (u.get("disclosure_roots") or u.get("site"))]
        if missing:
            raise app.AppError(f"以下单位没有登记网站或公开目录地址，无法抓取：{'、'.join(missing)}")
        cs = app.crawl_store(store)
        run_id = _unfinished_run(store, jobs)
        resuming = run_id is not None
        if resuming:
            progress(f"继续上次未完成的抓取（运行 #{run_id}）")
        else:
            run_id = store.start_run("crawl")
        # Stopping a column at its first all-known list page is only sound when the last crawl of every unit
        # walked its columns to the end; otherwise revisit everything (conditional GETs keep it cheap).
        incremental = not full and not resuming and all(
            (cs.unit_status(u["id"]) or {}).get("status") == "complete" for u in units)
        job_dir = jobs / f"run-{run_id}"
        job_dir.mkdir(parents=True, exist_ok=True)
        known: dict = {}
        before = {}
        for u in units:
            known.update(cs.known_urls(u["id"]))
            before[u["id"]] = _previous_documents(cs, u["id"])
        progress(f"开始抓取 {len(units)} 个单位（{'增量' if incremental else '全量'}，已知页面 {len(known)} 个）")

    with _progress_to(progress):
        summaries = run_crawl(
            units,
            item_pipelines=PIPELINE,
            settings={"LOG_LEVEL": "WARNING", **(settings or {}), "ZWGK_DB": str(db_path),
                      "ZWGK_BLOBS": str(db_path.parent / "blobs"), "ZWGK_RUN_ID": run_id},
            known=known,
            incremental=incremental,
            job_dir=str(job_dir),
        )

    with Store.open(db_path) as store:
        cs = app.crawl_store(store)
        results = []
        for u in units:
            summary = summaries.get(u["id"], {"status": "failed", "errors": {}, "pages": {}, "skips": {}})
            status, health = unit_health(summary, before[u["id"]])
            cs.set_unit_status(run_id, u["id"], status, health, summary)
            results.append(UnitCrawl(u["id"], u["name"], status, health, summary))
        overall = "complete" if all(r.status == "complete" for r in results) else "partial"
        store.finish_run(run_id, overall, {"units": {r.unit_id: r.status for r in results}})
    return run_id, results
