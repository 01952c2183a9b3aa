"""Plain-text (terminal) renderings of rubrics, score sheets and review lists, in Chinese."""

from __future__ import annotations

from rubrics.diff import IndicatorChange
from rubrics.engine import OPEN, STATUS_WORDS, ScoreSheet
from rubrics.export import num
from rubrics.model import Rubric, RuleKind
from zwgk.cli.textui import table

CHINESE_ORDINALS = "一二三四五六七八九十"
KIND_WORDS = {RuleKind.FIXED: "固定扣分", RuleKind.PER_ITEM: "按项扣分", RuleKind.PER_EVENT: "按次扣分"}
AUTOMATION_WORDS = {"auto": "可自动检查", "partial": "辅助检查、人工判定", "manual": "人工录入"}


def pts(value) -> str:
    return str(num(value))


def rubric_text(rubric: Rubric) -> str:
    """The rubric as an assessor knows the table: one block per source row, in source order."""
    out = [f"{rubric.title}",
           f"（{rubric.id}，适用于 {rubric.periods_label}，满分 {pts(rubric.total)} 分，倒扣分，扣完为止）", ""]
    for n, cat in enumerate(rubric.categories):
        out.append(f"{CHINESE_ORDINALS[n]}、{cat.name}（{pts(cat.points)}分）")
        for ind in cat.indicators:
            name = ind.group or f"（原表无指标名称；编者称“{ind.label}”）"
            short = f"    [简称：{ind.short}]" if ind.short else ""
            out.append(f"  {ind.position} 指标名称：{name}{short}")
            out.append(f"      考核内容：{ind.content}")
            out.append(f"      分值：{pts(ind.points)}分    [{AUTOMATION_WORDS[ind.automation.value]}]")
            out.append(f"      扣分办法：{ind.rules_text}")
            for rule in ind.rules:
                extra = f"，每{rule.unit}" if rule.kind is not RuleKind.FIXED else ""
                line = f"        {rule.id.rsplit('.', 1)[1]}. {rule.text}  〔{KIND_WORDS[rule.kind]}{extra} {pts(rule.points)} 分〕"
                if rule.excludes:
                    line += f"（适用时不再扣：{'、'.join(e.rsplit('.', 1)[1] for e in rule.excludes)}）"
                if rule.human_only:
                    line += "（须人工认定）"
                if rule.checks:
                    line += f"（自动检查：{'、'.join(rule.checks)}）"
                out.append(line)
        out.append("")
    for adj in rubric.adjustments:
        out.append(f"{adj.name}：{adj.content}")
        out.append(f"      {adj.rules_text}")
    out.append("")
    out.append(rubric.closing_note)
    return "\n".join(out)


def rubrics_applied(pairs) -> str:
    """One line naming the rubrics a multi-unit run scored under: 考核细则：按2017年细则评估（township-2017、…）."""
    by_label: dict[str, list[str]] = {}
    for rubric_id, label in pairs:
        ids = by_label.setdefault(label, [])
        if rubric_id not in ids:
            ids.append(rubric_id)
    return "考核细则：" + "；".join(f"{label}（{'、'.join(ids)}）" for label, ids in by_label.items())


def diff_text(a: Rubric, b: Rubric, changes: list[IndicatorChange]) -> str:
    """``zwgk rubric diff``: one line per indicator (+ added, - removed, ~ changed), rule changes below."""
    marks = {"added": "+", "removed": "-", "changed": "~"}
    rule_words = {"added": "新增规则", "removed": "删除规则", "changed": "规则"}
    out = [f"{a.id}（{a.title}）→ {b.id}（{b.title}）", ""]
    for c in changes:
        if c.change == "same":
            continue
        ind = c.new or c.old
        head = f"{marks[c.change]} {ind.position} {ind.name}（{pts(ind.points)}分）"
        if c.change == "changed":
            head += "：" + ("；".join(c.what) if c.what else "扣分规则有变化")
        elif c.change == "added":
            head += "：新增指标"
        else:
            head += "：已删除"
        out.append(head)
        for r in c.rules:
            rule = r.new or r.old
            out.append(f"    {rule_words[r.change]}“{rule.text}”" + (f"：{'；'.join(r.what)}" if r.what else ""))
    same = sum(1 for c in changes if c.change == "same")
    counts = {k: sum(1 for c in changes if c.change == k) for k in ("changed", "added", "removed")}
    out += ["", f"未变 {same} 个指标，有变化 {counts['changed']} 个，新增 {counts['added']} 个，删除 {counts['removed']} 个。"]
    return "\n".join(out)


def sheet_text(sheet: ScoreSheet, unit_name: str) -> str:
    out = [
        f"{unit_name}（{sheet.unit_id}）{sheet.period} 年度得分 —— {sheet.rubric.applied_label}：{sheet.rubric.title}（{sheet.rubric.id}）",
        "",
    ]
    rows = []
    for n, cat in enumerate(sheet.categories):
        rows.append([CHINESE_ORDINALS[n], cat.name, pts(cat.points), pts(cat.confirmed), pts(cat.provisional), ""])
        for s in cat.indicators:
            if s.not_applicable:
                state = "不适用（已认定）"
            elif s.open_count:
                state = f"待处理 {s.open_count} 项"
            else:
                state = ""
            rows.append([f"  {s.indicator.position}", f"  {s.indicator.name}", pts(s.indicator.points), pts(s.confirmed), pts(s.provisional), state])
    out.append(table(["序号", "指标", "分值", "已确认得分", "暂估得分", "状态"], rows, "<<>>><"))
    out.append("")
    lost = [(s, r) for s in sheet.indicators for r in s.reasons]
    if lost:
        out.append("失分说明：")
        for s, reason in lost:
            out.append(f"  {s.indicator.position} {s.indicator.name}：{reason}")
        out.append("")
    for adj in sheet.adjustments:
        for e in adj.entries:
            out.append(f"{adj.adjustment.name}：{e.rule_text} × {e.count}（{STATUS_WORDS[e.status]}）——{e.message}")
    out.append(
        f"百分制小计：已确认 {pts(sheet.subtotal_confirmed)} 分，暂估 {pts(sheet.subtotal_provisional)} 分"
        f"（暂估 = 所有待处理扣分均被确认时的得分）"
    )
    out.append(
        f"加分 {pts(sheet.bonus_confirmed)}，减分 {pts(sheet.penalty_confirmed)}；"
        f"最终得分：已确认 {pts(sheet.final_confirmed)} 分，暂估 {pts(sheet.final_provisional)} 分；"
        f"待处理扣分 {sheet.open_count} 项"
    )
    return "\n".join(out)


def review_rows(sheet: ScoreSheet, show_all: bool) -> list[dict]:
    rows = []
    for s in sheet.indicators:
        for d in s.deductions:
            if show_all or d.status in OPEN:
                rows.append({"indicator": s.indicator, "deduction": d})
    for a in sheet.adjustments:
        for e in a.entries:
            if show_all or e.status in OPEN:
                rows.append({"indicator": None, "adjustment": a.adjustment, "deduction": e})
    return rows
