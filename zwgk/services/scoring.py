"""A unit's score sheet for a period: its current findings (stored, or re-checked from the stored page
records under another rubric) scored with the decisions, manual entries and 认定 recorded on them."""

from __future__ import annotations

from rubrics.engine import ScoreSheet, score
from rubrics.model import Rubric
from zwgk.services import checking
from zwgk.services.rubric_choice import current_rubric, rubric_of
from zwgk.services.stores import crawl_store, unit_or_fail
from zwgk.store import Store, evidence_hash, proposals_of


def unit_findings(store: Store, unit: dict, period: int, rubric: Rubric) -> list[dict]:
    """The unit's current findings for ``period`` under ``rubric``: the stored ones when the latest check
    used that rubric; else the checks run again over the stored page records (no crawl, nothing stored),
    each finding's ``id`` then being its fingerprint."""
    if store.current_rubric_id(unit["id"], period) in (None, rubric.id):
        return store.current_findings(unit["id"], period)
    found = checking.assess(crawl_store(store), unit, period, rubric).findings
    return [{**f, "id": f["fingerprint"], "rubric_id": rubric.id, "evidence_hash": evidence_hash(f["evidence"])}
            for f in found]


def scored(store: Store, unit_id: str, period: int, rubric_id: str | None = None) -> tuple[ScoreSheet, dict, list[dict]]:
    """The unit's score sheet for ``period`` and the findings behind it, under the rubric its findings were
    checked under, or under ``rubric_id`` (re-scored from the stored evidence, see ``unit_findings``), with
    the decisions, manual entries and 认定 that belong to that rubric."""
    unit = unit_or_fail(store, unit_id)
    rubric = rubric_of(unit, period, rubric_id) if rubric_id else current_rubric(store, unit, period)
    findings = unit_findings(store, unit, period, rubric)
    sheet = score(
        rubric,
        unit_id,
        period,
        proposals=proposals_of(findings),
        decisions=store.decisions(unit_id, period),
        manual=[m for m in store.manual_entries(unit_id, period) if rubric.has_id(m.rule_id)],
        determinations=[d for d in store.determinations(unit_id, period) if rubric.has_id(d.target_id)],
    )
    return sheet, unit, findings


def score_unit(store: Store, unit_id: str, period: int, rubric_id: str | None = None) -> tuple[ScoreSheet, dict]:
    sheet, unit, _ = scored(store, unit_id, period, rubric_id)
    return sheet, unit
