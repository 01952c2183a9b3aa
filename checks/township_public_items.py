"""便民服务公开事项: the items a township must disclose at its service venue, as far as its website shows them.

Rubric clause: township 4.1 "在乡镇（街道）便民服务场所全面公开乡镇概况，办事机构情况，惠农（民）政策……计划生育等信息"
(未按要求及时公开 4.1.a; 公开内容不全面的，每缺一项 4.1.b, items = the rule's 11 items). The rubric asks for
disclosure at the physical venue; a website only shows the same items published online, so every outcome
here is evidence for a person.

``ITEMS`` maps each item to the title/column words sites use for it. Outcomes: none of the items found →
needs_review on 4.1.a (4.1.b could_not_assess); some missing → 4.1.a pass, 4.1.b needs_review with the
number missing; all found → pass. Nothing fails.
Subject: "便民服务公开事项".
"""

from __future__ import annotations

import re

from checks.base import Check, CheckContext, Finding, finding
from checks.text import label
from rubrics.engine import Outcome

ID = "township_public_items"
SUBJECT = "便民服务公开事项"
ITEMS = {
    "乡镇概况": "乡镇概况|镇情|乡情|概况|走进",
    "办事机构情况": "办事机构|机构设置|内设机构|站所|机构职能",
    "惠农（民）政策": "惠农|惠民",
    "财政收支、专项资金": "财政收支|专项资金|预算|决算",
    "土地利用规划、宅基地审核": "土地利用规划|宅基地",
    "征收或者征用土地": "征地|征收土地|征用土地|土地征收",
    "房屋拆迁及其补偿、补助费用的发放、使用": "拆迁|房屋征收",
    "债权债务、筹资筹劳": "债权债务|债务|筹资筹劳|一事一议",
    "抢险救灾、优抚、救济、社会捐助等款物的发放情况": "救灾|优抚|救济|捐助|捐赠",
    "经济实体承包、租赁、拍卖等情况": "承包|租赁|拍卖",
    "计划生育": "计划生育|计生",
}
_PATTERNS = {item: re.compile(words) for item, words in ITEMS.items()}


def run(ctx: CheckContext, roles: dict[str, str]) -> list[Finding]:
    _, rule = ctx.rubric.find_rule(roles["items"])
    found: dict[str, list[str]] = {}
    for item in rule.items:
        found[item] = [r.url for r in ctx.records if _PATTERNS[item].search(label(r))]
    missing = [i for i in rule.items if not found[i]]
    evidence = {"found": {k: v[:5] for k, v in found.items() if v}, "missing": missing,
                "searched": ctx.searched(patterns={i: ITEMS[i] for i in rule.items})}
    if len(missing) == len(rule.items):
        return [
            finding(ID, roles["whole"], SUBJECT, Outcome.NEEDS_REVIEW,
                    "网站上未找到任何便民服务公开事项（乡镇概况、惠农政策、财政收支等），请到便民服务场所核实", **evidence),
            finding(ID, roles["items"], SUBJECT, Outcome.COULD_NOT_ASSESS, "网站上未找到任何公开事项，见“未按要求及时公开”", **evidence),
        ]
    out = [finding(ID, roles["whole"], SUBJECT, Outcome.PASS, f"网站上找到{len(rule.items) - len(missing)}项便民服务公开事项", **evidence)]
    if missing:
        out.append(finding(ID, roles["items"], SUBJECT, Outcome.NEEDS_REVIEW,
                           f"网站上未找到{len(missing)}项：{'；'.join(missing)}，请到便民服务场所核实", count=len(missing), **evidence))
    else:
        out.append(finding(ID, roles["items"], SUBJECT, Outcome.PASS, f"{len(rule.items)}项公开事项均在网站上找到", count=0, **evidence))
    return out


CHECK = Check(
    id=ID,
    title="便民服务公开事项",
    rules={"township-2017": {"whole": "township-2017.4.1.a", "items": "township-2017.4.1.b"}},
    run=run,
)
