"""回应关切: the site has a column where the unit responds to public concerns.

Rubric clause (2017): township / department 2.4 "积极做好……热点问题的回应工作" (未及时回应的，每件次扣N分, 2.4.a). The
incidents that were not answered in time are known to assessors, not to a website: this check only shows
whether a response column exists, as evidence.

Outcomes: a page whose title, column or breadcrumb names 回应关切 (舆情回应, 热点回应, 解读回应 …) → pass
with the pages; none → needs_review with count 0 (a person looks; no points are proposed).
Roles: ``response``.
Subject key: ``response-column``.
"""

from __future__ import annotations

import re
from dataclasses import replace

from checks.base import Check, CheckContext, Finding, Role, Subject, presence
from rubrics.model import Outcome

ID = "response"
SUBJECT = Subject("response-column", "回应关切栏目")
PATTERN = re.compile(r"回应关切|回应关注|舆情回应|热点回应|解读回应|解读与回应|政务舆情")


def run(ctx: CheckContext, roles: dict[str, str]) -> list[Finding]:
    f = presence(ctx, ID, roles["response"], SUBJECT, PATTERN, "回应关切栏目")
    if f.outcome is Outcome.NEEDS_REVIEW:
        f = replace(f, count=0, message=f.message + "；未及时回应的件次由考核人员录入")
    return [f]


CHECK = Check(
    id=ID,
    title="回应关切",
    roles={"response": Role("设有回应关切栏目")},
    run=run,
)
