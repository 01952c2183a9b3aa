"""The audit log: every write a person makes appends an ``audit_events`` row in the same transaction,
whichever front end made it."""

from __future__ import annotations

from typing import Any

from zwgk.store.base import MAX_USERNAME, StoreBase, _decimal


class AuditMixin(StoreBase):
    def record_event(
        self,
        actor: str,
        action: str,
        *,
        unit_id: str | None = None,
        period: int | None = None,
        target: str | None = None,
        before: str | None = None,
        after: str | None = None,
        reason: str | None = None,
        decision_id: int | None = None,
        ip: str | None = None,
    ) -> int:
        """Append one audit event (inside the caller's transaction when there is one)."""
        with self._write():
            return self._insert("audit_events", {
                "at": self.now(), "actor": str(actor)[:MAX_USERNAME], "action": action, "unit_id": unit_id,
                "period": period, "target": target, "before": before, "after": after, "reason": reason,
                "decision_id": decision_id, "ip": ip,
            })

    def audit_events(self, unit_ids: list[str] | None = None, period: int | None = None, actor: str | None = None,
                     action: str | None = None) -> list[dict[str, Any]]:
        """Every audit event, newest first (filters: units, period, who, what; a blank filter is none), with
        the ``count`` and ``points`` (Decimal) of the decision it recorded and the ``rule_id`` and ``subject``
        of the item it was about."""
        where, params = [], []
        if unit_ids is not None:
            where.append(f"e.unit_id IN ({', '.join('?' for _ in unit_ids)})")
            params += unit_ids
        for column, value in (("e.period", period), ("e.actor", actor), ("e.action", action)):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        rows = self._rows(
            "SELECT e.*, d.count, d.points, "
            "coalesce((SELECT f.rule_id FROM findings f WHERE f.fingerprint = e.target ORDER BY f.id DESC LIMIT 1),"
            " (SELECT m.rule_id FROM manual_entries m WHERE m.fingerprint = e.target)) AS rule_id, "
            "(SELECT f.subject FROM findings f WHERE f.fingerprint = e.target ORDER BY f.id DESC LIMIT 1) AS subject "
            "FROM audit_events e LEFT JOIN decisions d ON d.id = e.decision_id"
            + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY e.id DESC",
            params,
        )
        return [{**r, "points": _decimal(r["points"])} for r in rows]
