"""审查工作细则: the 审查工作细则 is published and covers the rubric's 11 elements.

Rubric clauses (2017): township 3.4 / department 3.3 "审查工作包括基本信息、政务服务人员、业务流程、申请、受理、审查、
决定、证件制作与送达、决定公开、收费、咨询等要素" (未实施; 细则要素不明确的，每缺一项, items = the 11 elements).

Roles: ``none`` (未实施), ``elements`` (per element of the bound rule's ``items``).

Documents: pages whose title, column or breadcrumb names 审查工作细则 (审查细则). An element is covered when
the text of some document has it as a heading — a numbered line ("第五章 受理", "五、受理", "（五）受理", "5.
受理") or a labelled line ("受理：") — since words like 申请, 审查 and 收费 occur everywhere in such text. A
heading for a longer element does not count for a shorter one (决定公开 is not 决定).

Outcomes: no document → needs_review on 未实施 (the element rule could_not_assess); elements without a
heading → needs_review with their number (the structure of a 细则 varies; a person confirms). Nothing fails.
Subject key: ``review-rules``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from checks.base import Check, CheckContext, Finding, Role, Subject, finding, ref
from checks.text import label
from rubrics.model import Outcome

ID = "review_rules"
SUBJECT = Subject("review-rules", "审查工作细则")
DOCUMENT = re.compile(r"审查工作细则|审查细则")
_NUMBER = r"(?:第[一二三四五六七八九十百\d]+[章节条部分]|[一二三四五六七八九十]+[、.．]|（[一二三四五六七八九十\d]+）|\(\d+\)|\d+[.、．)）])"


@lru_cache(maxsize=64)
def heading(element: str, longer: tuple[str, ...]) -> re.Pattern[str]:
    """A heading line for ``element`` that is not the start of a longer element's name."""
    guard = "".join(f"(?!{re.escape(name[len(element):])})" for name in longer)
    e = re.escape(element)
    return re.compile(f"(?:^|\\n)[ \\t\\u3000]*(?:{_NUMBER}[ \\t\\u3000]*{e}{guard}|{e}{guard}[ \\t\\u3000]*[：:])")


def run(ctx: CheckContext, roles: dict[str, str]) -> list[Finding]:
    docs = [r for r in ctx.records if DOCUMENT.search(label(r))]
    searched = ctx.searched(patterns=[DOCUMENT.pattern], documents=len(docs))
    if not docs:
        return [
            finding(ID, roles.get("none"), SUBJECT, Outcome.NEEDS_REVIEW, "未找到审查工作细则，请人工核实", searched=searched),
            finding(ID, roles.get("elements"), SUBJECT, Outcome.COULD_NOT_ASSESS, "未找到审查工作细则，无从评估要素（见“未实施”）",
                    searched=searched),
        ]
    out = [finding(ID, roles.get("none"), SUBJECT, Outcome.PASS, f"已公开审查工作细则{len(docs)}份", urls=[r.url for r in docs],
                   searched=searched)]
    if "elements" in roles:
        out.append(_elements(ctx, roles["elements"], docs, searched))
    return out


def _elements(ctx: CheckContext, rule_id: str, docs, searched) -> Finding:
    _, rule = ctx.rubric.find_rule(rule_id)
    texts = [r.full_text for r in docs]
    covered, missing = {}, []
    for element in rule.items:
        pattern = heading(element, tuple(e for e in rule.items if e != element and e.startswith(element)))
        hit = next((docs[n].url for n, t in enumerate(texts) if pattern.search(t)), None)
        if hit:
            covered[element] = hit
        else:
            missing.append(element)
    evidence = {"urls": [r.url for r in docs], "documents": [ref(r) for r in docs], "covered": covered, "missing": missing,
                "searched": searched}
    if missing:
        return finding(ID, rule_id, SUBJECT, Outcome.NEEDS_REVIEW,
                       f"审查工作细则中未找到以下要素的章节：{'、'.join(missing)}，请人工核实", count=len(missing), **evidence)
    return finding(ID, rule_id, SUBJECT, Outcome.PASS, f"{len(rule.items)}项要素均有对应章节", count=0, **evidence)


CHECK = Check(
    id=ID,
    title=SUBJECT.label,
    roles={
        "none": Role("已公开审查工作细则"),
        "elements": Role("审查工作细则含规则清单中的各项要素（每缺一项计一）", items=True),
    },
    run=run,
)
