"""网上办事: service guides offer online handling and downloadable or online forms.

Rubric clauses (2017): township 3.14 / department 3.13 "推进办事材料目录化、标准化、电子化，开展在线填报、在线提交"
(未推进办事材料电子化); township 3.15 / department 3.14 "实行网上受理、网上办理、网上反馈" (未推行). The 流程优化
rules are not visible on a website.

Roles: ``materials`` (forms to download or fill in online), ``online`` (online handling).

Reads service guides (kind ``service_guide``): materials are electronic when a guide has a form attachment
(doc, docx, xls, xlsx, pdf, wps, et) or a 下载/在线填报 link; online handling when a guide links to 在线办理 /
网上申报 … or its 办理形式 says 网上/在线.

Outcomes: found → pass with the guides; not found (or no guides) →
needs_review. Nothing fails.
Subject keys: ``service-guides/forms`` (materials); ``service-guides/online`` (online).
"""

from __future__ import annotations

import re

from checks.base import Check, CheckContext, Finding, Role, Subject, finding
from rubrics.model import Outcome

ID = "online_service"
SUBJECT_FORMS = Subject("service-guides/forms", "办事材料电子化")
SUBJECT_ONLINE = Subject("service-guides/online", "网上受理办理反馈")
FORM_EXTS = frozenset({"doc", "docx", "xls", "xlsx", "pdf", "wps", "et"})
FORM_LINK = re.compile(r"下载|表格|在线填报|在线填写")
ONLINE_LINK = re.compile(r"在线办理|网上办理|在线申请|网上申请|网上申报|在线申报|在线预约|办理入口|我要办")
ONLINE_FORM = re.compile(r"网上|在线|网办|全程网办")


def run(ctx: CheckContext, roles: dict[str, str]) -> list[Finding]:
    guides = ctx.of_kind("service_guide")
    forms, online = [], []
    for g in guides:
        if any(a.ext in FORM_EXTS for a in g.attachments) or any(FORM_LINK.search(link.text or "") for link in g.links):
            forms.append(g.url)
        how = (((g.extras.get("service_guide") or {}).get("elements") or {}).get("办理形式") or {}).get("value") or ""
        if any(ONLINE_LINK.search(link.text or "") for link in g.links) or ONLINE_FORM.search(how):
            online.append(g.url)
    searched = ctx.searched(guides=len(guides), form_extensions=sorted(FORM_EXTS), form_links=FORM_LINK.pattern,
                            online_links=ONLINE_LINK.pattern, online_form=ONLINE_FORM.pattern)
    return [
        _result(roles.get("materials"), SUBJECT_FORMS, forms, len(guides), "提供表格下载或在线填报", searched),
        _result(roles.get("online"), SUBJECT_ONLINE, online, len(guides), "提供网上办理入口", searched),
    ]


def _result(rule_id: str | None, subject: Subject, urls: list[str], total: int, what: str, searched: dict) -> Finding:
    if urls:
        return finding(ID, rule_id, subject, Outcome.PASS, f"{total}份办事指南中有{len(urls)}份{what}", urls=urls[:20],
                       found=len(urls), searched=searched)
    if not total:
        return finding(ID, rule_id, subject, Outcome.NEEDS_REVIEW, f"未找到办事指南，无法确认是否{what}，请人工核实", searched=searched)
    return finding(ID, rule_id, subject, Outcome.NEEDS_REVIEW, f"{total}份办事指南均未{what}，请人工核实（可能在政务服务网办理）",
                   searched=searched)


CHECK = Check(
    id=ID,
    title="网上办事",
    roles={
        "materials": Role("办事指南提供表格下载或在线填报"),
        "online": Role("办事指南提供网上办理入口"),
    },
    run=run,
)
