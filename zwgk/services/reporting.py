"""Reports from the store: each unit's score and report context (``build_reports``), and the files of one
format — self-check reports and the assessor summary (HTML), XLSX score workbooks, CSV and JSON exports
(``write_reports``). ``zwgk report``, ``zwgk demo``, ``zwgk nightly`` and ``zwgk selfcheck`` use them."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

from crawler.status import CrawlStatus
from reports.context import (
    COULD_NOT_ASSESS,
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
from zwgk.services.rubric_choice import rubric_choice
from zwgk.services.scoring import scored
from zwgk.services.stores import crawl_store, unit_or_fail
from zwgk.store import Store

FORMATS = ("html", "xlsx", "json", "csv")


def crawl_health(store: Store, unit_id: str, findings: Sequence[dict]) -> CrawlHealth | None:
    """The unit's latest crawl (status, time, health notes); None when its site was never crawled."""
    status = crawl_store(store).unit_status(unit_id)
    if status is None:
        return None
    could_not = sum(1 for f in findings if f["outcome"] == COULD_NOT_ASSESS)
    notes = [h["message"] for h in status["health"] if h.get("message")]
    if could_not:
        notes.append(f"{could_not} 项无法评估")
    in_report = {CrawlStatus.COMPLETE: "ok", CrawlStatus.PARTIAL: "partial", CrawlStatus.FAILED: "failed"}  # CrawlHealth
    word = in_report.get(status["status"], "unknown")
    return CrawlHealth(word, status["finished_at"] or status["started_at"], "；".join(notes) or None)


def build_reports(store: Store, unit_ids: Iterable[str], period: int,
                  rubric_ids: tuple[str, ...] = ()) -> tuple[list[UnitReport], list[Rubric]]:
    """Score each unit (under the rubric of ``rubric_ids`` for its kind, if any: re-scored from the stored
    evidence) and arrange its report context; the rubrics in first-seen order."""
    remedies = load_remedies()
    reports: list[UnitReport] = []
    rubrics: dict[str, Rubric] = {}
    for unit_id in unit_ids:
        unit = unit_or_fail(store, unit_id)
        sheet, unit, findings = scored(store, unit_id, period, rubric_choice(unit, rubric_ids))
        plain = sheet_to_dict(sheet, unit["name"])
        data = UnitData(plain, unit, report_findings(plain, findings), crawl_health(store, unit_id, findings),
                        information=store.current_information(unit_id, period))
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
