"""The one table of checks: id → module. Each module declares ``CHECK`` (see checks.base.Check).

``run_checks`` runs every check that serves the context's rubric and returns all findings.
"""

from __future__ import annotations

from types import ModuleType

from checks import (
    annual_report,
    guide,
    https,
    interpretation,
    leadership,
    online_service,
    open_data,
    platform,
    portal_link,
    privacy,
    proactive,
    response,
    review_rules,
    service_catalog,
    service_guide,
    township_public_items,
    work_plan,
)
from checks.base import Check, CheckContext, Finding

REGISTRY: dict[str, ModuleType] = {
    "guide": guide,
    "annual_report": annual_report,
    "service_guide": service_guide,
    "interpretation": interpretation,
    "proactive": proactive,
    "work_plan": work_plan,
    "leadership": leadership,
    "platform": platform,
    "response": response,
    "service_catalog": service_catalog,
    "review_rules": review_rules,
    "township_public_items": township_public_items,
    "portal_link": portal_link,
    "online_service": online_service,
    "open_data": open_data,
    "privacy": privacy,
    "https": https,
}


def checks() -> list[Check]:
    return [module.CHECK for module in REGISTRY.values()]


def run_checks(ctx: CheckContext) -> list[Finding]:
    findings: list[Finding] = []
    for check in checks():
        findings.extend(check(ctx))
    return findings
