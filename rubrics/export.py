"""Plain-data views of rubrics and score sheets, for ``--json`` output, reports and exports.

Keys are English snake_case; Chinese values verbatim; points are JSON numbers (exact multiples of 0.5).
"""

from __future__ import annotations

from decimal import Decimal

from rubrics.engine import STATUS_WORDS, Deduction, ScoreSheet
from rubrics.model import Rubric, Rule

SCHEMA_VERSION = 1


def num(value: Decimal | None) -> int | float | None:
    """A Decimal as a JSON number: integral values as int, halves as float (exact in binary)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral() else float(value)


def rule_to_dict(rule: Rule) -> dict:
    return {
        "id": rule.id,
        "text": rule.text,
        "kind": rule.kind.value,
        "points": num(rule.points),
        "unit": rule.unit,
        "items": list(rule.items),
        "excludes": list(rule.excludes),
        "human_only": rule.human_only,
        "note": rule.note,
        "checks": list(rule.checks),
    }


def rubric_to_dict(rubric: Rubric) -> dict:
    return {
        "id": rubric.id,
        "title": rubric.title,
        "kind": rubric.kind,
        "year": rubric.year,
        "periods": {"from": rubric.applies_from, "until": rubric.applies_until},
        "applied_label": rubric.applied_label,
        "total": num(rubric.total),
        "source": rubric.source,
        "notes": list(rubric.notes),
        "categories": [
            {
                "id": cat.id,
                "name": cat.name,
                "points": num(cat.points),
                "indicators": [
                    {
                        "id": ind.id,
                        "position": ind.position,
                        "group": ind.group,
                        "label": ind.label,
                        "label_editorial": ind.label_editorial,
                        "short": ind.short,
                        "automation": ind.automation.value,
                        "content": ind.content,
                        "points": num(ind.points),
                        "rules_text": ind.rules_text,
                        "rules": [rule_to_dict(r) for r in ind.rules],
                        "notes": list(ind.notes),
                    }
                    for ind in cat.indicators
                ],
            }
            for cat in rubric.categories
        ],
        "adjustments": [
            {
                "id": adj.id,
                "type": adj.type.value,
                "name": adj.name,
                "content": adj.content,
                "rules_text": adj.rules_text,
                "rules": [rule_to_dict(r) for r in adj.rules],
            }
            for adj in rubric.adjustments
        ],
        "closing_note": rubric.closing_note,
    }


def deduction_to_dict(d: Deduction) -> dict:
    return {
        "fingerprint": d.fingerprint,
        "source": d.source,
        "rule_id": d.rule_id,
        "rule_text": d.rule_text,
        "status": d.status.value,
        "status_text": STATUS_WORDS[d.status],
        "count": d.count,
        "points": num(d.amount),
        "confirmed_points": num(d.confirmed_points),
        "provisional_points": num(d.provisional_points),
        "excluded_by": d.excluded_by,
        "subject": d.subject,
        "message": d.message,
        "check_id": d.check_id,
        "evidence_ref": d.evidence_ref,
        "evidence_changed": d.evidence_changed,
        "decided_by": d.decided_by,
        "decided_at": d.decided_at,
        "reason": d.reason,
    }


def sheet_to_dict(sheet: ScoreSheet, unit_name: str | None = None) -> dict:
    return {
        "rubric_id": sheet.rubric.id,
        "rubric_title": sheet.rubric.title,
        "rubric_applied": sheet.rubric.applied_label,
        "unit_id": sheet.unit_id,
        "unit_name": unit_name,
        "period": sheet.period,
        "total": num(sheet.rubric.total),
        "subtotal_confirmed": num(sheet.subtotal_confirmed),
        "subtotal_provisional": num(sheet.subtotal_provisional),
        "bonus_confirmed": num(sheet.bonus_confirmed),
        "bonus_provisional": num(sheet.bonus_provisional),
        "penalty_confirmed": num(sheet.penalty_confirmed),
        "penalty_provisional": num(sheet.penalty_provisional),
        "final_confirmed": num(sheet.final_confirmed),
        "final_provisional": num(sheet.final_provisional),
        "open_count": sheet.open_count,
        "categories": [
            {
                "id": c.id,
                "name": c.name,
                "points": num(c.points),
                "confirmed": num(c.confirmed),
                "provisional": num(c.provisional),
                "indicators": [
                    {
                        "id": s.indicator.id,
                        "position": s.indicator.position,
                        "label": s.indicator.label,
                        "name": s.indicator.name,
                        "points": num(s.indicator.points),
                        "confirmed": num(s.confirmed),
                        "provisional": num(s.provisional),
                        "not_applicable": (
                            {"reason": s.not_applicable.reason, "by": s.not_applicable.by, "at": s.not_applicable.at}
                            if s.not_applicable
                            else None
                        ),
                        "not_applicable_rules": {
                            rid: {"reason": det.reason, "by": det.by, "at": det.at}
                            for rid, det in s.not_applicable_rules.items()
                        },
                        "reasons": s.reasons,
                        "deductions": [deduction_to_dict(d) for d in s.deductions],
                    }
                    for s in c.indicators
                ],
            }
            for c in sheet.categories
        ],
        "adjustments": [
            {
                "id": a.adjustment.id,
                "type": a.adjustment.type.value,
                "name": a.adjustment.name,
                "confirmed": num(a.confirmed),
                "provisional": num(a.provisional),
                "entries": [deduction_to_dict(e) for e in a.entries],
            }
            for a in sheet.adjustments
        ],
    }
