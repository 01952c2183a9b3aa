"""``zwgk report``: self-check reports, the assessor summary, XLSX score workbooks, CSV and JSON exports
(built by ``zwgk.services.reporting``)."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import click

from reports.context import SHANGHAI
from zwgk.cli.util import CONTEXT, ZhCommand, db_option, emit_json, json_option, note, rubric_option, units_option
from zwgk.services.errors import AppError
from zwgk.services.reporting import FORMATS, build_reports, write_reports
from zwgk.services.stores import open_store, sync_units


def default_out(period: int) -> Path:
    """``reports-<period>`` under ``$ZWGK_HOME`` when it is set, else under the current directory."""
    home = os.environ.get("ZWGK_HOME")
    return (Path(home) if home else Path(".")) / f"reports-{period}"


@click.command("report", cls=ZhCommand, context_settings=CONTEXT)
@click.option("--unit", "unit_ids", multiple=True, help="只为此单位生成（可多次给出；默认为名录中的全部单位）。")
@click.option("--period", type=click.IntRange(2000, 2100), help="考核年度，如 2017（默认为当年）。")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="html", show_default=True,
              help="html：每个单位的自查报告及考核汇总；xlsx：每套考核细则一个得分表工作簿；json、csv：供其他系统导入。")
@click.option("--out", type=click.Path(file_okay=False), help="输出目录（默认 reports-<年度>/，设置了 ZWGK_HOME 时位于其下，否则位于当前目录）。")
@rubric_option
@db_option
@units_option
@json_option
def report(unit_ids, period, fmt, out, rubric_ids, db, units_path, as_json):
    """生成报告与得分表：各单位自查报告（HTML，可打印）、考核汇总与排名、按考核细则原表格式排版的 XLSX 得分表，以及 CSV、JSON 导出。

    乡镇与市直单位按各自的考核细则分别排名。报告同时列出已确认得分与暂估得分（所有待处理扣分均被确认时的得分）。写出的文件路径逐行打印到标准输出。

    \b
    示例：
      zwgk report --period 2017
      zwgk report --unit xinshi-town --period 2017 --out /tmp/reports
      zwgk report --period 2017 --format xlsx
      zwgk report --period 2017 --format csv --json
      zwgk report --period 2018 --rubric township-2018      # 按另一套细则重新计分（不重新抓取）
    """
    period = period or datetime.now(SHANGHAI).year
    out_dir = Path(out) if out else default_out(period)
    with open_store(db) as store:
        sync_units(store, units_path)
        ids = list(dict.fromkeys(unit_ids)) or [u["id"] for u in store.list_units()]
        if not ids:
            raise AppError("单位名录中没有单位；请用 --units 指定单位名录")
        note(f"正在为 {len(ids)} 个单位生成 {period} 年度的 {fmt} 报告……")
        reports, rubrics = build_reports(store, ids, period, tuple(rubric_ids))
    files = write_reports(reports, rubrics, fmt, out_dir)
    if as_json:
        emit_json({"report": {"format": fmt, "period": period, "out": str(out_dir), "units": ids, "files": files}})
        return
    for f in files:
        click.echo(f["path"])
    note(f"已写出 {len(files)} 个文件到 {out_dir}")
