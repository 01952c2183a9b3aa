"""The XLSX score workbook of one rubric: a 排名 sheet, then one sheet per unit laid out like the official table.

The unit sheets keep the source's columns (指标名称 over the category and indicator-name cells, 考核内容, 分值,
扣分办法) with merged category and indicator-name cells as in the source, and add 扣分, 得分 and 说明.
Every number is the score sheet's (confirmed view); the provisional view is written in 说明.
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Sequence

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from rubrics.model import Rubric
from reports.context import UnitReport, pts, rank_units

TITLE_ROW, INFO_ROW, HEADER_ROW = 1, 2, 3
FIRST_ROW = HEADER_ROW + 1
# The source table's header (its first column pair is one merged 指标名称 cell), then the score columns.
HEADER = ["指标名称", None, "考核内容", "分值", "扣分办法（倒扣分，扣完为止）", "扣分", "得分", "说明"]
WIDTHS = [10, 16, 46, 7, 34, 7, 7, 46]  # Excel character units; a Chinese character takes about 2
RANKING_SHEET = "排名"
RANKING_HEADER = ["名次", "单位", "单位编号", "最终得分", "百分制小计", "加分", "减分", "待处理扣分", "暂估最终得分", "无法评估"]
RANKING_WIDTHS = [7, 30, 18, 10, 11, 7, 7, 11, 13, 9]

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center")
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
HEAD_FILL = PatternFill("solid", fgColor="D9DEE5")
TOTAL_FILL = PatternFill("solid", fgColor="EEF1F5")
OPEN_FILL = PatternFill("solid", fgColor="FFF4E5")
BOLD = Font(bold=True)
BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
LINE_HEIGHT = 15  # points per wrapped line at the default font size


def number(value: Decimal) -> int | float:
    """A Decimal as an Excel number (halves are exact)."""
    return int(value) if value == value.to_integral() else float(value)


def _lines(text: str | None, width: int) -> int:
    """Rough count of lines a wrapped cell needs: wide characters take two units."""
    if not text:
        return 1
    total = 0
    for para in str(text).split("\n"):
        units = sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in para)
        total += max(1, math.ceil(units / max(1, width - 1)))
    return total


def sheet_title(name: str, taken: set[str]) -> str:
    """A worksheet name Excel accepts (≤ 31 characters, no []:*?/\\), unique in the workbook."""
    base = BAD_SHEET_CHARS.sub("_", name).strip("'") or "单位"
    title, n = base[:31], 2
    while title in taken or title == RANKING_SHEET:
        suffix = f"({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title)
    return title


def _print_setup(ws: Worksheet, title_rows: str) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_title_rows = title_rows
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def _widths(ws: Worksheet, widths: list[int]) -> None:
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w


def _row(ws: Worksheet, row: int, values: list, fill: PatternFill | None = None, bold: bool = False) -> None:
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col, value=value)
        cell.border = BORDER
        cell.alignment = CENTER if isinstance(value, (int, float)) else WRAP
        if fill:
            cell.fill = fill
        if bold:
            cell.font = BOLD


def _fit_height(ws: Worksheet, row: int, values: list) -> None:
    lines = max(_lines(v, WIDTHS[i]) for i, v in enumerate(values) if isinstance(v, str) or v is None)
    ws.row_dimensions[row].height = max(1, lines) * LINE_HEIGHT + 4


def _title(ws: Worksheet, text: str, info: str, last_col: int) -> None:
    ws.merge_cells(start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=last_col)
    ws.merge_cells(start_row=INFO_ROW, start_column=1, end_row=INFO_ROW, end_column=last_col)
    ws.cell(row=TITLE_ROW, column=1, value=text).font = Font(bold=True, size=15)
    ws.cell(row=TITLE_ROW, column=1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[TITLE_ROW].height = 28
    ws.cell(row=INFO_ROW, column=1, value=info).alignment = Alignment(wrap_text=True, vertical="center")
    ws.row_dimensions[INFO_ROW].height = 34


def _unit_sheet(ws: Worksheet, rubric: Rubric, r: UnitReport) -> None:
    _widths(ws, WIDTHS)
    _title(
        ws,
        f"{r.unit_name} {rubric.title}得分表",
        f"考核年度：{r.period}年，{rubric.applied_label}（{rubric.id}）；已确认最终得分 {pts(r.final_confirmed)} 分（百分制小计 {pts(r.subtotal_confirmed)} 分，"
        f"加分 {pts(r.bonus_confirmed)} 分，减分 {pts(r.penalty_confirmed)} 分）；暂估最终得分 {pts(r.final_provisional)} 分；"
        f"待处理扣分 {r.open_count} 项；无法评估 {len(r.could_not_assess)} 项。",
        len(HEADER),
    )
    _row(ws, HEADER_ROW, HEADER, fill=HEAD_FILL, bold=True)
    ws.merge_cells(start_row=HEADER_ROW, start_column=1, end_row=HEADER_ROW, end_column=2)
    for cell in ws[HEADER_ROW]:
        cell.alignment = CENTER
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=1)

    row = FIRST_ROW
    for cat in r.categories:
        cat_start = row
        group_start, group = row, object()
        for ind in cat.indicators:
            name = ind.group if ind.group is not None else f"（{ind.label}）"
            notes = "\n".join(ind.notes)
            values = [f"{cat.name}\n（{pts(cat.points)}分）", name, ind.content, number(ind.points), ind.rules_text,
                      number(ind.lost_confirmed), number(ind.confirmed), notes]
            _row(ws, row, values, fill=OPEN_FILL if ind.open_count else None)
            if ind.group is None:
                ws.cell(row=row, column=2).comment = Comment("原表此行无指标名称，括号内名称为编者所加。", "zwgk")
            _fit_height(ws, row, [None, name, ind.content, None, ind.rules_text, None, None, notes])
            if ind.group != group or ind.group is None:
                _merge_down(ws, group_start, row - 1, 2)
                group_start, group = row, ind.group
            row += 1
        _merge_down(ws, group_start, row - 1, 2)
        _merge_down(ws, cat_start, row - 1, 1)

    lost = r.total - r.subtotal_confirmed
    _row(ws, row, ["合计（百分制）", None, None, number(r.total), None, number(lost), number(r.subtotal_confirmed),
                   f"暂估小计 {pts(r.subtotal_provisional)} 分（待处理扣分全部确认时）"], fill=TOTAL_FILL, bold=True)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
    row += 1

    adj_start = row
    for adj in r.adjustments:
        signed = adj.confirmed if adj.type == "bonus" else -adj.confirmed
        notes = "\n".join(
            f"{e.rule_text}（{e.count_text or e.count}，{e.status_text}）：{e.message}" for e in adj.entries
        )
        values = ["加、减分", adj.name, adj.content, None, adj.rules_text,
                  number(adj.confirmed) if adj.type == "penalty" else None, number(signed), notes]
        _row(ws, row, values)
        _fit_height(ws, row, [None, None, adj.content, None, adj.rules_text, None, None, notes])
        row += 1
    _merge_down(ws, adj_start, row - 1, 1)

    _row(ws, row, ["最终得分（百分制小计＋加分－减分）", None, None, None, None, None, number(r.final_confirmed),
                   f"暂估最终得分 {pts(r.final_provisional)} 分"], fill=TOTAL_FILL, bold=True)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=6)
    row += 2
    ws.cell(row=row, column=1, value=r.closing_note).alignment = WRAP_TOP
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(HEADER))
    ws.cell(row=row + 1, column=1, value="考核人员（签字）：　　　　　　　　　　　　日期：").alignment = WRAP
    ws.merge_cells(start_row=row + 1, start_column=1, end_row=row + 1, end_column=len(HEADER))
    ws.row_dimensions[row + 1].height = 30
    _print_setup(ws, f"{HEADER_ROW}:{HEADER_ROW}")


def _merge_down(ws: Worksheet, first: int, last: int, col: int) -> None:
    if last > first:
        ws.merge_cells(start_row=first, start_column=col, end_row=last, end_column=col)
        ws.cell(row=first, column=col).alignment = CENTER


def _ranking_sheet(ws: Worksheet, rubric: Rubric, reports: Sequence[UnitReport]) -> None:
    _widths(ws, RANKING_WIDTHS)
    periods = "、".join(str(p) for p in sorted({r.period for r in reports}))
    _title(ws, f"{rubric.title} 排名", f"考核年度：{periods}年，{rubric.applied_label}（{rubric.id}）；按已确认最终得分排名，得分相同者名次相同；"
           f"暂估最终得分为待处理扣分全部确认时的得分。", len(RANKING_HEADER))
    _row(ws, HEADER_ROW, RANKING_HEADER, fill=HEAD_FILL, bold=True)
    for cell in ws[HEADER_ROW]:
        cell.alignment = CENTER
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=1)
    for i, rank in enumerate(rank_units(reports)):
        _row(ws, FIRST_ROW + i, [rank.rank, rank.unit_name, rank.unit_id, number(rank.final), number(rank.subtotal),
                                 number(rank.bonus), number(rank.penalty), rank.open_count,
                                 number(rank.final_provisional), rank.could_not_assess])
    _print_setup(ws, f"{HEADER_ROW}:{HEADER_ROW}")


def write_score_workbook(rubric: Rubric, unit_sheets: Sequence[UnitReport], path: str | Path) -> Path:
    """Write one rubric's workbook: 排名 first, then one sheet per unit in ranking order."""
    stray = [r.unit_id for r in unit_sheets if r.rubric_id != rubric.id]
    if stray:
        raise ValueError(f"units not scored under {rubric.id}: {', '.join(stray)}")
    wb = Workbook()
    _ranking_sheet(wb.active, rubric, unit_sheets)
    wb.active.title = RANKING_SHEET
    by_id = {r.unit_id: r for r in unit_sheets}
    taken: set[str] = set()
    for rank in rank_units(unit_sheets):
        r = by_id[rank.unit_id]
        _unit_sheet(wb.create_sheet(sheet_title(r.unit_name, taken)), rubric, r)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.properties.title = f"{rubric.title}得分表"
    wb.properties.creator = "zwgk"
    wb.save(path)
    return path
