"""HTTPS 加密访问: whether the site is served over HTTPS, as evidence for 信息安全.

Rubric clauses (2017): township 3.21 / department 3.19 信息安全 "加强网站信息安全建设" (3.21.a / 3.19.a). HTTPS was not
an explicit requirement in 2017; it is one thing an assessor weighs.

Looks at the scheme of each page's final URL (after redirects): the site's root pages when the crawl
has them, else every page.

Outcomes: all HTTPS → pass; some or all plain HTTP → needs_review with count 0 (evidence,
no points proposed).
Roles: ``security``.
Subject key: ``https``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from checks.base import Check, CheckContext, Finding, Role, Subject, finding
from rubrics.model import Outcome

ID = "https"
SUBJECT = Subject("https", "HTTPS")


def run(ctx: CheckContext, roles: dict[str, str]) -> list[Finding]:
    roots = [r for r in ctx.records if r.role == "root"]
    pages = roots or ctx.records
    plain = [r.final_url or r.url for r in pages if urlsplit(r.final_url or r.url).scheme != "https"]
    searched = ctx.searched(looked_at="首页" if roots else "全部页面", checked=len(pages))
    if not pages:
        return [finding(ID, roles["security"], SUBJECT, Outcome.NEEDS_REVIEW, "没有抓取到页面，无法判断是否启用HTTPS", count=0,
                        searched=searched)]
    if not plain:
        return [finding(ID, roles["security"], SUBJECT, Outcome.PASS, f"{len(pages)}个页面均经HTTPS访问",
                        urls=[(pages[0].final_url or pages[0].url)], searched=searched)]
    what = "网站未启用HTTPS" if len(plain) == len(pages) else f"{len(plain)}/{len(pages)}个页面未经HTTPS访问"
    return [finding(ID, roles["security"], SUBJECT, Outcome.NEEDS_REVIEW, f"{what}（供信息安全指标人工判断）", count=0,
                    urls=plain[:10], searched=searched)]


CHECK = Check(
    id=ID,
    title="HTTPS 加密访问",
    roles={"security": Role("网站经HTTPS访问")},
    run=run,
)
