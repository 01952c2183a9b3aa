"""工作要点和公开制度: the year's 政务公开工作要点 is published, and each 公开制度 the rubric lists exists.

Rubric clauses (2017): township 2.1 "以乡镇政府（管委会）办公室名义下发年度工作要点，主动公开、依申请公开、发布协调、保密审查、
年度报告、新闻发言人等公开制度健全" (未下发要点; 制度每缺一项); department 2.1 the same with 政策解读
added. The 制度 list is the rule's own ``items``.

Roles: ``plan`` (工作要点 of the period), ``systems`` (per 制度 of the bound rule's ``items``).

工作要点: a page whose title names 政务公开 and 工作要点 and the period's year (or, with no year in the title,
dated in the period). 制度: among pages that are rules documents (title, column or breadcrumb says 制度, 办法,
规定, 细则, 机制 or 规则), one whose title or text names the item followed by such a word ("依申请公开工作制度";
a 制度汇编 with one chapter per 制度 counts for each chapter). Mentions in other pages (an annual report
saying a 制度 exists) are not counted.

Outcomes: found → pass; not found → needs_review (count = 制度 missing for systems). Nothing fails.
Subject keys: ``work-plan/{Y}`` (plan); ``disclosure-systems`` (systems).
"""

from __future__ import annotations

import re
from functools import lru_cache

from checks.base import Check, CheckContext, Finding, Role, Subject, finding, ref
from checks.text import label
from rubrics.model import Outcome

ID = "work_plan"
SUBJECT_SYSTEMS = Subject("disclosure-systems", "政务公开制度")
_RULE_WORDS = "制度|办法|规定|细则|机制|规则"
_RULES_DOC = re.compile(_RULE_WORDS)
_PLAN = re.compile(r"政务公开.{0,20}工作要点|工作要点.{0,6}政务公开")
_YEAR = re.compile(r"(20\d\d)年")
SYSTEM_WORDS = {"年度报告": "年度报告|年报", "发布协调": "发布协调|信息发布协调|新闻发布协调"}


@lru_cache(maxsize=64)
def system_pattern(item: str) -> re.Pattern[str]:
    words = SYSTEM_WORDS.get(item, re.escape(item))
    return re.compile(f"(?:{words})[^，。；、\\n]{{0,8}}?(?:{_RULE_WORDS})")


def run(ctx: CheckContext, roles: dict[str, str]) -> list[Finding]:
    out: list[Finding] = []
    if "plan" in roles:
        out.append(_plan(ctx, roles["plan"]))
    if "systems" in roles:
        out.append(_systems(ctx, roles["systems"]))
    return out


def _plan(ctx: CheckContext, rule_id: str) -> Finding:
    subject_plan = Subject(f"work-plan/{ctx.period}", f"{ctx.period}年政务公开工作要点")
    plans = [r for r in ctx.records if _PLAN.search(r.title or "")]
    this_year = [r for r in plans if _plan_year(r) == ctx.period]
    searched_plan = ctx.searched(title_patterns=[_PLAN.pattern], year=ctx.period, plans_found=len(plans))
    if this_year:
        return finding(ID, rule_id, subject_plan, Outcome.PASS, f"已公开{ctx.period}年政务公开工作要点：{this_year[0].title}",
                       urls=[r.url for r in this_year], documents=[ref(r) for r in this_year], searched=searched_plan)
    other = "；已找到其他年度的要点：" + "、".join(r.title for r in plans[:3]) if plans else ""
    return finding(ID, rule_id, subject_plan, Outcome.NEEDS_REVIEW, f"未找到{ctx.period}年政务公开工作要点{other}，请人工核实",
                   documents=[ref(r) for r in plans[:10]], searched=searched_plan)


def _systems(ctx: CheckContext, rule_id: str) -> Finding:
    _, rule = ctx.rubric.find_rule(rule_id)
    docs = [r for r in ctx.records if _RULES_DOC.search(label(r))]
    found: dict[str, list[str]] = {}
    for item in rule.items:
        pattern = system_pattern(item)
        found[item] = [r.url for r in docs if pattern.search(r.title or "") or pattern.search(r.full_text)]
    missing = [item for item in rule.items if not found[item]]
    evidence = {"found": {k: v[:5] for k, v in found.items() if v}, "missing": missing,
                "searched": ctx.searched(rules_documents=len(docs),
                                         patterns={i: system_pattern(i).pattern for i in rule.items})}
    if missing:
        return finding(ID, rule_id, SUBJECT_SYSTEMS, Outcome.NEEDS_REVIEW,
                       f"{len(rule.items)}项公开制度中未找到{len(missing)}项：{'、'.join(missing)}，请人工核实",
                       count=len(missing), **evidence)
    return finding(ID, rule_id, SUBJECT_SYSTEMS, Outcome.PASS, f"{len(rule.items)}项公开制度均已找到", count=0, **evidence)


def _plan_year(r) -> int | None:
    years = _YEAR.findall(r.title or "")
    if years:
        return int(years[0])
    return int(r.pub_date[:4]) if r.pub_date else None


CHECK = Check(
    id=ID,
    title="工作要点和公开制度",
    roles={
        "plan": Role("已公开考核年度的政务公开工作要点"),
        "systems": Role("规则清单中的各项公开制度均已建立（每缺一项计一）", items=True),
    },
    run=run,
)
