"""事项目录清单和实施清单: the 政务服务事项目录 and the 实施清单 are published.

Rubric clauses: township 3.2 / department 3.1 "编制政务服务事项目录清单和实施清单" (未编制目录清单 3.2.a / 3.1.a;
未编制实施清单 3.2.b / 3.1.b).

A page whose title, column or breadcrumb names the 事项目录 (目录清单, 服务事项目录 — not the 政府信息公开目录) or
the 实施清单.

Outcomes: found → pass; not found → needs_review (they may be published on the provincial 政务服务网
only). Nothing fails.
Subjects: "政务服务事项目录清单"; "政务服务事项实施清单".
"""

from __future__ import annotations

import re

from checks.base import Check, CheckContext, Finding, presence

ID = "service_catalog"
CATALOG = re.compile(r"事项目录|目录清单|服务事项清单")
IMPLEMENTATION = re.compile(r"实施清单")


def run(ctx: CheckContext, roles: dict[str, str]) -> list[Finding]:
    return [
        presence(ctx, ID, roles["catalog"], "政务服务事项目录清单", CATALOG, "政务服务事项目录清单"),
        presence(ctx, ID, roles["implementation"], "政务服务事项实施清单", IMPLEMENTATION, "政务服务事项实施清单"),
    ]


CHECK = Check(
    id=ID,
    title="事项目录清单和实施清单",
    rules={
        "township-2017": {"catalog": "township-2017.3.2.a", "implementation": "township-2017.3.2.b"},
        "department-2017": {"catalog": "department-2017.3.1.a", "implementation": "department-2017.3.1.b"},
    },
    run=run,
)
