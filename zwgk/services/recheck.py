"""``zwgk recheck``: work through the re-check requests units file in the review web app.

A unit that fixed its site asks for a re-check (rate-limited, its registered scope only); an operator runs
this command every few minutes (a systemd timer or cron, like ``zwgk nightly``). Each request is crawled
with the same polite crawler, the unit's checks are run again, and the request is marked done — or failed
when the site could not be crawled, leaving the last assessment standing. The command is in
``zwgk.cli.recheck``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from zwgk.services import crawling
from zwgk.services.assess import Crawled, crawl_step, registered, run_chain
from zwgk.services.errors import Interrupted
from zwgk.store import Store


def run_rechecks(db_path: Path, period: int, progress: Callable[[str], None] = lambda _: None) -> dict:
    """Crawl and check every unit with a queued request; returns what happened per unit."""
    with Store.open(db_path) as store:
        queued = store.queued_recheck_requests()
        if not queued:
            return {"requests": 0, "units": []}
        by_unit: dict[str, list[int]] = {}
        for row in queued:
            by_unit.setdefault(row["unit_id"], []).append(row["id"])
        store.set_recheck_status([r["id"] for r in queued], "running")

    def crawl(path: Path, unit_ids: list[str], say: Callable[[str], None]) -> Crawled:
        try:
            return crawl_step()(path, unit_ids, say)
        except (crawling.CrawlLocked, Interrupted):
            with Store.open(db_path) as store:  # another crawl is running, or a stop signal: try again next time
                store.set_recheck_status([r["id"] for r in queued], "queued")
            raise
        except BaseException:
            with Store.open(db_path) as store:
                store.set_recheck_status([r["id"] for r in queued], "failed")
            raise

    # crawl and check only: the unit's score and reports follow from its findings when they are asked for
    done = run_chain(db_path, period, sync=registered(sorted(by_unit)), crawl=crawl, score=None, report=None,
                     progress=progress)
    with Store.open(db_path) as store:
        results = []
        for unit in done.crawl.units:
            status = "failed" if unit.status == "failed" else "done"
            store.set_recheck_status(by_unit[unit.unit_id], status)
            results.append({"unit_id": unit.unit_id, "unit_name": unit.unit_name, "crawl_status": unit.status,
                            "requests": len(by_unit[unit.unit_id]), "status": status})
    return {"requests": len(queued), "units": results}
