"""领导分工和领导小组: the leaders' division of work is published and names 政务公开; (townships) a 政务公开
leading group was set up.

Rubric clauses (2017): township / department 1.1 "主要负责同志……列入工作分工，并在政府网站公开" (分工未在政府网站
公开); township 1.2 "成立政务公开政务服务领导小组" (未成立).

Roles: ``division`` (分工 published and naming 政务公开), ``group`` (领导小组 document). The other rules of these indicators
(专题研究, 列入分工, 及时调整, 管理机构) are not visible on a website and are entered by assessors.

分工: a page whose title, column or breadcrumb is about the leaders (领导分工, 领导信息, 领导班子 …); it
passes when its text names 政务公开 (or 政府信息公开). 领导小组: a page titled with 政务公开 … 领导小组 and
成立/调整/组成.

Outcomes: found → pass; a 分工 page that does not name 政务公开, or nothing found → needs_review. Nothing
fails: whether the division of work is complete is for a person.
Subject keys: ``leadership/division``; ``leadership/group``.
"""

from __future__ import annotations

import re

from checks.base import Check, CheckContext, Finding, Role, Subject, finding, ref
from checks.text import label
from rubrics.model import Outcome

ID = "leadership"
SUBJECT_DIVISION = Subject("leadership/division", "领导分工")
SUBJECT_GROUP = Subject("leadership/group", "政务公开领导小组")
_DIVISION = re.compile(r"领导.{0,4}分工|领导信息|领导班子|班子成员|领导成员|领导简介")
_ZWGK = re.compile(r"政务公开|政府信息公开")
_GROUP = re.compile(r"(成立|调整|组成|设立|充实).{0,30}政务公开.{0,20}领导小组")


def run(ctx: CheckContext, roles: dict[str, str]) -> list[Finding]:
    out: list[Finding] = []
    if "division" in roles:
        out.append(_division(ctx, roles["division"]))
    if "group" in roles:
        groups = [r for r in ctx.records if _GROUP.search(r.title or "")]
        searched_group = ctx.searched(title_patterns=[_GROUP.pattern])
        if groups:
            out.append(finding(ID, roles["group"], SUBJECT_GROUP, Outcome.PASS, f"找到领导小组文件：{groups[0].title}",
                               urls=[r.url for r in groups], pages=[ref(r) for r in groups], searched=searched_group))
        else:
            out.append(finding(ID, roles["group"], SUBJECT_GROUP, Outcome.NEEDS_REVIEW,
                               "未找到成立或调整政务公开领导小组的文件，请人工核实（文件可能未在网站公开）", searched=searched_group))
    return out


def _division(ctx: CheckContext, rule_id: str) -> Finding:
    pages = [r for r in ctx.records if _DIVISION.search(label(r))]
    naming = [r for r in pages if _ZWGK.search(r.full_text)]
    searched = ctx.searched(patterns=[_DIVISION.pattern, _ZWGK.pattern], division_pages=len(pages))
    if naming:
        excerpt = _excerpt(naming[0].full_text)
        return finding(ID, rule_id, SUBJECT_DIVISION, Outcome.PASS, f"领导分工已公开并列明政务公开：{naming[0].title}",
                       urls=[r.url for r in naming], excerpt=excerpt, pages=[ref(r) for r in naming], searched=searched)
    if pages:
        return finding(ID, rule_id, SUBJECT_DIVISION, Outcome.NEEDS_REVIEW,
                       f"找到{len(pages)}个领导分工页面，但均未提及政务公开，请人工核实分工是否包含政务公开",
                       urls=[r.url for r in pages], pages=[ref(r) for r in pages], searched=searched)
    return finding(ID, rule_id, SUBJECT_DIVISION, Outcome.NEEDS_REVIEW, "未找到领导分工页面，请人工核实", searched=searched)


def _excerpt(text: str) -> str:
    m = _ZWGK.search(text)
    start = max(0, m.start() - 40) if m else 0
    return text[start:start + 120]


CHECK = Check(
    id=ID,
    title="领导分工和领导小组",
    roles={
        "division": Role("领导分工已在网站公开并列明政务公开"),
        "group": Role("已公开成立或调整政务公开领导小组的文件"),
    },
    run=run,
)
