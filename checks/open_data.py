"""数据开放: the site opens government data (a 数据开放 column or documents).

Rubric clauses (2017): township 3.18 "依法有序推进网上开放政务服务资源和数据" (未实施 3.18.a); department 3.15
"建立健全……政务信息资源共享目录……等制度……推进……网上开放政务服务资源和数据" (未按要求实施 3.15.a).

A page whose title, column or breadcrumb names 数据开放 / 开放数据 / 政务数据 / 共享目录.

Outcomes: found → pass with the pages; not found → needs_review. Nothing fails: whether what is published is enough is for a person.
Roles: ``open_data``.
Subject key: ``open-data``.
"""

from __future__ import annotations

import re

from checks.base import Check, CheckContext, Finding, Role, Subject, presence

ID = "open_data"
SUBJECT = Subject("open-data", "数据开放")
PATTERN = re.compile(r"数据开放|开放数据|政务数据|数据资源|共享目录|资源目录")


def run(ctx: CheckContext, roles: dict[str, str]) -> list[Finding]:
    return [presence(ctx, ID, roles["open_data"], SUBJECT, PATTERN, "数据开放栏目或文件")]


CHECK = Check(
    id=ID,
    title="数据开放",
    roles={"open_data": Role("网上开放政务服务资源和数据（数据开放栏目或文件）")},
    run=run,
)
