"""信息公开平台: the township's site has a 政府信息公开 platform with the reference columns.

Rubric clause (2017): township 2.3 "参照市政府信息公开平台设置相关公开专栏" (未设立政府信息公开平台 3 points, 2.3.a).

The city platform's reference columns (``COLUMNS``): 指南, 目录 (or 法定主动公开内容), 依申请公开, 年报, 制度. A
column counts when a page's title, column or breadcrumb names it, or a page of its kind (guide, annual
report) was found.

Outcomes: three or more → pass; fewer → needs_review (the evidence lists what was found and what
not). Nothing fails.
Roles: ``platform``.
Subject key: ``disclosure-platform``.
"""

from __future__ import annotations

import re

from checks.base import Check, CheckContext, Finding, Role, Subject, finding
from checks.text import label
from rubrics.model import Outcome

ID = "platform"
SUBJECT = Subject("disclosure-platform", "政府信息公开平台")
MIN_COLUMNS = 3
COLUMNS = {
    "政府信息公开指南": (re.compile(r"信息公开指南|公开指南"), "disclosure_guide"),
    "政府信息公开目录": (re.compile(r"信息公开目录|公开目录|法定主动公开|主动公开内容"), None),
    "依申请公开": (re.compile(r"依申请公开"), None),
    "政府信息公开年报": (re.compile(r"公开年报|年度报告|信息公开年度"), "annual_report"),
    "政府信息公开制度": (re.compile(r"信息公开制度|公开制度"), None),
}


def run(ctx: CheckContext, roles: dict[str, str]) -> list[Finding]:
    found: dict[str, str] = {}
    for name, (pattern, kind) in COLUMNS.items():
        for r in ctx.records:
            if pattern.search(label(r)) or (kind and r.kind == kind):
                found[name] = r.url
                break
    missing = [name for name in COLUMNS if name not in found]
    evidence = {"found": found, "missing": missing, "urls": list(found.values()),
                "searched": ctx.searched(reference_columns={n: p.pattern for n, (p, _) in COLUMNS.items()})}
    if len(found) >= MIN_COLUMNS:
        return [finding(ID, roles["platform"], SUBJECT, Outcome.PASS,
                        f"已设立政府信息公开平台，参照栏目{len(COLUMNS)}个中找到{len(found)}个", **evidence)]
    return [finding(ID, roles["platform"], SUBJECT, Outcome.NEEDS_REVIEW,
                    f"参照栏目{len(COLUMNS)}个中只找到{len(found)}个（缺：{'、'.join(missing)}），未能确认已设立政府信息公开平台，请人工核实",
                    **evidence)]


CHECK = Check(id=ID, title="信息公开平台", roles={"platform": Role("政府信息公开平台设有参照栏目")}, run=run)
