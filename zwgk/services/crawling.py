"""``zwgk crawl``: crawl the units' disclosure sections into the store, resumably, one run at a time.

- One crawl at a time per database: a lock file beside it (exit code 4 when held).
- A run killed at any moment is resumed by the next ``zwgk crawl``: its journal (``jobs/run-N``) says
  which documents already went through the pipeline, and the store only ever adds rows.
- Nightly runs are incremental (known documents are not fetched again; list pages are); ``--full``
  revisits every document with conditional GETs so edits deep in a column are caught.
- Each unit ends complete, partial or failed, with health notes: unreachable, blocked by robots.txt,
  download errors, "layout changed" (list pages answer but no longer yield any document), what a budget
  cut (未抓完: partial) and every trap stopped, with its reason. A failed unit is "could not assess" for
  the checks, never a source of deductions.
- A resumed run is judged as a whole: the counters of its earlier, interrupted parts (read back from the
  store: ``CrawlStore.run_part_summary``) are added to the last part's, so a crash never turns into
  "could not assess" or a false "layout changed".
- SIGINT / SIGTERM (``crawler.runner``): the crawl stops within ``ZWGK_STOP_GRACE`` seconds, the run stays
  unfinished, and ``Interrupted`` says that the next run continues it.
- ``ZWGK_CRAWL_SETTINGS`` (environment, a JSON object of crawl settings, e.g. ``{"ZWGK_UNIT_TIME_BUDGET":
  3600}``) overrides the defaults of ``crawler.settings`` for every command that crawls.
"""

from __future__ import annotations

import json
import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from crawler.runner import CrawlInterrupted, run_crawl, summary_status
from zwgk.services.errors import EXIT_PARTIAL, AppError, Interrupted
from zwgk.services.stores import crawl_store, unit_or_fail
from zwgk.store.locks import Locked, held
from zwgk.store import Store

PIPELINE = {"zwgk.services.pipeline.StorePipeline": 300}
ERROR_WORDS = {
    "dns": "域名解析失败", "timeout": "超时", "connection": "连接失败", "http_4xx": "4xx 错误", "http_5xx": "服务器错误",
    "robots": "robots.txt 禁止", "too_large": "响应过大", "redirect": "重定向异常", "ignored": "请求被放弃",
}
# what a budget cut (crawler.items.CUT_REASONS): "未抓完：…"
CUT_WORDS = {
    "page_cap": "达到单位请求数上限", "time_budget": "单位抓取时间预算已用完", "frontier_full": "待抓取队列已满",
    "column_cap": "栏目分页达到上限",
}
# traps stopped (crawler.spiders.disclosure: traps/<kind>, and skips "depth")
TRAP_WORDS = {
    "calendar": "日历页面（日期参数无穷变化）", "query_variants": "同一页面的查询参数变体过多",
    "repeated_path": "路径重复（无限深度）", "depth": "栏目层级过深", "endless_pagination": "分页重复（翻页后条目不变）",
    "past_page_count": "超出声明页数的分页", "too_many_pages": "分页过多", "redirect_loop": "重定向循环",
    "redirect_chain": "重定向次数过多", "session_id": "网址中带会话编号", "url_too_long": "网址过长",
}
SETTINGS_ENV = "ZWGK_CRAWL_SETTINGS"


# Scrapy's messages that users meet on a bad site, in Chinese (the arguments are Scrapy's own).
_SCRAPY_MESSAGES = {
    "Gave up retrying %(request)s (failed %(retry_times)d times): %(reason)s":
        "已放弃重试 %(request)s（失败 %(retry_times)d 次）：%(reason)s",
    "Error downloading %(request)s: %(f_exception)s": "下载失败 %(request)s：%(f_exception)s",
    "Error downloading %(request)s": "下载失败 %(request)s",
}


