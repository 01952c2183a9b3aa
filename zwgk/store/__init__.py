"""The zwgk store: SQLite (through sqlite-utils) holding users, units, runs, findings, the append-only
record of what people decided, the audit log, the web app's tables and what crawls leave.

Design (design.md, "Storage"): WAL mode, versioned migrations, one transaction per logical write,
nothing deleted by a later run. Decisions, manual entries and determinations are append-only
(SQLite triggers abort UPDATE and DELETE). Decimals are stored as TEXT and returned as ``Decimal``.
Timestamps are ISO 8601 UTC strings with seconds, from an injectable clock.

Every write a person makes also appends an ``audit_events`` row in the same transaction (``record_event``),
whichever front end made it. Free text a person signs (reasons, comments) is bounded and may not carry
control characters or bidirectional overrides (``clean_text``). A new database file is created 0600 (its
folder 0700 when the store creates it).

Every table is created here (``migrations``, ``crawl_schema``, ``web_schema``) and every query of the
application is a named method of ``Store``, one module per aggregate: ``base`` (connection, transactions,
clock, migrations), ``users``, ``units``, ``runs``, ``findings``, ``decisions`` (decisions, manual entries,
determinations), ``audit``, ``web`` (sessions, sign-in throttling, disputes, re-check requests); the crawl
evidence is ``crawl.CrawlStore`` over a ``Store`` and a ``blobs.BlobStore``; ``locks`` holds the run locks.
The connection stays private (``_conn``; tests reach it to inspect a database).

A ``Store`` wraps one connection; there is no module-level state. Error messages are Chinese.
"""

from __future__ import annotations

from zwgk.paths import default_db_path
from zwgk.store.audit import AuditMixin
from zwgk.store.base import (
    ANY, MANUAL_PREFIX, MAX_TEXT, MAX_USERNAME, EvidenceChangedError, StaleEditError, StoreBase, StoreError,
    UnchangedError, canonical_json, clean_text, evidence_hash,
)
from zwgk.store.decisions import DecisionsMixin
from zwgk.store.findings import FindingsMixin, proposals_of
from zwgk.store.migrations import LATEST_VERSION
from zwgk.store.runs import RunsMixin
from zwgk.store.units import UNIT_KINDS, UnitsMixin
from zwgk.store.users import ROLES, UsersMixin
from zwgk.store.web import RecheckTooSoonError, WebMixin

__all__ = [
    "ANY", "LATEST_VERSION", "MANUAL_PREFIX", "MAX_TEXT", "MAX_USERNAME", "ROLES", "UNIT_KINDS",
    "EvidenceChangedError", "RecheckTooSoonError", "StaleEditError", "Store", "StoreError", "UnchangedError",
    "canonical_json", "clean_text", "default_db_path", "evidence_hash", "proposals_of",
]


class Store(UsersMixin, UnitsMixin, RunsMixin, FindingsMixin, DecisionsMixin, AuditMixin, WebMixin, StoreBase):
    """One connection to the zwgk database. Use ``Store.open(path)``; close it (or use ``with``)."""
