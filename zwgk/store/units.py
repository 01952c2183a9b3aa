"""Units: the store's copy of the units registry (townships and departments)."""

from __future__ import annotations

import json
from typing import Any, Iterable, Mapping

from zwgk.store.base import StoreBase, StoreError, _blank, _dumps

UNIT_KINDS = ("township", "department")


class UnitsMixin(StoreBase):
    @staticmethod
    def _unit_out(row: dict[str, Any]) -> dict[str, Any]:
        return {**json.loads(row["data"]), "id": row["id"], "name": row["name"], "kind": row["kind"],
                "updated_at": row["updated_at"]}

    def upsert_units(self, units: Iterable[Mapping[str, Any]]) -> int:
        """Insert or replace units (a copy of the registry); returns how many were written."""
        rows = []
        for u in units:
            uid, name, kind = u.get("id"), u.get("name"), u.get("kind")
            if _blank(uid) or _blank(name):
                raise StoreError(f"单位须有 id 和 name：{dict(u)!r}")
            if kind not in UNIT_KINDS:
                raise StoreError(f"单位 {uid} 的类型 {kind!r} 无效：应为 township（乡镇）或 department（部门）")
            data = {k: v for k, v in u.items() if k not in ("id", "name", "kind", "updated_at")}
            rows.append((str(uid), str(name), kind, _dumps(data)))
        now = self.now()
        with self._write():
            for uid, name, kind, data in rows:
                self._conn.execute(
                    "INSERT INTO units (id, name, kind, data, updated_at) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, "
                    "data = excluded.data, updated_at = excluded.updated_at",
                    (uid, name, kind, data, now),
                )
        return len(rows)

    def get_unit(self, unit_id: str) -> dict[str, Any] | None:
        row = self._row("SELECT * FROM units WHERE id = ?", (unit_id,))
        return self._unit_out(row) if row else None

    def list_units(self) -> list[dict[str, Any]]:
        return [self._unit_out(r) for r in self._rows("SELECT * FROM units ORDER BY id")]
