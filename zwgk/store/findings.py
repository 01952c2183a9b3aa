"""Findings: what a check run found per unit and period; the latest run that assessed a unit+period is its
current view. Fingerprints (of findings and manual entries) resolve from a typed prefix."""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any, Iterable, Mapping, Sequence

from rubrics.engine import Proposal
from rubrics.model import Outcome
from zwgk.store.base import (
    MANUAL_PREFIX, PROPOSAL_OUTCOMES, StoreBase, StoreError, _blank, _check_count, _dumps, evidence_hash,
)

_HEX = re.compile(r"^[0-9a-f]+$")


def proposals_of(findings: Iterable[Mapping[str, Any]]) -> list[Proposal]:
    """The findings (store rows, or findings of a re-scoring with ``id`` and ``evidence_hash``) that propose
    a deduction (fail / needs_review), as engine input."""
    return [
        Proposal(
            fingerprint=f["fingerprint"],
            rule_id=f["rule_id"],
            count=f["count"],
            outcome=Outcome(f["outcome"]),
            subject=f["subject"],
            message=f["message"],
            check_id=f["check_id"],
            evidence_ref=str(f["id"]),
            evidence_hash=f["evidence_hash"],
        )
        for f in findings
        if f["outcome"] in PROPOSAL_OUTCOMES
    ]