class _ChineseErrors(logging.Filter):
    """Scrapy's download errors in Chinese and on one line: the unit's health notes report the failure
    already, so the traceback Scrapy logs with a robots.txt failure is dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg in _SCRAPY_MESSAGES:
            record.msg = _SCRAPY_MESSAGES[record.msg]
            record.exc_info = None  # a download failure, not a bug: no traceback
            record.exc_text = None
        return True


for _name in ("scrapy.downloadermiddlewares.robotstxt", "scrapy.downloadermiddlewares.retry", "scrapy.core.scraper"):
    logging.getLogger(_name).addFilter(_ChineseErrors())


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


def env_settings() -> dict:
    """Crawl settings from ``ZWGK_CRAWL_SETTINGS`` (a JSON object), or {}."""
    raw = os.environ.get(SETTINGS_ENV, "").strip()
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise AppError(f"环境变量 {SETTINGS_ENV} 不是有效的 JSON：{exc}") from None
    if not isinstance(value, dict):
        raise AppError(f"环境变量 {SETTINGS_ENV} 应为 JSON 对象，如 {{\"DOWNLOAD_TIMEOUT\": 10}}")
    return value


def unfinished_run(store: Store, jobs: Path) -> int | None:
    """The crawl run that was interrupted and can be continued (its journal folder under ``jobs``), or None."""
    run_id = store.unfinished_crawl_run()
    if run_id is not None and (jobs / f"run-{run_id}").is_dir():
        return run_id
    return None


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
    skips, traps = summary.get("skips", {}), summary.get("traps", {})
    for reason, words in CUT_WORDS.items():
        if skips.get(reason):
            what = "个栏目的其余分页" if reason == "column_cap" else "个链接"
            notes.append({"kind": reason, "message": f"未抓完：{words}，{skips[reason]} {what}未抓取"})
    if skips.get("attachment_too_large"):
        notes.append({"kind": "attachment_too_large",
                      "message": f"附件过大：{skips['attachment_too_large']} 个附件超过大小上限，未下载"})
    found = dict(traps)
    if skips.get("depth"):
        found["depth"] = skips["depth"]
    for kind, n in found.items():
        if not n:
            continue
        words = TRAP_WORDS.get(kind, kind)
        if kind == "too_many_pages":
            cap = summary.get("column_page_cap")
            message = (f"抓取陷阱：{words}，{n} 个栏目的分页声明多达 {summary.get('declared_pages') or '?'} 页，"
                       f"超过每个栏目{f' {cap} 页' if cap else ''}的分页上限，超出部分不再抓取")
        elif kind == "session_id":
            message = f"抓取陷阱：{words}，{n} 个链接去掉会话编号后抓取"
        else:
            message = f"抓取陷阱：{words}，已停止，{n} 个链接未抓取"
        notes.append({"kind": "trap", "trap": kind, "message": message})
    return status, notes


def whole_run(summary: dict, earlier: dict) -> dict:
    """One unit's counters of a resumed run: this part's ``summary`` plus its earlier parts' (``earlier``)."""
    merged = dict(summary)
    for key, value in earlier.items():
        if isinstance(value, dict):
            group = dict(merged.get(key) or {})
            for sub, n in value.items():
                group[sub] = group.get(sub, 0) + n
            merged[key] = group
        else:
            merged[key] = merged.get(key, 0) + value
    merged["status"] = summary_status(merged)
    return merged


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
        units = [unit_or_fail(store, uid) for uid in unit_ids] if unit_ids else store.list_units()
        if not units:
            raise AppError("单位名录为空：请先用 --units 指定单位名录或 zwgk units import 导入")
        missing = [u["id"] for u in units if not (u.get("disclosure_roots") or u.get("site"))]
        if missing:
            raise AppError(f"以下单位没有登记网站或公开目录地址，无法抓取：{'、'.join(missing)}")
        cs = crawl_store(store)
        run_id = unfinished_run(store, jobs)
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
            before[u["id"]] = cs.detail_documents(u["id"])
        marks = cs.run_marks(run_id) if resuming else None
        progress(f"开始抓取 {len(units)} 个单位（{'增量' if incremental else '全量'}，已知页面 {len(known)} 个）")

    try:
        with _progress_to(progress):
            summaries = run_crawl(
                units,
                item_pipelines=PIPELINE,
                settings={"LOG_LEVEL": "WARNING", **env_settings(), **(settings or {}), "ZWGK_DB": str(db_path),
                          "ZWGK_BLOBS": str(db_path.parent / "blobs"), "ZWGK_RUN_ID": run_id},
                known=known,
                incremental=incremental,
                job_dir=str(job_dir),
                exit_code_on_kill=EXIT_PARTIAL,
            )
    except CrawlInterrupted as exc:
        raise Interrupted(
            f"收到停止信号（{exc.signal_name}），抓取已中断（抓取运行 #{run_id}）：已抓取的页面都已保存，"
            "再次运行同一命令将从中断处继续。") from None

    with Store.open(db_path) as store:
        cs = crawl_store(store)
        results = []
        for u in units:
            summary = summaries.get(u["id"], {"status": "failed", "errors": {}, "pages": {}, "skips": {}})
            if marks is not None:
                summary = whole_run(summary, cs.run_part_summary(run_id, u["id"], marks))
            status, health = unit_health(summary, before[u["id"]])
            cs.set_unit_status(run_id, u["id"], status, health, summary)
            results.append(UnitCrawl(u["id"], u["name"], status, health, summary))
        overall = "complete" if all(r.status == "complete" for r in results) else "partial"
        store.finish_run(run_id, overall, {"units": {r.unit_id: r.status for r in results}})
    return run_id, results
