"""CSV and JSON exports of score sheets, for other systems.

CSV is UTF-8 with a byte-order mark so that Excel opens the Chinese text correctly; headers are Chinese,
one row per indicator (then the bonus and penalty rows), plus a separate ranking file. JSON holds, per
rubric, the plain data every unit report is built from (score sheet, unit, findings, crawl health) and
the ranking; ``read_json_export`` gives the ``UnitData`` back.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Sequence

from rubrics.export import SCHEMA_VERSION, num
from rubrics.model import Rubric
from reports.context import UnitData, UnitReport, pts, rank_units

CSV_ENCODING = "utf-8-sig"
SCORE_COLUMNS = [
    "单位编号", "单位名称", "考核细则", "考核年度", "类别", "指标编号", "序号", "指标", "分值",
    "已确认扣分", "已确认得分", "暂估得分", "待处理扣分", "不适用（已认定）", "说明",
]
RANKING_COLUMNS = [
    "名次", "单位编号", "单位名称", "考核细则", "考核年度", "最终得分", "百分制小计", "加分", "减分",
    "暂估最终得分", "待处理扣分", "无法评估",
]
JSON_KIND = "zwgk-score-export"


def _check(rubric: Rubric, reports: Sequence[UnitReport]) -> None:
    stray = [r.unit_id for r in reports if r.rubric_id != rubric.id]
    if stray:
        raise ValueError(f"units not scored under {rubric.id}: {', '.join(stray)}")


def write_scores_csv(rubric: Rubric, reports: Sequence[UnitReport], path: str | Path) -> Path:
    """One row per unit and indicator, then the unit's bonus and penalty rows."""
    _check(rubric, reports)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=CSV_ENCODING, newline="") as fh:
        out = csv.writer(fh)
        out.writerow(SCORE_COLUMNS)
        for r in reports:
            head = [r.unit_id, r.unit_name, r.rubric_id, r.period]
            for cat in r.categories:
                for ind in cat.indicators:
                    out.writerow(head + [
                        cat.name, ind.id, ind.position, ind.name, pts(ind.points), pts(ind.lost_confirmed),
                        pts(ind.confirmed), pts(ind.provisional), ind.open_count, "是" if ind.not_applicable else "",
                        "；".join(ind.notes),
                    ])
            for adj in r.adjustments:
                out.writerow(head + [
                    "加、减分", adj.id, "", adj.name, "", pts(adj.confirmed) if adj.type == "penalty" else "",
                    pts(adj.confirmed if adj.type == "bonus" else -adj.confirmed),
                    pts(adj.provisional if adj.type == "bonus" else -adj.provisional),
                    sum(1 for e in adj.entries if e.is_open), "",
                    "；".join(f"{e.rule_text}（{e.status_text}）：{e.message}" for e in adj.entries),
                ])
    return path


def write_ranking_csv(rubric: Rubric, reports: Sequence[UnitReport], path: str | Path) -> Path:
    _check(rubric, reports)
    period = {r.unit_id: r.period for r in reports}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=CSV_ENCODING, newline="") as fh:
        out = csv.writer(fh)
        out.writerow(RANKING_COLUMNS)
        for row in rank_units(reports):
            out.writerow([
                row.rank, row.unit_id, row.unit_name, rubric.id, period[row.unit_id], pts(row.final),
                pts(row.subtotal), pts(row.bonus), pts(row.penalty), pts(row.final_provisional), row.open_count,
                row.could_not_assess,
            ])
    return path


def json_export(rubric: Rubric, reports: Sequence[UnitReport]) -> dict:
    """One rubric's units as plain data: what each report is built from, and the ranking."""
    _check(rubric, reports)
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": JSON_KIND,
        "rubric_id": rubric.id,
        "rubric_title": rubric.title,
        "rubric_applied": rubric.applied_label,
        "periods": sorted({r.period for r in reports}),
        "ranking": [
            {"rank": row.rank, "unit_id": row.unit_id, "unit_name": row.unit_name, "final": num(row.final),
             "subtotal": num(row.subtotal), "bonus": num(row.bonus), "penalty": num(row.penalty),
             "final_provisional": num(row.final_provisional), "open_count": row.open_count,
             "could_not_assess": row.could_not_assess}
            for row in rank_units(reports)
        ],
        "units": [r.data.to_dict() for r in reports],
    }


def write_json(rubric: Rubric, reports: Sequence[UnitReport], path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(json_export(rubric, reports), ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def read_json_export(path: str | Path) -> tuple[str, list[UnitData]]:
    """The rubric id and the units' plain data of a JSON export (to rebuild reports from)."""
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    if doc.get("kind") != JSON_KIND:
        raise ValueError(f"{path}: not a zwgk score export")
    return doc["rubric_id"], [UnitData.from_dict(u) for u in doc["units"]]
