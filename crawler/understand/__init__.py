"""Page understanding: what a page is (kind, confidence, Chinese reasons) and its kind-specific fields.

Pure functions of a PageRecord's extracted fields — no HTML parsing, no I/O — so they run over every stored
record, and again whenever they improve. ``understand`` fills ``kind``, ``kind_confidence``,
``kind_reasons`` and ``extras[kind]`` as described in crawler/record.py.
"""

from __future__ import annotations

import dataclasses

from crawler.record import PageRecord

from .annual_report import annual_report_fields
from .classify import Classification, classify
from .policy import find_doc_numbers, interpretation_fields, parse_doc_number, policy_fields
from .service_guide import ELEMENTS, service_guide_fields

_FIELDS = {
    "service_guide": service_guide_fields,
    "annual_report": annual_report_fields,
    "policy": policy_fields,
    "interpretation": interpretation_fields,
}


def understand(record: PageRecord) -> PageRecord:
    """A copy of ``record`` with its kind and the kind's extras (idempotent: earlier kind extras are replaced)."""
    result = classify(record)
    extras = {k: v for k, v in record.extras.items() if k not in _FIELDS}
    fields = _FIELDS.get(result.kind)
    if fields is not None:
        extras[result.kind] = fields(record)
    return dataclasses.replace(
        record, kind=result.kind, kind_confidence=result.confidence, kind_reasons=result.reasons, extras=extras
    )


__all__ = [
    "ELEMENTS",
    "Classification",
    "annual_report_fields",
    "classify",
    "find_doc_numbers",
    "interpretation_fields",
    "parse_doc_number",
    "policy_fields",
    "service_guide_fields",
    "understand",
]
