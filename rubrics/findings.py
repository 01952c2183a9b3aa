"""What changed in one unit's findings between two check runs (the nightly digest's new, resolved and
证据已变化 items). Pure: findings are the store's dicts (``fingerprint``, ``rule_id``, ``outcome``,
``evidence_hash``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from rubrics.model import Outcome

OPEN_OUTCOMES = frozenset({Outcome.FAIL.value, Outcome.NEEDS_REVIEW.value})
SETTLED_OUTCOMES = frozenset({Outcome.PASS.value, Outcome.NOT_APPLICABLE.value})


@dataclass(frozen=True)
class EvidenceChanged:
    finding: dict  # the current finding
    new_tonight: bool  # its evidence differs from the previous run's (not only from the decision's)


@dataclass(frozen=True)
class FindingDiff:
    new: tuple[dict, ...]  # current findings now open that were not open in the previous run
    resolved: tuple[dict, ...]  # previous findings open then, now passed, not applicable, or gone
    evidence_changed: tuple[EvidenceChanged, ...]


def diff_findings(previous: Sequence[dict], current: Sequence[dict], decided: Mapping[str, str | None]) -> FindingDiff:
    """What changed for one unit between two check runs.

    ``decided`` maps a fingerprint to the evidence hash its latest decision was taken on. A gap that is gone
    while its rule now "could not assess" (the site was down) is not resolved: nobody could look.
    An open finding whose decision was taken on other evidence is 证据已变化, as the scoring engine flags it.
    """
    before = {f["fingerprint"]: f for f in previous}
    now = {f["fingerprint"]: f for f in current}
    unassessable_rules = {f["rule_id"] for f in current if f["outcome"] == Outcome.COULD_NOT_ASSESS.value}
    new = tuple(
        f for f in current
        if f["outcome"] in OPEN_OUTCOMES and (before.get(f["fingerprint"]) or {}).get("outcome") not in OPEN_OUTCOMES
    )
    resolved = []
    for fp, f in before.items():
        if f["outcome"] not in OPEN_OUTCOMES:
            continue
        later = now.get(fp)
        if later["outcome"] in SETTLED_OUTCOMES if later else f["rule_id"] not in unassessable_rules:
            resolved.append(f)
    changed = []
    for f in current:
        decision_hash = decided.get(f["fingerprint"])
        if f["outcome"] in OPEN_OUTCOMES and decision_hash is not None and f["evidence_hash"] is not None \
                and decision_hash != f["evidence_hash"]:
            prev = before.get(f["fingerprint"])
            changed.append(EvidenceChanged(f, prev is None or prev["evidence_hash"] != f["evidence_hash"]))
    return FindingDiff(new, tuple(resolved), tuple(changed))
