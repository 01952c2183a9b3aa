"""政策解读: each policy of the period is paired with its interpretation, and the interpretation came within
3 working days.

Rubric clause (2017): department 2.3 "重要政策出台后，相关解读材料在3个工作日内进行公开" (未解读政策; 政策解读不及时).
The township rubric has no such rule: for townships ``analyse`` is available as information (reports), and
the check gives no findings.

Roles: ``missing`` (a policy without interpretation), ``late`` (interpretation later than 3 working days).

Pairing (``analyse``), strongest first: an explicit link (the interpretation's 原文/相关文件 links, or the
policy's 相关解读 link); the 文号; the 《title》 the interpretation names; then, for what is left, a fuzzy
title match (rapidfuzz) within a date window. Lag = working days in (policy date, interpretation date] on
the official calendar with 调休 (the context's ``checks.calendar.WorkingCalendar``); an interpretation on or
before its policy's date is on time.

Outcomes per policy published in the period (subject = the policy's URL): paired → missing pass, else
needs_review (not every policy needs an interpretation; absence is not proof). Paired: lag ≤ 3 → late pass;
lag > 3 → fail when the pairing is explicit (link, 文号, 《title》), needs_review when it rests on a fuzzy
title match; calendar year unknown → could_not_assess with the reason. An interpretation of the period
that pairs with nothing → needs_review on late (subject = its URL), unless its 文号 or titles name an
earlier year (it interprets an earlier period's policy). No policy and no interpretation in the period →
needs_review on missing.

Subject keys: the page's URL (``checks.base.url_key``: non-ASCII percent-encoded) — the policy's for both
roles, an unpaired interpretation's for late; ``policy-interpretations`` when the period has no policy.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from checks.base import Check, CheckContext, Finding, Role, Subject, finding, page_subject, parse_date, ref
from checks.calendar import STATUTORY, CalendarUnknown, WorkingCalendar
from checks.text import norm
from crawler.record import PageRecord
from rubrics.model import Outcome

ID = "interpretation"
SUBJECT_NONE = Subject("policy-interpretations", "本年度政策解读")
ON_TIME_DAYS = 3
FUZZY_MIN = 85  # rapidfuzz ratio of the title cores
WINDOW_BEFORE = dt.timedelta(days=30)  # an interpretation may precede its policy (published together)
WINDOW_AFTER = dt.timedelta(days=60)
STRONG = ("link", "doc_number", "title")
_MARKERS = re.compile(r"政策解读|解读|一图读懂|一图速览|图解|图说|答记者问|的通知|的意见|的决定|《|》|[：:]")
_YEAR = re.compile(r"(?:〔|（|\(|\[)?(20\d\d)(?:〕|）|\)|\]|年)")


@dataclass(frozen=True)
class Pairing:
    """One policy and its earliest interpretation (or one of them alone)."""

    policy: PageRecord | None
    interpretation: PageRecord | None
    method: str | None  # link | doc_number | title | fuzzy
    status: str  # on_time | late | missing | unpaired | earlier_policy | unknown
    lag: int | None = None  # working days in (policy date, interpretation date]
    reason: str | None = None  # Chinese, for unknown


def _core(title: str) -> str:
    t = norm(title)
    if "关于" in t:
        t = t[t.index("关于"):]
    return _MARKERS.sub("", t)


def _doc_number(p: PageRecord) -> str | None:
    number = (p.extras.get("policy") or {}).get("doc_number") or p.metadata.get("发文字号")
    return norm(number) or None


def _strong_method(p: PageRecord, i: PageRecord) -> str | None:
    info = i.extras.get("interpretation") or {}
    if {p.url, p.final_url} & set(info.get("policy_links") or []) or any(
        link.url in (i.url, i.final_url) for link in p.links
    ):
        return "link"
    number = _doc_number(p)
    if number and number in {norm(n) for n in info.get("doc_numbers") or []}:
        return "doc_number"
    title = norm(p.title)
    for t in info.get("policy_titles") or []:
        t = norm(t)
        if t and (t == title or (len(t) >= 6 and t in title)):
            return "title"
    return None


def _near(p: PageRecord, i: PageRecord) -> bool:
    pd, idate = parse_date(p.pub_date), parse_date(i.pub_date)
    return bool(pd and idate and pd - WINDOW_BEFORE <= idate <= pd + WINDOW_AFTER)


def _names_earlier_year(i: PageRecord, period: int) -> bool:
    info = i.extras.get("interpretation") or {}
    texts = list(info.get("doc_numbers") or []) + list(info.get("policy_titles") or [])
    years = [int(y) for t in texts for y in _YEAR.findall(t)]
    return bool(years) and max(years) < period


def analyse(policies: list[PageRecord], interpretations: list[PageRecord], period: int,
            calendar: WorkingCalendar = STATUTORY) -> list[Pairing]:
    """Pair every policy published in ``period`` with its interpretation; list unpaired interpretations.
    Lags are counted on ``calendar``."""
    paired: dict[int, list[tuple[PageRecord, str]]] = {}
    used: set[int] = set()
    for n, i in enumerate(interpretations):
        candidates = [(p, m) for p in policies if (m := _strong_method(p, i))]
        if candidates:
            idate = i.pub_date or ""
            p, m = min(candidates, key=lambda c: (STRONG.index(c[1]), abs(_days(c[0].pub_date, idate))))
            paired.setdefault(id(p), []).append((i, m))
            used.add(n)
    for n, i in enumerate(interpretations):
        if n in used:
            continue
        core = _core(i.title)
        best, best_score = None, FUZZY_MIN
        for p in policies:
            if id(p) in paired or not _near(p, i):
                continue
            score = fuzz.ratio(core, _core(p.title))
            if score >= best_score:
                best, best_score = p, score
        if best is not None:
            paired[id(best)] = [(i, "fuzzy")]
            used.add(n)
    out: list[Pairing] = []
    for p in policies:
        if not (p.pub_date or "").startswith(str(period)):
            continue
        if id(p) not in paired:
            out.append(Pairing(p, None, None, "missing"))
            continue
        i, method = min(paired[id(p)], key=lambda c: c[0].pub_date or "9999")
        out.append(_timeliness(p, i, method, calendar))
    for n, i in enumerate(interpretations):
        if n in used or not (i.pub_date or "").startswith(str(period)):
            continue
        out.append(Pairing(None, i, None, "earlier_policy" if _names_earlier_year(i, period) else "unpaired"))
    return out


def _days(a: str | None, b: str | None) -> int:
    da, db = parse_date(a), parse_date(b)
    return abs((db - da).days) if da and db else 10**6


def _timeliness(p: PageRecord, i: PageRecord, method: str, calendar: WorkingCalendar) -> Pairing:
    pd, idate = parse_date(p.pub_date), parse_date(i.pub_date)
    if pd is None or idate is None:
        return Pairing(p, i, method, "unknown", reason="政策或解读页面缺少发布日期")
    if idate <= pd:
        return Pairing(p, i, method, "on_time", lag=0)
    try:
        lag = calendar.working_days_between(pd, idate)
    except CalendarUnknown as exc:
        return Pairing(p, i, method, "unknown", reason=str(exc))
    return Pairing(p, i, method, "on_time" if lag <= ON_TIME_DAYS else "late", lag=lag)


METHOD_WORDS = {"link": "页面链接", "doc_number": "文号", "title": "《标题》", "fuzzy": "标题相似（需人工确认）"}


# The unit's own disclosure-work rules (制度, 工作要点) carry a 文号 but are not the 重要政策 the rubric asks
# to interpret; the work_plan check serves them.
_OWN_WORK_RULES = re.compile(
    r"(政府信息|政务公开|信息公开|新闻发言人|保密审查|发布协调|解读).{0,12}(制度|办法|规定|细则)|工作要点"
)


def policies_needing_interpretation(records: list[PageRecord]) -> list[PageRecord]:
    return [r for r in records if r.kind == "policy" and not _OWN_WORK_RULES.search(r.title)]


STATUS_WORDS = {"on_time": "按时", "late": "不及时", "missing": "未找到解读", "unpaired": "未找到对应政策",
                "earlier_policy": "解读往年政策", "unknown": "无法计算"}


def lag_table(records: list[PageRecord], period: int, calendar: WorkingCalendar = STATUTORY) -> dict:
    """Interpretation timeliness as information (the township rubric does not score it): a plain table."""
    pairs = analyse(policies_needing_interpretation(records),
                    [r for r in records if r.kind == "interpretation"], period, calendar)
    rows = []
    for pr in pairs:
        p, i = pr.policy, pr.interpretation
        verdict = STATUS_WORDS.get(pr.status, pr.status)
        if pr.status == "late" and pr.lag is not None:
            verdict = f"不及时（第{pr.lag}个工作日）"
        elif pr.status == "unknown" and pr.reason:
            verdict = f"无法计算：{pr.reason}"
        rows.append([p.title if p else "—", (p.pub_date or "") if p else "", i.title if i else "—",
                     (i.pub_date or "") if i else "", "" if pr.lag is None else str(pr.lag), verdict])
    return {"title": "政策解读时效（乡镇细则不计分，仅供参考）",
            "headers": ["政策文件", "发布日期", "解读材料", "发布日期", "间隔工作日", "结论"], "rows": rows}


def run(ctx: CheckContext, roles: dict[str, str]) -> list[Finding]:
    all_policies = ctx.of_kind("policy")
    policies = policies_needing_interpretation(ctx.records)
    interpretations = ctx.of_kind("interpretation")
    searched = ctx.searched(kinds=["政策文件", "政策解读"], policies_found=len(policies),
                            work_rules_excluded=len(all_policies) - len(policies),
                            interpretations_found=len(interpretations),
                            pairing=["原文/相关解读链接", "文号", "《标题》", f"标题相似度≥{FUZZY_MIN}（{WINDOW_BEFORE.days}天前至{WINDOW_AFTER.days}天后）"])
    pairings = analyse(policies, interpretations, ctx.period, ctx.calendar)
    out: list[Finding] = []
    for pr in pairings:
        out.extend(_findings(roles, pr, searched))
    if not any(pr.policy for pr in pairings):
        in_period = [i for i in interpretations if ctx.in_period(i.pub_date)]
        if in_period:
            out.append(finding(ID, roles.get("missing"), SUBJECT_NONE, Outcome.PASS,
                               f"{ctx.period}年发布政策解读{len(in_period)}篇（未找到对应政策文件）",
                               urls=[i.url for i in in_period], searched=searched))
        else:
            out.append(finding(ID, roles.get("missing"), SUBJECT_NONE, Outcome.NEEDS_REVIEW,
                               f"未找到{ctx.period}年发布的政策文件及其解读，请人工核实", searched=searched))
    return out


def _findings(roles: dict[str, str], pr: Pairing, searched: dict) -> list[Finding]:
    if pr.policy is None:
        i = pr.interpretation
        if pr.status == "earlier_policy":
            return []
        return [finding(ID, roles.get("late"), page_subject(i.url), Outcome.NEEDS_REVIEW,
                        f"解读《{i.title}》（{i.pub_date}）未找到对应的政策文件，无法判断是否及时，请人工核实",
                        urls=[i.url], interpretation=ref(i), searched=searched)]
    p = pr.policy
    if pr.interpretation is None:
        return [finding(ID, roles.get("missing"), page_subject(p.url), Outcome.NEEDS_REVIEW,
                        f"政策文件《{p.title}》（{p.pub_date}）未找到解读材料，请人工核实是否属于需解读的重要政策",
                        urls=[p.url], policy=ref(p), doc_number=_doc_number(p), searched=searched)]
    i = pr.interpretation
    evidence = {"urls": [p.url, i.url], "policy": ref(p), "interpretation": ref(i), "paired_by": METHOD_WORDS[pr.method],
                "dates": {"policy": p.pub_date, "interpretation": i.pub_date}, "lag_working_days": pr.lag,
                "searched": searched}
    subject = page_subject(p.url)
    out = [finding(ID, roles.get("missing"), subject, Outcome.PASS, f"政策文件《{p.title}》已解读（按{METHOD_WORDS[pr.method]}配对）",
                   urls=[p.url, i.url], paired_by=METHOD_WORDS[pr.method], searched=searched)]
    if pr.status == "unknown":
        out.append(finding(ID, roles.get("late"), subject, Outcome.COULD_NOT_ASSESS, f"无法计算解读时差：{pr.reason}", **evidence))
    elif pr.status == "on_time":
        when = "早于或同日于政策发布" if pr.lag == 0 else f"政策发布后第{pr.lag}个工作日"
        out.append(finding(ID, roles.get("late"), subject, Outcome.PASS, f"解读{when}公开，在3个工作日内", **evidence))
    else:
        msg = f"解读于政策发布后第{pr.lag}个工作日公开（{p.pub_date}→{i.pub_date}），超过3个工作日"
        if pr.method == "fuzzy":
            out.append(finding(ID, roles.get("late"), subject, Outcome.NEEDS_REVIEW, msg + "；配对依据为标题相似，请确认", **evidence))
        else:
            out.append(finding(ID, roles.get("late"), subject, Outcome.FAIL, msg, **evidence))
    return out


CHECK = Check(
    id=ID,
    title="政策解读",
    roles={
        "missing": Role("考核期内的政策文件均有解读"),
        "late": Role("解读在政策公开后3个工作日内公开"),
    },
    run=run,
)
