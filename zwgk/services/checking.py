"""Run the checks over stored page records and record their findings (``zwgk check``).

Checks are pure (``checks.registry.run_checks``); this module feeds them one unit's current page records
and crawl status from the store and records what they found, one check run for all the units, with what the
unit's report shows beyond the score (a township's interpretation timeliness), made from the same records.
A unit never crawled gets "could not assess" from every check — never a deduction. A unit whose latest
crawl failed keeps the findings of its last assessment (and the decisions on them), flagged as such, or gets
"could not assess" when it was never assessed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from checks.base import CheckContext
from checks.calendar import WorkingCalendar
from checks.interpretation import lag_table
from checks.registry import run_checks
from crawler.record import PageRecord
from crawler.understand.list_dates import with_list_dates
from rubrics.model import Rubric
from zwgk.services.calendar import default_calendar
from zwgk.services.rubric_choice import rubric_choice, rubric_of
from zwgk.services.stores import unit_or_fail
from zwgk.store.crawl import CrawlStore
from zwgk.store import Store


@dataclass
class UnitCheck:
    unit_id: str
    unit_name: str
    rubric_id: str
    crawl_status: str
    records: int
    outcomes: dict[str, int] = field(default_factory=dict)
    kept_previous: bool = False  # crawl failed: the last check's findings (and decisions on them) stand


def crawl_state(cs: CrawlStore, unit_id: str) -> tuple[str, str | None]:
    """(complete | partial | failed, reason) of the unit's latest crawl."""
    status = cs.unit_status(unit_id)
    if status is None:
        return "failed", "尚未抓取该单位网站"
    reasons = "；".join(h.get("message", "") for h in status["health"] if h.get("message"))
    return status["status"], reasons or None


def link_snapshot(evidence: dict, snapshots: dict[str, str]) -> None:
    """Point the evidence at the stored snapshot of the first page it names, so an assessor sees the page
    exactly as the site showed it on the night it was judged (a new snapshot changes the evidence hash)."""
    if "snapshot" in evidence:
        return
    urls = [evidence["url"]] if isinstance(evidence.get("url"), str) else list(evidence.get("urls") or [])
    for url in urls:
        if isinstance(url, str) and url in snapshots:
            evidence["snapshot"] = snapshots[url]
            evidence.setdefault("url", url)
            return


@dataclass
class Assessment:
    """What the checks find in one unit's stored page records for one period under one rubric."""

    crawl_status: str
    crawl_reason: str | None
    records: list[PageRecord]
    findings: list[dict]  # store dicts (``Finding.to_store_dict``), evidence linked to snapshots
    information: list[dict]  # what the reports show beyond the score (``unit_information``)


def assess(cs: CrawlStore, unit: dict, period: int, rubric: Rubric) -> Assessment:
    """Run the checks over the unit's current page records (pure apart from reading the crawl store)."""
    status, reason = crawl_state(cs, unit["id"])
    records = cs.unit_records(unit["id"]) if status != "failed" else []
    records = with_list_dates(records)
    ctx = CheckContext(
        unit={"id": unit["id"], "name": unit["name"], "kind": unit["kind"], "subunits": unit.get("subunits") or []},
        period=period,
        rubric=rubric,
        records=records,
        crawl_status=status,
        crawl_reason=reason,
        calendar=default_calendar(),
    )
    findings = [f.to_store_dict(rubric.id, period, unit["id"]) for f in run_checks(ctx)]
    snapshots = {r.url: r.body_sha256 for r in records}
    for f in findings:
        link_snapshot(f["evidence"], snapshots)
    return Assessment(status, reason, records, findings, unit_information(unit, records, period, ctx.calendar))


def unit_information(unit: dict, records: list[PageRecord], period: int, calendar: WorkingCalendar) -> list[dict]:
    """What a unit's report shows beyond its score, from the records the checks read: for a township,
    interpretation timeliness (design.md: only the department rubric scores it; for townships it is reported
    as information)."""
    if unit["kind"] != "township" or not records:
        return []
    return [lag_table(records, period, calendar)]


def check_units(
    store: Store,
    cs: CrawlStore,
    unit_ids: list[str],
    period: int,
    progress: Callable[[str], None] = lambda _: None,
    rubric_ids: tuple[str, ...] = (),
) -> tuple[int, list[UnitCheck]]:
    """Run every check for each unit under the rubric in force for the period (or the one of ``rubric_ids``
    for its kind: ``--rubric``); returns the check run id and a summary per unit."""
    units = [unit_or_fail(store, uid) for uid in unit_ids]
    rubrics = {u["id"]: rubric_of(u, period, rubric_choice(u, rubric_ids)) for u in units}
    run_id = store.start_run("check", period=period)
    results = []
    try:
        for unit in units:
            rubric = rubrics[unit["id"]]
            status, reason = crawl_state(cs, unit["id"])
            previous = store.current_findings(unit["id"], period)
            same_rubric = all(f["rubric_id"] == rubric.id for f in previous)
            if status == "failed" and same_rubric and any(f["outcome"] != "could_not_assess" for f in previous):
                # A night the site is down must not wipe what was assessed before (and the decisions taken
                # on it): the last findings stand; the crawl health says the site could not be reached.
                progress(f"{unit['name']}：本次抓取失败（{reason or '原因不明'}），沿用上次检查结果")
                results.append(UnitCheck(unit["id"], unit["name"], rubric.id, status, 0,
                                         dict(Counter(f["outcome"] for f in previous)), kept_previous=True))
                continue
            found = assess(cs, unit, period, rubric)
            records, findings = found.records, found.findings
            progress(f"检查 {unit['name']}（{len(records)} 个页面，{rubric.applied_label}）")
            store.record_findings(run_id, unit["id"], period, rubric.id, findings, found.information)
            results.append(
                UnitCheck(unit["id"], unit["name"], rubric.id, status, len(records),
                          dict(Counter(f["outcome"] for f in findings)))
            )
    except BaseException:
        store.finish_run(run_id, "failed", {"units": len(results)})
        raise
    store.finish_run(run_id, "complete", {"units": len(results)})
    return run_id, results
