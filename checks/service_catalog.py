"""事项目录清单和实施清单: the 政务服务事项目录 and the 实施清单 are published.

Rubric clauses (2017): township 3.2 / department 3.1 "编制政务服务事项目录清单和实施清单" (未编制目录清单;
未编制实施清单).

Roles: ``catalog`` (目录清单), ``implementation`` (实施清单).

A page whose title, column or breadcrumb names the 事项目录 (目录清单, 服务事项目录 — not the 政府信息公开目录) or
the 实施清单.

Outcomes: found → pass; not found → needs_review (they may be published on the provincial 政务服务网
only). Nothing fails.
Subject keys: ``service-catalog``; ``implementation-list``.
"""

from __future__ import annotations

import re

from checks.base import Check, CheckContext, Finding, Role, Subject, presence

ID = "service_catalog"
SUBJECT_CATALOG = Subject("service-catalog", "政务服务事项目录清单")
SUBJECT_IMPLEMENTATION = Subject("implementation-list", "政务服务事项实施清单")
CATALOG = re.compile(r"事项目录|目录清单|服务事项清单")
IMPLEMENTATION = re.compile(r"实施清单")


def run(ctx: CheckContext, roles: dict[str, str]) -> list[Finding]:
    return [
        presence(ctx, ID, roles.get("catalog"), SUBJECT_CATALOG, CATALOG, "政务服务事项目录清单"),
        presence(ctx, ID, roles.get("implementation"), SUBJECT_IMPLEMENTATION, IMPLEMENTATION, "政务服务事项实施清单"),
    ]


CHECK = Check(
    id=ID,
    title="事项目录清单和实施清单",
    roles={
        "catalog": Role("已公开政务服务事项目录清单"),
        "implementation": Role("已公开政务服务事项实施清单"),
    },
    run=run,
)
