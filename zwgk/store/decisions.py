"""The append-only record of what people decided: decisions on proposals and manual entries, manual entries
(what no website shows), determinations (认定: an indicator or rule not applicable to a unit). SQLite
triggers abort UPDATE and DELETE on these tables; each write appends its audit event."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from rubrics.engine import Action, Decision, Determination, ManualEntry
from zwgk.store.base import (
    ANY, MANUAL_PREFIX, PROPOSAL_OUTCOMES, EvidenceChangedError, StaleEditError, StoreBase, StoreError,
    UnchangedError, _AnyType, _blank, _check_count, _decimal, _points_text, clean_text,
)


class DecisionsMixin(StoreBase):
    @staticmethod
    def _decision_out(row: dict[str, Any]) -> Decision:
        return Decision(
            fingerprint=row["fingerprint"],
            action=Action(row["action"]),
            by=row["by_user"],
            at=row["at"],
            reason=row["reason"],
            count=row["count"],
            points=_decimal(row["points"]),
            evidence_hash=row["evidence_hash"],
            seq=row["id"],
        )

    def add_decision(
        self,
        fingerprint: str,
        unit_id: str,
        period: int,
        action: Action | str,
        by: str,
        reason: str | None = None,
        count: int | None = None,
        points: Decimal | int | str | None = None,
        evidence_hash: str | None = None,
        expected_last: int | None | _AnyType = None,
        seen_evidence: str | None | _AnyType = ANY,
    ) -> int:
        """Append a decision on a current proposal or manual entry; returns its id (= engine seq).

        ``expected_last`` is the id of the latest decision on this fingerprint the caller saw
        (None: none); ``ANY`` skips the stale-edit check. ``seen_evidence`` is the evidence hash the
        caller was shown (None for a manual entry): if the current finding's differs, the decision is
        refused (``EvidenceChangedError``); ``ANY`` skips that check. When ``evidence_hash`` is not
        given, the decision is taken on the current finding's evidence.

        A decision equal to the item's latest one (same action, count, points, evidence and reason; a
        repeated confirm without a reason) records nothing and raises ``UnchangedError``; ``reopen`` is
        refused when nothing stands to be undone. Each decision appends its audit event.
        """
        try:
            act = Action(action)
        except ValueError:
            raise StoreError(f"未知的决定类型 {action!r}：应为 {' / '.join(a.value for a in Action)} 之一") from None
        self._require_assessor(by)
        reason = clean_text(reason, "理由")
        if act in (Action.REJECT, Action.AMEND, Action.NOT_APPLICABLE) and reason is None:
            raise StoreError("驳回、修改或认定不适用时须填写理由")
        if act is Action.AMEND:
            if count is None and points is None:
                raise StoreError("修改须给出新的次数/项数或扣分值")
        elif count is not None or points is not None:
            raise StoreError("只有“修改”可以给出次数/项数或扣分值")
        if count is not None:
            _check_count(count, "次数/项数")
        points_text = _points_text(points)
        with self._write():
            proposal = self._conn.execute(
                "SELECT evidence_hash FROM findings WHERE run_id = ? AND unit_id = ? AND period = ? "
                "AND fingerprint = ? AND outcome IN (?, ?)",
                (self._current_run(unit_id, period), unit_id, period, fingerprint, *PROPOSAL_OUTCOMES),
            ).fetchone()
            if proposal is None:
                manual = self._conn.execute(
                    "SELECT 1 FROM manual_entries WHERE fingerprint = ? AND unit_id = ? AND period = ?",
                    (fingerprint, unit_id, period),
                ).fetchone()
                if manual is None:
                    raise StoreError(
                        f"指纹 {fingerprint[:12]} 不是单位 {unit_id} {period} 年度当前的拟扣分项或人工录入项"
                    )
            if seen_evidence is not ANY and proposal is not None and seen_evidence != proposal[0]:
                raise EvidenceChangedError("证据已变化，请重新查看：你查看该项之后，新一次检查更换了它的证据，本次决定未记录")
            if evidence_hash is None and proposal is not None:
                evidence_hash = proposal[0]
            last = self._latest_decision_row(fingerprint)
            if last is not None and (last["action"], last["count"], last["points"], last["evidence_hash"]) == (
                    act.value, count, points_text, evidence_hash) and (
                    last["reason"] == reason or (act is Action.CONFIRM and reason is None)):
                raise UnchangedError(f"该项已是这一决定（第 {last['id']} 号），未重复记录", last["id"])
            if act is Action.REOPEN and (last is None or last["action"] == Action.REOPEN.value):
                raise StoreError("该项尚无有效的决定，无需撤销")
            if expected_last is not ANY:
                last_id = last["id"] if last else None
                if last_id != expected_last:
                    who = f"（{last['by_user']} 于 {last['at']} 作出第 {last_id} 号决定）" if last else ""
                    raise StaleEditError(f"已被他人修改：该项在你查看之后已有新的决定{who}，请刷新后重试")
            decision_id = self._insert(
                "decisions",
                {
                    "fingerprint": fingerprint,
                    "unit_id": unit_id,
                    "period": period,
                    "action": act.value,
                    "count": count,
                    "points": points_text,
                    "reason": reason,
                    "by_user": by,
                    "at": self.now(),
                    "evidence_hash": evidence_hash,
                },
            )
            self.record_event(by, "decision." + act.value, unit_id=unit_id, period=period, target=fingerprint,
                              reason=reason, decision_id=decision_id)
            return decision_id

    def _latest_decision_row(self, fingerprint: str) -> dict[str, Any] | None:
        return self._row("SELECT * FROM decisions WHERE fingerprint = ? ORDER BY id DESC LIMIT 1", (fingerprint,))

    def latest_decision(self, fingerprint: str) -> Decision | None:
        row = self._latest_decision_row(fingerprint)
        return self._decision_out(row) if row else None

    def decisions(self, unit_id: str, period: int) -> list[Decision]:
        rows = self._rows("SELECT * FROM decisions WHERE unit_id = ? AND period = ? ORDER BY id", (unit_id, period))
        return [self._decision_out(r) for r in rows]

    def decision_log(
        self, unit_id: str | None = None, period: int | None = None, by: str | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Audit log: decisions, newest first, with the rule and subject they were about."""
        where, params = [], []
        for col, value in (("d.unit_id", unit_id), ("d.period", period), ("d.by_user", by)):
            if value is not None:
                where.append(f"{col} = ?")
                params.append(value)
        sql = (
            "SELECT d.id, d.fingerprint, d.unit_id, d.period, d.action, d.count, d.points, d.reason, "
            "d.by_user AS by, d.at, d.evidence_hash, "
            "coalesce((SELECT f.rule_id FROM findings f WHERE f.fingerprint = d.fingerprint ORDER BY f.id DESC LIMIT 1),"
            " (SELECT m.rule_id FROM manual_entries m WHERE m.fingerprint = d.fingerprint)) AS rule_id, "
            "(SELECT f.subject FROM findings f WHERE f.fingerprint = d.fingerprint ORDER BY f.id DESC LIMIT 1) AS subject "
            "FROM decisions d"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY d.id DESC"
        )
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        return [{**r, "points": _decimal(r["points"])} for r in self._rows(sql, params)]


    # ------------------------------------------------------------------ manual entries

    def add_manual_entry(
        self,
        unit_id: str,
        period: int,
        rubric_id: str,
        rule_id: str,
        count: int,
        reason: str,
        by: str,
        points: Decimal | int | str | None = None,
    ) -> str:
        """Record what no website shows (a person made it: confirmed on entry); returns its fingerprint."""
        self._require_assessor(by)
        reason = clean_text(reason, "理由")
        if reason is None:
            raise StoreError("人工录入须填写理由")
        if _blank(rule_id):
            raise StoreError("人工录入须指定规则编号")
        _check_count(count, "次数/项数")
        points_text = _points_text(points)
        fingerprint = MANUAL_PREFIX + uuid.uuid4().hex
        with self._write():
            self._insert(
                "manual_entries",
                {
                    "fingerprint": fingerprint,
                    "unit_id": unit_id,
                    "period": period,
                    "rubric_id": rubric_id,
                    "rule_id": rule_id,
                    "count": count,
                    "points": points_text,
                    "reason": reason,
                    "by_user": by,
                    "at": self.now(),
                },
            )
            after = f"{rule_id} ×{count}" + (f"，扣 {points_text} 分" if points_text is not None else "")
            self.record_event(by, "manual.add", unit_id=unit_id, period=period, target=fingerprint, after=after,
                              reason=reason)
        return fingerprint

    def manual_entry_by_fingerprint(self, fingerprint: str) -> dict[str, Any] | None:
        """The manual entry's row (``by`` for the user, ``points`` as Decimal), or None."""
        row = self._row("SELECT * FROM manual_entries WHERE fingerprint = ?", (fingerprint,))
        if row is None:
            return None
        out = {k: v for k, v in row.items() if k != "by_user"}
        return {**out, "by": row["by_user"], "points": _decimal(row["points"])}

    def manual_entries(self, unit_id: str, period: int) -> list[ManualEntry]:
        rows = self._rows(
            "SELECT * FROM manual_entries WHERE unit_id = ? AND period = ? ORDER BY id", (unit_id, period)
        )
        return [
            ManualEntry(
                fingerprint=r["fingerprint"],
                rule_id=r["rule_id"],
                count=r["count"],
                reason=r["reason"],
                by=r["by_user"],
                at=r["at"],
                points=_decimal(r["points"]),
            )
            for r in rows
        ]

    # ------------------------------------------------------------------ determinations (认定)

    def add_determination(
        self, unit_id: str, period: int, target_id: str, reason: str, by: str, revoked: bool = False
    ) -> int:
        """Mark an indicator or rule not applicable to a unit for a period (or, revoked=True, withdraw it)."""
        self._require_assessor(by)
        if _blank(target_id):
            raise StoreError("认定须指定指标或规则编号")
        reason = clean_text(reason, "理由")
        if reason is None:
            raise StoreError("撤销认定须填写理由" if revoked else "认定不适用须填写理由")
        with self._write():
            det_id = self._insert(
                "determinations",
                {
                    "unit_id": unit_id,
                    "period": period,
                    "target_id": target_id,
                    "reason": reason,
                    "by_user": by,
                    "at": self.now(),
                    "revoked": 1 if revoked else 0,
                },
            )
            self.record_event(by, "na.revoke" if revoked else "na.add", unit_id=unit_id, period=period,
                              target=target_id, before="不适用（已认定）" if revoked else None,
                              after=None if revoked else "不适用（已认定）", reason=reason)
            return det_id

    def determinations(self, unit_id: str, period: int) -> list[Determination]:
        rows = self._rows(
            "SELECT * FROM determinations WHERE unit_id = ? AND period = ? ORDER BY id", (unit_id, period)
        )
        return [
            Determination(
                target_id=r["target_id"],
                reason=r["reason"],
                by=r["by_user"],
                at=r["at"],
                revoked=bool(r["revoked"]),
                seq=r["id"],
            )
            for r in rows
        ]

    # ------------------------------------------------------------------ review read models

    def latest_decision_ids(self, period: int) -> dict[str, int]:
        """fingerprint → id of its latest decision, for the period's decided items."""
        rows = self._conn.execute(
            "SELECT fingerprint, max(id) FROM decisions WHERE period = ? GROUP BY fingerprint", (period,)
        ).fetchall()
        return {fp: last for fp, last in rows}

    def latest_decision_id(self, fingerprint: str) -> int | None:
        """The id of the item's latest decision (None: undecided)."""
        return self._conn.execute("SELECT max(id) FROM decisions WHERE fingerprint = ?", (fingerprint,)).fetchone()[0]

    def decision_history(self, fingerprint: str) -> list[dict[str, Any]]:
        """The item's decisions as rows (``by_user``; ``points`` as Decimal), oldest first."""
        rows = self._rows("SELECT * FROM decisions WHERE fingerprint = ? ORDER BY id", (fingerprint,))
        return [{**r, "points": _decimal(r["points"])} for r in rows]

    def recent_manual_entries(self, period: int, limit: int = 50) -> list[dict[str, Any]]:
        """The period's latest manual entries as rows (``by_user``; ``points`` as Decimal), newest first."""
        rows = self._rows("SELECT * FROM manual_entries WHERE period = ? ORDER BY id DESC LIMIT ?", (period, limit))
        return [{**r, "points": _decimal(r["points"])} for r in rows]

    def recent_determinations(self, period: int, limit: int = 50) -> list[dict[str, Any]]:
        """The period's latest determinations as rows (``by_user``, ``revoked`` 0/1), newest first."""
        return self._rows("SELECT * FROM determinations WHERE period = ? ORDER BY id DESC LIMIT ?", (period, limit))
