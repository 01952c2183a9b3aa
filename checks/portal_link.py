"""统一网上政务服务门户: the site links to the province's unified online service portal.

Rubric clauses (2017): township 3.6 / department 3.5 "依托省级统筹开发的互联网政务服务门户……部署全省统一的网上政务服务入口"
(未按规定接入统一的网上政务服务门户 3.6.b / 3.5.b). 3.6.a / 3.5.a (网站集约) is not judged here.

A link on any crawled page whose host is a provincial 政务服务网 (``zwfw.<province>.gov.cn``) or whose text names
the portal (湖南政务服务网, 网上办事大厅, 网上政务服务 …) and that leads off the page's own host.

Outcomes: found → pass with the link and the page it is on; not found → needs_review. Nothing fails.
Roles: ``portal``.
Subject key: ``service-portal-link``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from checks.base import Check, CheckContext, Finding, Role, Subject, finding
from rubrics.model import Outcome

ID = "portal_link"
SUBJECT = Subject("service-portal-link", "统一网上政务服务门户链接")
PORTAL_HOST = re.compile(r"^zwfw\.[a-z]+\.gov\.cn$")
PORTAL_TEXT = re.compile(r"政务服务网|网上办事大厅|网上政务服务|政务服务平台|一体化平台")


def run(ctx: CheckContext, roles: dict[str, str]) -> list[Finding]:
    hits = []
    pages_with_links = 0
    for r in ctx.records:
        if r.links:
            pages_with_links += 1
        own = urlsplit(r.final_url or r.url).hostname
        for link in r.links:
            host = urlsplit(link.url).hostname or ""
            if PORTAL_HOST.match(host) or (host and host != own and PORTAL_TEXT.search(link.text or "")):
                hits.append({"page": r.url, "link": link.url, "text": link.text})
                break
    searched = ctx.searched(pages_with_links=pages_with_links, host_pattern=PORTAL_HOST.pattern, text_pattern=PORTAL_TEXT.pattern)
    if hits:
        first = hits[0]
        return [finding(ID, roles["portal"], SUBJECT, Outcome.PASS, f"已设置统一网上政务服务入口：{first['text'] or first['link']}",
                        urls=[h["page"] for h in hits[:10]], links=hits[:10], searched=searched)]
    return [finding(ID, roles["portal"], SUBJECT, Outcome.NEEDS_REVIEW,
                    f"在{pages_with_links}个含链接的页面中未找到指向省统一网上政务服务门户的入口，请人工核实", searched=searched)]


CHECK = Check(
    id=ID,
    title="统一网上政务服务门户",
    roles={"portal": Role("网站设有全省统一的网上政务服务入口")},
    run=run,
)
