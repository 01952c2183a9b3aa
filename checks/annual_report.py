"""年报: the 政府信息公开工作年度报告 on year Y−1 is published, on time, by the unit and (townships) its departments;
its request statistics are the website's evidence for 依申请公开.

Rubric clauses (2017): township 2.2 "公开本级政府和工作部门政府信息公开年度工作报告" (未公开年报; 公开部门不全面);
department 2.2 "在规定期限公开本单位政府信息公开年度工作报告" (未公开年报; 公开不及时 — the 2008 条例 in force in
2017: by 31 March of Y); both 2.6 依申请公开 (超期, per case; 复议、诉讼经查实需承担责任, human only).

Roles: ``exists`` (未公开年报), ``timely`` (公开不及时), ``departments`` (township departments' reports),
``overdue`` (每件超期, count = overdue cases), ``litigation`` (复议、诉讼, count = cases; bind it to a human-only rule).

Reads pages of kind ``annual_report`` and ``extras["annual_report"]`` (year covered, request statistics).

Outcomes: report on Y−1 found → pass, none → needs_review. Department: dated on or before 31 March of Y →
pass; dated later → fail (the date shows it); undated → needs_review. Township departments as for guides.
依申请公开: the statistics of the report on Y if the site has it, else of the report on Y−1 (the one
published during the period; the message says which year it covers): overdue > 0 → needs_review with the
number of cases; 复议 + 诉讼 > 0 → needs_review on the human-only rule with their number; zero → pass;
not stated → needs_review with count 0 (a person checks; no points proposed).

Subject keys: ``annual-report/{Y−1}`` (exists, timely); ``annual-report/{Y−1}/departments``;
``annual-report/application-stats`` (overdue, litigation).
"""

from __future__ import annotations

import datetime as dt
import re

from checks.base import Check, CheckContext, Finding, Role, Subject, finding, parse_date, ref
from checks.text import owner
from crawler.record import PageRecord
from rubrics.model import Outcome

ID = "annual_report"
SUBJECT_STATS = Subject("annual-report/application-stats", "依申请公开统计")
_TITLE_YEAR = re.compile(r"(20\d\d)\s*年度?(?:政府信息公开|政务公开)")


def year_covered(r: PageRecord) -> int | None:
    """The year a report covers: page understanding's reading, else the title's "2016年度…信息公开"."""
    year = (r.extras.get("annual_report") or {}).get("year")
    if year:
        return int(year)
    m = _TITLE_YEAR.search(r.title or "")
    return int(m.group(1)) if m else None


def run(ctx: CheckContext, roles: dict[str, str]) -> list[Finding]:
    y = ctx.period
    subject = Subject(f"annual-report/{y - 1}", f"{y - 1}年度报告")
    reports = ctx.of_kind("annual_report")
    subunits = ctx.subunits
    by_year: dict[int, list[PageRecord]] = {}
    for r in reports:
        if owner(r, ctx.unit_name, subunits) is None:
            by_year.setdefault(year_covered(r) or 0, []).append(r)
    own = sorted(by_year.get(y - 1, []), key=lambda r: r.pub_date or "9999")
    searched = ctx.searched(kinds=["政府信息公开工作年度报告"], reports_found=len(reports),
                            years_found=sorted(k for k in by_year if k))
    out: list[Finding] = []
    if "exists" in roles:
        out.append(_exists(y, roles["exists"], subject, own, searched))
    if "timely" in roles:
        out.append(_timely(y, roles["timely"], subject, own, searched))
    if "departments" in roles:
        departments = Subject(f"{subject.key}/departments", f"{subject.label}·工作部门")
        out.append(_departments(ctx, roles["departments"], departments, reports, searched))
    stats_report = (by_year.get(y) or own or [None])[0]
    out.extend(_requests(y, roles, stats_report, searched))
    return out


def _exists(y: int, rule_id: str, subject: Subject, own: list[PageRecord], searched) -> Finding:
    if own:
        return finding(ID, rule_id, subject, Outcome.PASS, f"已公开{y - 1}年度政府信息公开工作年度报告",
                       urls=[r.url for r in own], reports=[ref(r) for r in own], searched=searched)
    return finding(ID, rule_id, subject, Outcome.NEEDS_REVIEW,
                   f"未找到本单位{y - 1}年度政府信息公开工作年度报告，请人工核实", searched=searched)


