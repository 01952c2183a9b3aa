"""便民服务公开事项: the items a township must disclose at its service venue, as far as its website shows them.

Rubric clause (2017): township 4.1 "在乡镇（街道）便民服务场所全面公开乡镇概况，办事机构情况，惠农（民）政策……计划生育等信息"
(未按要求及时公开; 公开内容不全面的，每缺一项, items = the rule's 11 items; 2017 numbering). The rubric asks for
disclosure at the physical venue; a website only shows the same items published online, so every outcome
here is evidence for a person.

Roles: ``whole`` (未按要求及时公开), ``items`` (per item of the bound rule's ``items``; ``whole`` looks for
that list, or for every item of ``ITEMS`` when ``items`` is not bound).

``ITEMS`` maps each item to the title/column words sites use for it; an item it does not know cannot be
searched and is listed as such (counted missing, for review). Outcomes: none of the items found →
needs_review on whole (items could_not_assess); some missing → whole pass, items needs_review with the
number missing; all found → pass. Nothing fails.
Subject key: ``public-items``.
"""

from __future__ import annotations

import re

from checks.base import Check, CheckContext, Finding, Role, Subject, finding
from checks.text import label
from rubrics.model import Outcome

ID = "township_public_items"
SUBJECT = Subject("public-items", "便民服务公开事项")
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
    items = ctx.rubric.find_rule(roles["items"])[1].items if "items" in roles else tuple(ITEMS)
    found: dict[str, list[str]] = {}
    for item in items:
        found[item] = [r.url for r in ctx.records if item in _PATTERNS and _PATTERNS[item].search(label(r))]
    missing = [i for i in items if not found[i]]
    evidence = {"found": {k: v[:5] for k, v in found.items() if v}, "missing": missing,
                "searched": ctx.searched(patterns={i: ITEMS[i] for i in items if i in ITEMS},
                                         unknown_items=[i for i in items if i not in ITEMS])}
    if len(missing) == len(items):
        return [
            finding(ID, roles.get("whole"), SUBJECT, Outcome.NEEDS_REVIEW,
                    "网站上未找到任何便民服务公开事项（乡镇概况、惠农政策、财政收支等），请到便民服务场所核实", **evidence),
            finding(ID, roles.get("items"), SUBJECT, Outcome.COULD_NOT_ASSESS, "网站上未找到任何公开事项，见“未按要求及时公开”", **evidence),
        ]
    out = [finding(ID, roles.get("whole"), SUBJECT, Outcome.PASS, f"网站上找到{len(items) - len(missing)}项便民服务公开事项", **evidence)]
    if missing:
        out.append(finding(ID, roles.get("items"), SUBJECT, Outcome.NEEDS_REVIEW,
                           f"网站上未找到{len(missing)}项：{'；'.join(missing)}，请到便民服务场所核实", count=len(missing), **evidence))
    else:
        out.append(finding(ID, roles.get("items"), SUBJECT, Outcome.PASS, f"{len(items)}项公开事项均在网站上找到", count=0, **evidence))
    return out


CHECK = Check(
    id=ID,
    title="便民服务公开事项",
    roles={
        "whole": Role("网站上找到至少一项便民服务公开事项"),
        "items": Role("规则清单中的各项公开事项均在网站上找到（每缺一项计一）", items=True),
    },
    run=run,
)
