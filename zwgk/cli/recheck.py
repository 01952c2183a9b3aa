"""``zwgk recheck``: work through the re-check requests units file in the review web app
(``zwgk.services.recheck``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from zwgk import paths
from zwgk.cli.util import ZhCommand, db_option, emit_json, json_option, note
from zwgk.services import crawling
from zwgk.services.errors import EXIT_LOCKED, EXIT_PARTIAL
from zwgk.services.recheck import run_rechecks


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
    db_path = Path(db) if db else paths.default_db_path()
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