def _timely(y: int, rule_id: str, subject: Subject, own: list[PageRecord], searched) -> Finding:
    deadline = dt.date(y, 3, 31)
    if not own:
        return finding(ID, rule_id, subject, Outcome.COULD_NOT_ASSESS, "未找到年报，无从判断是否按时公开（见“未公开年报”）",
                       searched=searched)
    first = own[0]
    published = parse_date(first.pub_date)
    evidence = {"urls": [first.url], "dates": {"published": first.pub_date, "deadline": deadline.isoformat()},
                "date_source": first.pub_date_source, "searched": searched}
    if published is None:
        return finding(ID, rule_id, subject, Outcome.NEEDS_REVIEW, "年报页面无发布日期，无法判断是否在3月31日前公开，请人工核实",
                       **evidence)
    if published > deadline:
        late = (published - deadline).days
        return finding(ID, rule_id, subject, Outcome.FAIL,
                       f"{y - 1}年度报告发布于{first.pub_date}，晚于规定期限{deadline.isoformat()}（{late}天）", **evidence)
    return finding(ID, rule_id, subject, Outcome.PASS, f"{y - 1}年度报告发布于{first.pub_date}，在{deadline.isoformat()}之前",
                   **evidence)


def _departments(ctx: CheckContext, rule_id: str, subject: Subject, reports: list[PageRecord], searched) -> Finding:
    if not ctx.subunits:
        return finding(ID, rule_id, subject, Outcome.COULD_NOT_ASSESS,
                       "单位登记中未列出工作部门（subunits），无法判断工作部门年报是否公开齐全", searched=searched)
    covered: dict[str, list[str]] = {s: [] for s in ctx.subunits}
    for r in reports:
        who = owner(r, ctx.unit_name, ctx.subunits)
        if who and year_covered(r) == ctx.period - 1:
            covered[who].append(r.url)
    missing = [s for s, urls in covered.items() if not urls]
    evidence = {"covered": {s: u for s, u in covered.items() if u}, "missing": missing, "searched": searched}
    if missing:
        return finding(ID, rule_id, subject, Outcome.NEEDS_REVIEW,
                       f"未找到以下工作部门的{ctx.period - 1}年度报告：{'、'.join(missing)}", **evidence)
    return finding(ID, rule_id, subject, Outcome.PASS, f"{len(ctx.subunits)}个工作部门均已公开{ctx.period - 1}年度报告", **evidence)


def _requests(y: int, roles: dict[str, str], report: PageRecord | None, searched) -> list[Finding]:
    if report is None:
        msg = f"未找到{y}年度或{y - 1}年度报告，无法从网站核实依申请公开办理情况，请人工核实"
        return [finding(ID, roles[role], SUBJECT_STATS, Outcome.NEEDS_REVIEW, msg, count=0, searched=searched)
                for role in ("overdue", "litigation") if role in roles]
    stats = (report.extras.get("annual_report") or {}).get("stats") or {}
    covered = year_covered(report)
    source = f"{covered}年度报告" + ("（覆盖上一年度）" if covered != y else "")
    evidence = {"urls": [report.url], "report": ref(report), "stats": stats, "covers_year": covered, "searched": searched}
    out = []
    if "overdue" in roles:
        out.append(_overdue(roles["overdue"], stats.get("overdue"), source, evidence))
    if "litigation" in roles:
        out.append(_litigation(roles["litigation"], [stats.get("review_cases"), stats.get("lawsuits")], source, evidence))
    return out


def _overdue(rule_id: str, overdue: int | None, source: str, evidence: dict) -> Finding:
    if overdue is None:
        return finding(ID, rule_id, SUBJECT_STATS, Outcome.NEEDS_REVIEW, f"{source}未列明超期答复件数，请人工核实", count=0,
                       **evidence)
    if overdue > 0:
        return finding(ID, rule_id, SUBJECT_STATS, Outcome.NEEDS_REVIEW, f"{source}显示超期答复{overdue}件，请核实后确认",
                       count=int(overdue), **evidence)
    return finding(ID, rule_id, SUBJECT_STATS, Outcome.PASS, f"{source}显示无超期答复", **evidence)


def _litigation(rule_id: str, cases: list[int | None], source: str, evidence: dict) -> Finding:
    if any(c is None for c in cases):
        return finding(ID, rule_id, SUBJECT_STATS, Outcome.NEEDS_REVIEW, f"{source}未列明行政复议、行政诉讼件数，请人工核实",
                       count=0, **evidence)
    if sum(cases) > 0:
        return finding(ID, rule_id, SUBJECT_STATS, Outcome.NEEDS_REVIEW,
                       f"{source}显示行政复议{cases[0]}起、行政诉讼{cases[1]}起；是否经查实需承担责任须人工认定",
                       count=int(sum(cases)), **evidence)
    return finding(ID, rule_id, SUBJECT_STATS, Outcome.PASS, f"{source}显示无行政复议、行政诉讼", **evidence)


CHECK = Check(
    id=ID,
    title="政府信息公开年度报告",
    roles={
        "exists": Role("上一年度的政府信息公开工作年度报告已公开"),
        "timely": Role("年度报告在3月31日前公开"),
        "departments": Role("各工作部门（subunits）均已公开年度报告"),
        "overdue": Role("年度报告统计的超期答复件数"),
        "litigation": Role("年度报告统计的行政复议、行政诉讼件数"),
    },
    run=run,
)
