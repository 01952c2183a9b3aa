"""指南: the unit's 政府信息公开指南 is published, updated within the period, and (townships) its departments' too.

Rubric clauses (2017): township 2.2 "公开本级政府和工作部门政府信息公开指南并及时更新" (未公开指南; 公开部门不全面);
department 2.2 "公开本单位政府信息公开指南并及时更新" (未公开指南; 更新不及时).

Roles: ``exists`` (未公开指南), ``updated`` (更新不及时), ``departments`` (township departments' guides).

Reads pages of kind ``disclosure_guide``; a guide belongs to a township department when the department's
name is in its title, 发布机构, column or breadcrumb (units list their departments as ``subunits``).

Outcomes: a guide found → pass; none → needs_review (absence is not proof). Updated: a guide dated in the
period → pass; only older, later or undated guides → needs_review (whether an update was due is for a
person). Departments: every listed department has a guide → pass; some missing → needs_review; no
departments listed for the unit → could_not_assess. Nothing here fails on its own.

Subject keys: ``disclosure-guide`` (exists, updated); ``disclosure-guide/departments`` (departments).
"""

from __future__ import annotations

from checks.base import Check, CheckContext, Finding, Role, Subject, finding, ref
from checks.text import latest, owner
from rubrics.model import Outcome

ID = "guide"
SUBJECT = Subject("disclosure-guide", "政府信息公开指南")
SUBJECT_DEPTS = Subject("disclosure-guide/departments", "工作部门政府信息公开指南")


def run(ctx: CheckContext, roles: dict[str, str]) -> list[Finding]:
    guides = ctx.of_kind("disclosure_guide")
    subunits = ctx.subunits
    own = [g for g in guides if owner(g, ctx.unit_name, subunits) is None]
    searched = ctx.searched(kinds=["政府信息公开指南"], guides_found=len(guides))
    out: list[Finding] = []
    newest = latest(own)
    if "exists" in roles:
        out.append(_exists(ctx, roles["exists"], own, newest, searched))
    if "updated" in roles:
        out.append(_updated(ctx, roles["updated"], own, newest, searched))
    if "departments" in roles:
        out.append(_departments(ctx, roles["departments"], guides, subunits, searched))
    return out


def _exists(ctx: CheckContext, rule_id: str, own, newest, searched) -> Finding:
    if own:
        shown = newest or own[0]
        return finding(ID, rule_id, SUBJECT, Outcome.PASS, f"已公开本单位政府信息公开指南：{shown.title}",
                       urls=[g.url for g in own], guides=[ref(g) for g in own], searched=searched)
    return finding(ID, rule_id, SUBJECT, Outcome.NEEDS_REVIEW,
                   f"在抓取的{len(ctx.records)}个页面中未找到本单位政府信息公开指南，请人工核实", searched=searched)


def _updated(ctx: CheckContext, rule_id: str, own, newest, searched) -> Finding:
    if not own:
        return finding(ID, rule_id, SUBJECT, Outcome.COULD_NOT_ASSESS, "未找到指南，无从判断是否及时更新（见“未公开指南”）",
                       searched=searched)
    in_period = [g for g in own if ctx.in_period(g.pub_date)]
    dates = sorted({g.pub_date for g in own if g.pub_date})
    if in_period:
        g = latest(in_period)
        return finding(ID, rule_id, SUBJECT, Outcome.PASS, f"指南在{ctx.period}年内有更新（{g.pub_date}）",
                       urls=[g.url], dates=dates, guides=[ref(x) for x in own], searched=searched)
    if newest is None:
        msg = "指南页面无发布或更新日期，无法判断是否在考核期内更新，请人工核实"
    elif newest.pub_date[:4] > str(ctx.period):
        msg = f"指南最新日期为{newest.pub_date}（晚于{ctx.period}年），考核期内是否更新无从证明，请人工核实"
    else:
        msg = f"指南最新日期为{newest.pub_date}，{ctx.period}年内未见更新，请人工核实是否需要更新"
    return finding(ID, rule_id, SUBJECT, Outcome.NEEDS_REVIEW, msg, urls=[g.url for g in own], dates=dates,
                   guides=[ref(x) for x in own], searched=searched)


def _departments(ctx: CheckContext, rule_id: str, guides, subunits: list[str], searched) -> Finding:
    if not subunits:
        return finding(ID, rule_id, SUBJECT_DEPTS, Outcome.COULD_NOT_ASSESS,
                       "单位登记中未列出工作部门（subunits），无法判断工作部门指南是否公开齐全", searched=searched)
    covered: dict[str, list[str]] = {s: [] for s in subunits}
    for g in guides:
        who = owner(g, ctx.unit_name, subunits)
        if who:
            covered[who].append(g.url)
    missing = [s for s, urls in covered.items() if not urls]
    evidence = {"covered": {s: u for s, u in covered.items() if u}, "missing": missing, "searched": searched}
    if missing:
        return finding(ID, rule_id, SUBJECT_DEPTS, Outcome.NEEDS_REVIEW,
                       f"未找到以下工作部门的政府信息公开指南：{'、'.join(missing)}", **evidence)
    return finding(ID, rule_id, SUBJECT_DEPTS, Outcome.PASS, f"{len(subunits)}个工作部门均已公开政府信息公开指南", **evidence)


CHECK = Check(
    id=ID,
    title=SUBJECT.label,
    roles={
        "exists": Role("本单位政府信息公开指南已公开"),
        "updated": Role("指南在考核期内更新"),
        "departments": Role("各工作部门（subunits）均已公开指南"),
    },
    run=run,
)
