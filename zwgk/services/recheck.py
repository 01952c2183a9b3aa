"""``zwgk recheck``: work through the re-check requests units file in the review web app.

A unit that fixed its site asks for a re-check (rate-limited, its registered scope only); an operator runs
this command every few minutes (a systemd timer or cron, like ``zwgk nightly``). Each request is crawled
with the same polite crawler, the unit's checks are run again, and the request is marked done — or failed
when the site could not be crawled, leaving the last assessment standing.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Callable

import click

from zwgk.services import app

from zwgk.services import checking

from zwgk.services import crawling
from zwgk.cli.util import EXIT_LOCKED, EXIT_PARTIAL, ZhCommand, db_option, emit_json, json_option, note
from zwgk.store import Store


def run_rechecks(db_path: Path, period: int, progress: Callable[[str], None] = lambda _: None) -> dict:
    """Crawl and check every unit with a queued request; returns what happened per unit."""
    with Store.open(db_path) as store:
        queued = store.queued_recheck_requests()
        if not queued:
            return {"requests": 0, "units": []}
        by_unit: dict[str, list[int]] = {}
        for row in queued:
            by_unit.setdefault(row["unit_id"], []).append(row["id"])
        store.set_recheck_status([r["id"] for r in queued], "running")
    try:
        _, crawled = crawling.crawl_units(db_path, sorted(by_unit), progress=progress)
    except (crawling.CrawlLocked, app.Interrupted):
        with Store.open(db_path) as store:  # another crawl is running, or a stop signal: try again next time
            store.set_recheck_status([r["id"] for r in queued], "queued")
        raise
    except BaseException:
        with Store.open(db_path) as store:
            store.set_recheck_status([r["id"] for r in queued], "failed")
        raise
    with Store.open(db_path) as store:
        checking.check_units(store, app.crawl_store(store), sorted(by_unit), period, progress=progress)
        results = []
        for unit in crawled:
            status = "failed" if unit.status == "failed" else "done"
            store.set_recheck_status(by_unit[unit.unit_id], status)
            results.append({"unit_id": unit.unit_id, "unit_name": unit.unit_name, "crawl_status": unit.status,
                            "requests": len(by_unit[unit.unit_id]), "status": status})
    return {"requests": len(queued), "units": results}


@click.command(cls=ZhCommand)
@click.option("--period", type=click.IntRange(2000, 2100), help="考核年度，如 2017（默认为当年）。")
@db_option
@json_option
def recheck(period, db, as_json):
    """处理各单位在复核网页上提交的“重新检查”申请：重新抓取其网站并运行检查。

    建议每隔几分钟定时运行一次（与 zwgk nightly 一样用 systemd 定时器或 cron）。没有待处理的申请时立即退出；
    另一抓取任务正在运行时申请保留，下次再处理（退出码 4）。

    \b
    示例：
      zwgk recheck --period 2017
      zwgk recheck --period 2017 --db var/zwgk.db --json
    """
    db_path = Path(db) if db else app.paths.default_db_path()
    period = period or date.today().year
    try:
        result = run_rechecks(db_path, period, progress=note)
    except crawling.CrawlLocked as exc:
        note(f"错误：{exc}；申请保留，下次再处理")
        raise SystemExit(EXIT_LOCKED) from None
    if as_json:
        emit_json(result)
    elif not result["requests"]:
        click.echo("没有待处理的重新检查申请。")
    else:
        for u in result["units"]:
            word = "已完成" if u["status"] == "done" else "失败（网站无法抓取，沿用上次检查结果）"
            click.echo(f"{u['unit_name']}（{u['unit_id']}）：{u['requests']} 个申请，{word}")
    if any(u["status"] == "failed" for u in result["units"]):
        raise SystemExit(EXIT_PARTIAL)