class FindingsMixin(StoreBase):
    @staticmethod
    def _finding_out(row: dict[str, Any]) -> dict[str, Any]:
        return {**row, "evidence": json.loads(row["evidence"])}

    def record_findings(
        self, run_id: int, unit_id: str, period: int, rubric_id: str, findings: Iterable[Mapping[str, Any]],
        information: Sequence[Mapping[str, Any]] = (),
    ) -> list[int]:
        """Record one run's findings for one unit and period (one transaction); returns their ids.

        Recording (even an empty list) makes this run the current view of that unit+period. ``information``:
        what the run found that the rubric does not score, as plain tables for the reports
        (``current_information``).
        """
        now = self.now()
        rows = []
        seen: set[str] = set()
        for f in findings:
            fp = f.get("fingerprint")
            if _blank(fp):
                raise StoreError("发现缺少指纹（fingerprint）")
            if fp in seen:
                raise StoreError(f"同一次运行中指纹 {fp[:12]} 重复")
            seen.add(fp)
            if _blank(f.get("rule_id")):
                raise StoreError(f"发现 {fp[:12]} 缺少规则编号（rule_id）")
            try:
                outcome = Outcome(f.get("outcome")).value
            except ValueError:
                raise StoreError(f"发现 {fp[:12]} 的结论 {f.get('outcome')!r} 无效") from None
            evidence = f.get("evidence") or {}
            rows.append(
                {
                    "run_id": run_id,
                    "unit_id": unit_id,
                    "period": period,
                    "rubric_id": rubric_id,
                    "fingerprint": fp,
                    "rule_id": f["rule_id"],
                    "check_id": f.get("check_id"),
                    "subject_key": f.get("subject_key") or "",
                    "subject": f.get("subject") or "",
                    "outcome": outcome,
                    "count": _check_count(f.get("count", 0), f"发现 {fp[:12]} 的次数/项数"),
                    "message": f.get("message") or "",
                    "evidence": _dumps(evidence),
                    "evidence_hash": f.get("evidence_hash") or evidence_hash(evidence),
                    "created_at": now,
                }
            )
        with self._write():
            if not self._conn.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone():
                raise StoreError(f"运行 {run_id} 不存在")
            self._conn.execute(
                "INSERT OR IGNORE INTO run_units (run_id, unit_id, period, rubric_id, recorded_at, information)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (run_id, unit_id, period, rubric_id, now, _dumps(list(information))),
            )
            try:
                return [self._insert("findings", r) for r in rows]
            except sqlite3.IntegrityError:
                raise StoreError(f"运行 {run_id} 已记录过单位 {unit_id} {period} 年度的同一指纹的发现") from None

    def _current_run(self, unit_id: str, period: int) -> int | None:
        row = self._conn.execute(
            "SELECT max(run_id) FROM run_units WHERE unit_id = ? AND period = ?", (unit_id, period)
        ).fetchone()
        return row[0]

    def current_rubric_id(self, unit_id: str, period: int) -> str | None:
        """The rubric the latest check run of this unit+period used (None: never checked)."""
        row = self._conn.execute(
            "SELECT rubric_id FROM run_units WHERE unit_id = ? AND period = ? ORDER BY run_id DESC LIMIT 1",
            (unit_id, period),
        ).fetchone()
        return row[0] if row else None

    def current_information(self, unit_id: str, period: int) -> list[dict[str, Any]]:
        """The information tables of the latest run that assessed this unit+period (``record_findings``)."""
        row = self._conn.execute(
            "SELECT information FROM run_units WHERE unit_id = ? AND period = ? ORDER BY run_id DESC LIMIT 1",
            (unit_id, period),
        ).fetchone()
        return json.loads(row[0]) if row else []

    def current_findings(self, unit_id: str, period: int) -> list[dict[str, Any]]:
        """All findings (every outcome) of the latest run that assessed this unit+period."""
        run_id = self._current_run(unit_id, period)
        if run_id is None:
            return []
        rows = self._rows(
            "SELECT * FROM findings WHERE run_id = ? AND unit_id = ? AND period = ? ORDER BY id",
            (run_id, unit_id, period),
        )
        return [self._finding_out(r) for r in rows]

    def proposals(self, unit_id: str, period: int) -> list[Proposal]:
        """The current findings that propose a deduction (fail / needs_review), as engine input."""
        return proposals_of(self.current_findings(unit_id, period))

    def get_finding(self, finding_id: int) -> dict[str, Any] | None:
        row = self._row("SELECT * FROM findings WHERE id = ?", (finding_id,))
        return self._finding_out(row) if row else None

    def finding_by_fingerprint(self, fingerprint: str) -> dict[str, Any] | None:
        """The most recently recorded finding with this fingerprint."""
        row = self._row("SELECT * FROM findings WHERE fingerprint = ? ORDER BY id DESC LIMIT 1", (fingerprint,))
        return self._finding_out(row) if row else None


    # ------------------------------------------------------------------ fingerprints

    def resolve_fingerprint(self, prefix: str, unit_id: str | None = None) -> str:
        """The full fingerprint (of a finding or manual entry) that starts with ``prefix``.

        The prefix needs at least 6 hex characters (after ``manual-`` for manual entries).
        """
        p = (prefix or "").strip().lower()
        hex_part = p[len(MANUAL_PREFIX):] if p.startswith(MANUAL_PREFIX) else p
        if len(hex_part) < 6 or not _HEX.match(hex_part):
            raise StoreError(f"指纹前缀 {prefix!r} 无效：至少需要 6 位十六进制字符")
        unit_filter = " AND unit_id = ?" if unit_id is not None else ""
        params: list[Any] = [len(p), p] + ([unit_id] if unit_id is not None else [])
        rows = self._conn.execute(
            f"SELECT fingerprint FROM findings WHERE substr(fingerprint, 1, ?) = ?{unit_filter} "
            f"UNION SELECT fingerprint FROM manual_entries WHERE substr(fingerprint, 1, ?) = ?{unit_filter} LIMIT 11",
            params + params,
        ).fetchall()
        if not rows:
            where = f"单位 {unit_id} 的" if unit_id is not None else ""
            raise StoreError(f"找不到{where}以 {p} 开头的指纹")
        if len(rows) > 1:
            many = "10 条以上" if len(rows) > 10 else f"{len(rows)} 条"
            raise StoreError(f"指纹前缀 {p} 不唯一（匹配 {many}），请输入更长的前缀")
        return rows[0][0]

    def previous_check_findings(self, unit_id: str, period: int, check_run: int) -> list[dict[str, Any]] | None:
        """The unit's findings (fingerprint, rule, subject, outcome, message, evidence, evidence hash) in the
        check run before ``check_run`` that assessed it for the period; None when there was none."""
        row = self._row(
            "SELECT max(ru.run_id) AS run_id FROM run_units ru JOIN runs r ON r.id = ru.run_id"
            " WHERE ru.unit_id = ? AND ru.period = ? AND ru.run_id < ? AND r.kind = 'check'",
            (unit_id, period, check_run),
        )
        if row is None or row["run_id"] is None:
            return None
        rows = self._rows(
            "SELECT fingerprint, rule_id, subject, outcome, message, evidence, evidence_hash FROM findings"
            " WHERE run_id = ? AND unit_id = ? AND period = ? ORDER BY id",
            (row["run_id"], unit_id, period),
        )
        return [self._finding_out(r) for r in rows]

    def proposals_first_seen(self, unit_id: str, period: int) -> dict[str, str]:
        """fingerprint → when a proposal (fail / needs_review) of the unit and period was first recorded."""
        rows = self._rows(
            "SELECT fingerprint, min(created_at) AS first_seen FROM findings WHERE unit_id = ? AND period = ?"
            " AND outcome IN (?, ?) GROUP BY fingerprint",
            (unit_id, period, *PROPOSAL_OUTCOMES),
        )
        return {r["fingerprint"]: r["first_seen"] for r in rows}
