"""``zwgk report``: self-check reports, the assessor summary, XLSX score workbooks, CSV and JSON exports.

``zwgk.cli`` adds the ``report`` command object to the ``zwgk`` group; this module imports only
``zwgk.cli.util``, so there is no import cycle.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Iterable, Sequence

import click

from checks.interpretation import lag_table
from crawler.status import CrawlStatus
from reports.context import (
    COULD_NOT_ASSESS,
    SHANGHAI,
    CrawlHealth,
    UnitData,
    UnitReport,
    build_unit_report,
    report_findings,
)
from reports.exports import write_json, write_ranking_csv, write_scores_csv
from reports.html import now_text, render_summary, render_unit_report
from reports.remedies import load_remedies
from reports.xlsx import write_score_workbook
from rubrics.export import sheet_to_dict
from rubrics.model import Rubric
from zwgk.services import app
from zwgk.services.calendar import default_calendar
from zwgk.cli.util import (
    CONTEXT,
    ZhCommand,
    db_option,
    emit_json,
    json_option,
    note,
    rubric_option,
    units_option,
)
from zwgk.store import Store

FORMATS = ("html", "xlsx", "json", "csv")


def default_out(period: int) -> Path:
    """``reports-<period>`` under ``$ZWGK_HOME`` when it is set, else under the current directory."""
    home = os.environ.get("ZWGK_HOME")
    return (Path(home) if home else Path(".")) / f"reports-{period}"


def crawl_health(store: Store, unit_id: str, findings: Sequence[dict]) -> CrawlHealth | None:
    """The unit's latest crawl (status, time, health notes); None when its site was never crawled."""
    status = app.crawl_store(store).unit_status(unit_id)
    if status is None:
        return None
    could_not = sum(1 for f in findings if f["outcome"] == COULD_NOT_ASSESS)
    notes = [h["message"] for h in status["health"] if h.get("message")]
    if could_not:
        notes.append(f"{could_not} 项无法评估")
    in_report = {CrawlStatus.COMPLETE: "ok", CrawlStatus.PARTIAL: "partial", CrawlStatus.FAILED: "failed"}  # CrawlHealth
    word = in_report.get(status["status"], "unknown")
    return CrawlHealth(word, status["finished_at"] or status["started_at"], "；".join(notes) or None)


def unit_information(store: Store, unit: dict, period: int) -> list[dict]:
    """What a unit's report shows beyond its score: for a township, interpretation timeliness (design.md:
    only the department rubric scores it; for townships it is reported as information)."""
    if unit["kind"] != "township":
        return []
    records = app.crawl_store(store).unit_records(unit["id"])
    return [lag_table(records, period, default_calendar())] if records else []


def build_reports(store: Store, unit_ids: Iterable[str], period: int,
                  rubric_ids: tuple[str, ...] = ()) -> tuple[list[UnitReport], list[Rubric]]:
    """Score each unit (under the rubric of ``rubric_ids`` for its kind, if any: re-scored from the stored
    evidence) and arrange its report context; the rubrics in first-seen order."""
    remedies = load_remedies()
    reports: list[UnitReport] = []
    rubrics: dict[str, Rubric] = {}
    for unit_id in unit_ids:
        unit = app.unit_or_fail(store, unit_id)
        sheet, unit, findings = app.scored(store, unit_id, period, app.rubric_choice(unit, rubric_ids))
        plain = sheet_to_dict(sheet, unit["name"])
        data = UnitData(plain, unit, report_findings(plain, findings), crawl_health(store, unit_id, findings),
                        information=unit_information(store, unit, period))
        reports.append(build_unit_report(data, sheet.rubric, remedies))
        rubrics.setdefault(sheet.rubric.id, sheet.rubric)
    return reports, list(rubrics.values())


def write_reports(reports: Sequence[UnitReport], rubrics: Sequence[Rubric], fmt: str, out: Path) -> list[dict]:
    """Write one format's files into ``out``; returns what was written (path, kind, unit or rubric)."""
    out.mkdir(parents=True, exist_ok=True)
    files: list[dict] = []
    if fmt == "html":
        generated = now_text()
        for r in reports:
            path = out / f"{r.unit_id}.html"
            path.write_text(render_unit_report(r, generated), encoding="utf-8")
            files.append({"path": str(path), "kind": "unit_report", "unit_id": r.unit_id})
        path = out / "summary.html"
        path.write_text(render_summary(reports, rubrics, generated), encoding="utf-8")
        files.append({"path": str(path), "kind": "summary"})
        return files
    for rubric in rubrics:
        mine = [r for r in reports if r.rubric_id == rubric.id]
        if fmt == "xlsx":
            written = [("score_workbook", write_score_workbook(rubric, mine, out / f"{rubric.id}.xlsx"))]
        elif fmt == "json":
            written = [("score_json", write_json(rubric, mine, out / f"{rubric.id}.json"))]
        else:
            written = [
                ("score_csv", write_scores_csv(rubric, mine, out / f"{rubric.id}-scores.csv")),
                ("ranking_csv", write_ranking_csv(rubric, mine, out / f"{rubric.id}-ranking.csv")),
            ]
        files += [{"path": str(path), "kind": kind, "rubric_id": rubric.id} for kind, path in written]
    return files


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
    with app.open_store(db) as store:
        app.sync_units(store, units_path)
        ids = list(dict.fromkeys(unit_ids)) or [u["id"] for u in store.list_units()]
        if not ids:
            raise app.AppError("单位名录中没有单位；请用 --units 指定单位名录")
        note(f"正在为 {len(ids)} 个单位生成 {period} 年度的 {fmt} 报告……")
        reports, rubrics = build_reports(store, ids, period, tuple(rubric_ids))
    files = write_reports(reports, rubrics, fmt, out_dir)
    if as_json:
        emit_json({"report": {"format": fmt, "period": period, "out": str(out_dir), "units": ids, "files": files}})
        return
    for f in files:
        click.echo(f["path"])
    note(f"已写出 {len(files)} 个文件到 {out_dir}")

