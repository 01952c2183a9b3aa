"""The one table of checks: id → module. Each module declares ``CHECK`` (see checks.base.Check).

``run_checks`` runs every check the context's rubric binds and returns all findings. The shipped rubrics are
loaded through this module (``rubrics``, ``get_rubric``, ``rubric_for``) so that every ``check: id.role``
binding is validated against the checks' declared roles when the file is loaded; a rubric file given by
path is read by ``rubrics.loader.load_rubric_file`` with this module's ``catalogue()``.
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
from rubrics import loader
from rubrics.model import Rubric

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


def catalogue() -> dict[str, dict[str, bool]]:
    """check id → role → whether the role counts its rule's ``items``: what a rubric file may bind."""
    return {c.id: {role: r.items for role, r in c.roles.items()} for c in checks()}


def rubrics() -> dict[str, Rubric]:
    """Every shipped rubric, by id, its bindings validated against the checks."""
    return loader.load_all(catalogue())


def get_rubric(rubric_id: str) -> Rubric:
    return loader.get_rubric(rubric_id, catalogue())


def rubric_for(kind: str, period: int) -> Rubric:
    """The rubric in force for ``kind`` in ``period`` (the newest whose stated periods cover it)."""
    return loader.rubric_for(kind, period, catalogue())


def run_checks(ctx: CheckContext) -> list[Finding]:
    findings: list[Finding] = []
    for check in checks():
        findings.extend(check(ctx))
    return findings
