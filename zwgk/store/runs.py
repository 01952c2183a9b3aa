"""Runs: each crawl, check or data-set run, with its status and statistics."""

from __future__ import annotations

import json
from typing import Any, Mapping

from zwgk.store.base import StoreBase, StoreError, _blank, _dumps


class RunsMixin(StoreBase):
    @staticmethod
    def _run_out(row: dict[str, Any]) -> dict[str, Any]:
        return {**row, "stats": json.loads(row["stats"])}

    def start_run(self, kind: str, period: int | None = None) -> int:
        if _blank(kind):
            raise StoreError("运行类型不能为空")
        with self._write():
            return self._insert(
                "runs", {"kind": kind, "period": period, "started_at": self.now(), "status": "running", "stats": "{}"}
            )

    def finish_run(self, run_id: int, status: str, stats: Mapping[str, Any] | None = None) -> None:
        if _blank(status):
            raise StoreError("运行状态不能为空")
        with self._write():
            row = self._conn.execute("SELECT finished_at FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                raise StoreError(f"运行 {run_id} 不存在")
            if row[0] is not None:
                raise StoreError(f"运行 {run_id} 已于 {row[0]} 结束，不能再次结束")
            self._conn.execute(
                "UPDATE runs SET finished_at = ?, status = ?, stats = ? WHERE id = ?",
                (self.now(), status, _dumps(dict(stats or {})), run_id),
            )

    def get_run(self, run_id: int) -> dict[str, Any] | None:
        row = self._row("SELECT * FROM runs WHERE id = ?", (run_id,))
        return self._run_out(row) if row else None

    def latest_run(self, kind: str) -> dict[str, Any] | None:
        row = self._row("SELECT * FROM runs WHERE kind = ? ORDER BY id DESC LIMIT 1", (kind,))
        return self._run_out(row) if row else None

    def unfinished_crawl_run(self) -> int | None:
        """The id of the latest crawl run that never finished (interrupted), or None."""
        row = self._row("SELECT id FROM runs WHERE kind = 'crawl' AND finished_at IS NULL ORDER BY id DESC LIMIT 1")
        return row["id"] if row else None

    def latest_assessing_run(self, unit_id: str) -> dict[str, Any] | None:
        """The ``kind``, ``status`` and time (``at``: finished, else started) of the latest run that recorded
        findings of the unit, or None."""
        return self._row(
            "SELECT r.kind, r.status, coalesce(r.finished_at, r.started_at) AS at FROM run_units u "
            "JOIN runs r ON r.id = u.run_id WHERE u.unit_id = ? ORDER BY u.run_id DESC LIMIT 1",
            (unit_id,),
        )

    def latest_assessed_period(self) -> int | None:
        """The latest period anything was assessed (a run's findings) or entered (a manual entry) for."""
        row = self._conn.execute(
            "SELECT max(p) FROM (SELECT max(period) AS p FROM run_units UNION ALL SELECT max(period) FROM manual_entries)"
        ).fetchone()
        return row[0] if row else None
