"""主动公开: each category of the rubric's list is published, and the dynamic ones were updated in the period.

Rubric clause (2017): township 2.5 / department 2.5 "未按时限在政府（门户）网站、政府信息公开平台及时公开相关信息的，每缺
一项扣N分"; the categories are the rule's own ``items`` (25 in each rubric; 扶贫工作信息 once; the township
has 行政事业单位人员招录 / 经济社会发展规划 where the department has 人员招录 / 工作规划).

``TAXONOMY`` maps every category of both rubrics to the column names and title words sites use for it and
to the URL path segments (pinyin abbreviations) of its column. A page belongs to a category when its
title, column or breadcrumb matches, or a segment of its URL path is one of the category's. Categories
in ``DYNAMIC`` must also have a page dated in the period; the others (机构职能, 分工, 规划, 清单) only need
to be there.

Outcome: one finding, count = categories missing (not found, or dynamic and not updated in the period) →
needs_review (the site may publish them under names the taxonomy does not know); none missing → pass.
The evidence lists, per category, what was found, the latest date and examples.
A category of the rule's list that ``TAXONOMY`` does not know (a later rubric's new wording) cannot be
searched: it counts as not found and ``searched.unknown_categories`` names it, so a person looks.

Roles: ``categories``.
Subject key: ``proactive-categories``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from checks.base import Check, CheckContext, Finding, Role, Subject, finding
from checks.text import label
from rubrics.model import Outcome

ID = "proactive"
SUBJECT = Subject("proactive-categories", "主动公开类别")

# category → (title/column words, URL path segments)
TAXONOMY: dict[str, tuple[str, tuple[str, ...]]] = {
    "机构职能": ("机构职能|机构设置|内设机构|职能职责|部门职责|机构概况|主要职责", ("jgzn", "jgsz", "jgzz")),
    "领导成员分工": ("领导信息|领导分工|领导班子|领导成员|领导简介|班子成员", ("ldxx", "ldfg", "ldbz", "ldjj")),
    "人事任免": ("人事任免|任免|任职|免职|任前公示", ("rsrm", "rsxx")),
    "行政事业单位人员招录": ("人员招录|人事招录|招录|招聘|招考|录用", ("rszl", "zkzp", "rylz", "zlxx")),
    "人员招录": ("人员招录|人事招录|招录|招聘|招考|录用", ("rszl", "zkzp", "rylz", "zlxx")),
    "经济社会发展规划": ("国民经济和社会发展|社会发展规划|五年规划|发展规划|规划计划", ("ghjh", "fzgh")),
    "工作规划": ("工作规划|工作计划|规划计划|发展规划|年度计划|五年规划", ("ghjh", "gzjh", "gzgh")),
    "专项规划": ("专项规划|总体规划|城乡规划|专项计划", ("zxgh",)),
    "规范性文件": ("规范性文件", ("gfxwj",)),
    "权力、责任、准入清单": ("权力清单|责任清单|权责清单|准入清单|负面清单|权力运行", ("qzqd", "qlqd", "zrqd")),
    "市场监管信息": ("市场监管|双随机|抽查|抽检|行政处罚|监督检查", ("scjg", "ssj")),
    "政务服务信息": ("政务服务|便民服务|办事指南|办事服务|网上办事", ("zwfw", "bmfw", "bszn")),
    "经济社会政策": ("经济社会政策|惠民政策|惠农政策|惠企政策|政策文件|政策法规", ("hmzc", "zcwj", "zcfg")),
    "政府投资重大建设项目信息": ("重大建设项目|重大项目|政府投资项目|建设项目", ("zdxm", "zdjsxm")),
    "公共资源交易信息": ("公共资源交易|招标|投标|中标|政府采购|招投标", ("ggzy", "ggzyjy", "zfcg")),
    "减税降费信息": ("减税降费|收费目录|涉企收费|降费|减税|行政事业性收费", ("jsjf",)),
    "国企运营监管信息": ("国企|国有企业|国有资产", ("gqyy", "gqjg")),
    "扶贫工作信息": ("扶贫|脱贫", ("fpgz", "jzfp", "fpxx")),
    "社会救助信息": ("社会救助|低保|救助|五保|特困", ("shjz",)),
    "就业创业信息": ("就业|创业", ("jycy",)),
    "棚改、危改、保障性住房信息": ("棚改|棚户区|危改|危房改造|保障性住房|保障房|安居工程|公租房", ("bzxzf", "pgwg")),
    "财政资金信息": ("财政资金|预算|决算|三公经费|专项资金", ("czzj", "czyjs", "yjs")),
    "安全生产监管信息": ("安全生产", ("aqsc",)),
    "环境保护信息": ("环境保护|环保|生态环境|环境监测|污染防治", ("hjbh",)),
    "社会组织和中介服务信息": ("社会组织|中介服务|中介机构", ("shzz", "zjfw")),
    "土地、房屋征收信息": ("征地|土地征收|房屋征收|拆迁", ("zdcq", "tdzs", "fwzs")),
    "教育、医疗卫生、科技、食品药品监管等信息": ("教育|医疗|卫生|科技|食品药品|食药", ("jyyl", "ylws", "spyp")),
}
# Categories whose information is expected to be renewed within the year.
DYNAMIC = frozenset({
    "人事任免", "行政事业单位人员招录", "人员招录", "规范性文件", "公共资源交易信息", "扶贫工作信息",
    "社会救助信息", "财政资金信息", "政府投资重大建设项目信息",
})
_PATTERNS = {item: re.compile(words) for item, (words, _) in TAXONOMY.items()}


def run(ctx: CheckContext, roles: dict[str, str]) -> list[Finding]:
    _, rule = ctx.rubric.find_rule(roles["categories"])
    items = rule.items
    found: dict[str, list] = {item: [] for item in items}
    columns: set[str] = set()
    for r in ctx.records:
        text = label(r)
        segments = set(urlsplit(r.url).path.split("/"))
        if r.column:
            columns.add(r.column)
        for item in items:
            if item in TAXONOMY and (_PATTERNS[item].search(text) or segments.intersection(TAXONOMY[item][1])):
                found[item].append(r)
    report: dict[str, dict] = {}
    missing: list[str] = []
    for item in items:
        pages = found[item]
        in_period = [r for r in pages if ctx.in_period(r.pub_date)]
        dates = sorted(r.pub_date for r in pages if r.pub_date)
        dynamic = item in DYNAMIC
        report[item] = {"found": len(pages), "in_period": len(in_period), "latest": dates[-1] if dates else None,
                        "dynamic": dynamic, "examples": [r.url for r in (in_period or pages)[:3]]}
        if not pages or (dynamic and not in_period):
            missing.append(item)
    searched = ctx.searched(columns_seen=sorted(columns)[:200], categories=len(items),
                            patterns={item: TAXONOMY[item][0] for item in missing if item in TAXONOMY},
                            url_segments={item: list(TAXONOMY[item][1]) for item in missing if item in TAXONOMY},
                            unknown_categories=[item for item in items if item not in TAXONOMY],
                            period=str(ctx.period))
    evidence = {"categories": report, "missing": missing, "searched": searched}
    if missing:
        detail = "；".join(
            f"{m}（{'栏目有信息但' + str(ctx.period) + '年无更新' if report[m]['found'] else '未找到'}）" for m in missing
        )
        return [finding(ID, roles["categories"], SUBJECT, Outcome.NEEDS_REVIEW,
                        f"{len(items)}类主动公开信息中有{len(missing)}类未找到或未及时更新：{detail}", count=len(missing), **evidence)]
    return [finding(ID, roles["categories"], SUBJECT, Outcome.PASS, f"{len(items)}类主动公开信息均已找到", count=0, **evidence)]


CHECK = Check(
    id=ID,
    title="主动公开",
    roles={"categories": Role("规则清单中各类主动公开信息均已公开（每缺一项计一）", items=True)},
    run=run,
)
