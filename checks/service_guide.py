"""办事指南: service guides exist and carry the rubric's 22 elements with real values.

Rubric clauses (2017): township 3.3 / department 3.2 "办事指南包括事项名称、事项类型……监督电话等要素" (未编制办事指南;
指南要素不全的，每缺一项扣0.5分, items = the 22 elements).

Roles: ``none`` (未编制办事指南), ``elements`` (per element of the bound rule's ``items``).

Reads pages of kind ``service_guide`` and their ``extras["service_guide"]`` element states (page
understanding tells present / empty / placeholder / image_only / missing apart, in tables, prose and
attachments).

Outcomes: no guide at all → needs_review on 未编制 (and the element rule could_not_assess). Elements: the
count is the number of DISTINCT elements missing (missing, empty or placeholder) from at least one guide —
fail, since the guide itself shows the gap; "不收费" (or 免费, 不涉及收费) in 收费标准 makes 收费依据 moot for
that guide. A value only in an image is neither present nor missing, and neither is an element not found
in a guide that labels fewer than half of the elements (written as running prose, or an excerpt: its
elements may sit inside sentences without labels, so "not found" is not proof):
those are uncertain — listed in the evidence and, when nothing certain is missing, needs_review counting
them. So is an element of a later rubric's list that page understanding does not read (not one of its 22). The evidence is the guide × element matrix.

Subject keys: ``service-guides`` (none); ``service-guides/elements`` (elements).
"""

from __future__ import annotations

import re

from checks.base import Check, CheckContext, Finding, Role, Subject, finding
from crawler.understand.service_guide import ELEMENTS as READABLE
from rubrics.model import Outcome

ID = "service_guide"
SUBJECT_NONE = Subject("service-guides", "办事指南")
SUBJECT_ELEMENTS = Subject("service-guides/elements", "办事指南要素")
GAP_STATES = frozenset({"missing", "empty", "placeholder"})
_NO_FEE = re.compile(r"不收费|免费|不涉及收费|无收费|零收费|不收取")


def element_states(guide_extras: dict, elements: tuple[str, ...]) -> dict[str, str]:
    """State per rubric element of one guide; 收费依据 counts as present when the guide charges no fee."""
    found = guide_extras.get("elements") or {}
    states = {e: (found.get(e) or {}).get("state", "missing") for e in elements}
    fee = found.get("收费标准") or {}
    if fee.get("state") == "present" and _NO_FEE.search(fee.get("value") or "") and states.get("收费依据") in GAP_STATES:
        states["收费依据"] = "present"
    return states


def run(ctx: CheckContext, roles: dict[str, str]) -> list[Finding]:
    guides = [g for g in ctx.of_kind("service_guide") if g.extras.get("service_guide")]
    searched = ctx.searched(kinds=["办事指南"], guides_found=len(guides))
    if not guides:
        return [
            finding(ID, roles.get("none"), SUBJECT_NONE, Outcome.NEEDS_REVIEW,
                    f"在抓取的{len(ctx.records)}个页面中未找到办事指南，请人工核实（可能发布在政务服务网）", searched=searched),
            finding(ID, roles.get("elements"), SUBJECT_ELEMENTS, Outcome.COULD_NOT_ASSESS, "未找到办事指南，无从评估要素（见“未编制办事指南”）",
                    searched=searched),
        ]
    out = [finding(ID, roles.get("none"), SUBJECT_NONE, Outcome.PASS, f"已编制办事指南{len(guides)}份",
                   urls=[g.url for g in guides], searched=searched)]
    if "elements" in roles:
        out.append(_elements(ctx, roles["elements"], guides, searched))
    return out


def _elements(ctx: CheckContext, rule_id: str, guides, searched) -> Finding:
    _, rule = ctx.rubric.find_rule(rule_id)
    elements = rule.items
    matrix = []
    missing: dict[str, list[str]] = {}
    uncertain: dict[str, list[str]] = {}
    for g in guides:
        extras = g.extras["service_guide"]
        states = element_states(extras, elements)
        labelled = sum(1 for e in elements if (extras.get("elements") or {}).get(e, {}).get("state", "missing") != "missing")
        prose = labelled < len(elements) / 2
        matrix.append({"url": g.url, "title": g.title, "format": extras.get("format"), "states": states})
        for e, state in states.items():
            if e not in READABLE or state == "image_only" or (prose and state == "missing"):
                uncertain.setdefault(e, []).append(g.url)
            elif state in GAP_STATES:
                missing.setdefault(e, []).append(g.url)
    missing = {e: missing[e] for e in elements if e in missing}
    uncertain = {e: uncertain[e] for e in elements if e in uncertain and e not in missing}
    evidence = {"urls": [g.url for g in guides], "matrix": matrix, "missing": missing, "uncertain": uncertain,
                "searched": searched}
    also = f"；另有{len(uncertain)}项要素仅见于图片或未分项列明的指南、未能识别（未计入），请人工核实：{'、'.join(uncertain)}" if uncertain else ""
    if missing:
        names = "、".join(missing)
        return finding(ID, rule_id, SUBJECT_ELEMENTS, Outcome.FAIL,
                       f"{len(guides)}份办事指南中共缺{len(missing)}项要素（至少一份缺失）：{names}{also}",
                       count=len(missing), **evidence)
    if uncertain:
        names = "、".join(uncertain)
        return finding(ID, rule_id, SUBJECT_ELEMENTS, Outcome.NEEDS_REVIEW,
                       f"以下要素仅见于图片或未分项列明的指南、未能识别，请人工核实：{names}", count=len(uncertain), **evidence)
    return finding(ID, rule_id, SUBJECT_ELEMENTS, Outcome.PASS,
                   f"{len(guides)}份办事指南的{len(elements)}项要素均齐全", count=0, **evidence)


CHECK = Check(
    id=ID,
    title=SUBJECT_NONE.label,
    roles={
        "none": Role("已编制办事指南"),
        "elements": Role("办事指南含规则清单中的各项要素（每缺一项计一）", items=True),
    },
    run=run,
)
