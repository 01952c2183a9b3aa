"""The assessment chain, written once: sync the registry → crawl → check → (entries) → score → reports.

``zwgk demo``, ``zwgk selfcheck``, ``zwgk nightly``, ``zwgk recheck`` and the tests' sample data set all run
this chain; each step is a function a caller may replace or leave out (``None``): re-score without crawling
(``crawl=None``), record hand-written findings instead of running the checks, stop after the checks
(``score=None, report=None``). What the steps produced comes back in one ``ChainResult``; writing report
files, digests and summaries stays with the caller.

Steps and what they are called with:

- ``sync(store) -> unit ids``: put the units into the store (``registered`` when they are there already).
- ``crawl(db_path, unit_ids, progress) -> Crawled``: runs with the store closed (the crawl opens its own
  connections); default ``crawl_step()``, ``crawling.crawl_units`` over the units.
- ``check(store, crawl_store, unit_ids, period, progress) -> (check run id, [UnitCheck])``: default
  ``check_units``, ``checking.check_units`` under the rubric in force.
- ``enter(store, period)``: what assessors know from outside the websites (manual entries, 认定), entered
  before scoring; none by default.
- ``score(store, unit_ids, period) -> {unit id: ScoreSheet}``: default ``score_units``.
- ``report(store, unit_ids, period) -> ([UnitReport], [Rubric])``: default ``reporting.build_reports``.

``announce`` maps a step's name to the progress line said before it runs (each command has its words).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from reports.context import UnitReport
from rubrics.engine import ScoreSheet
from rubrics.model import Rubric
from zwgk.services import checking, crawling
from zwgk.services.checking import UnitCheck
from zwgk.services.crawling import UnitCrawl
from zwgk.services.reporting import build_reports
from zwgk.services.scoring import score_unit
from zwgk.services.stores import crawl_store
from zwgk.store import Store
from zwgk.store.crawl import CrawlStore

Progress = Callable[[str], None]


@dataclass
class Crawled:
    """What the crawl step did: its run, each crawled unit's result, and an error that stopped it (the chain
    then checks what was stored before)."""

    run_id: int | None = None
    units: list[UnitCrawl] = field(default_factory=list)
    error: str | None = None


@dataclass
class ChainResult:
    period: int
    unit_ids: list[str]
    crawl: Crawled | None = None  # None: the chain ran without crawling
    check_run: int | None = None
    checked: list[UnitCheck] = field(default_factory=list)
    sheets: dict[str, ScoreSheet] = field(default_factory=dict)
    reports: list[UnitReport] = field(default_factory=list)
    rubrics: list[Rubric] = field(default_factory=list)

    def crawled(self, unit_id: str) -> UnitCrawl | None:
        return next((c for c in self.crawl.units if c.unit_id == unit_id), None) if self.crawl else None

    def check_of(self, unit_id: str) -> UnitCheck:
        return next(c for c in self.checked if c.unit_id == unit_id)


def registered(unit_ids: list[str]) -> Callable[[Store], list[str]]:
    """The sync step for units already in the store."""
    return lambda _store: list(unit_ids)


def crawl_step(*, full: bool = False, settings: dict | None = None):
    """The crawl step: ``crawling.crawl_units`` over the chain's units."""

    def crawl(db_path: Path, unit_ids: list[str], progress: Progress) -> Crawled:
        run_id, results = crawling.crawl_units(db_path, unit_ids, full=full, settings=settings, progress=progress)
        return Crawled(run_id, results)

    return crawl


def check_units(store: Store, cs: CrawlStore, unit_ids: list[str], period: int,
                progress: Progress = lambda _: None) -> tuple[int, list[UnitCheck]]:
    """The check step: every check over each unit's stored page records (``checking.check_units``)."""
    return checking.check_units(store, cs, unit_ids, period, progress=progress)


def score_units(store: Store, unit_ids: list[str], period: int) -> dict[str, ScoreSheet]:
    """The score step: each unit's sheet under the rubric its current findings were checked under."""
    return {uid: score_unit(store, uid, period)[0] for uid in unit_ids}


def run_chain(
    db_path: str | Path,
    period: int,
    *,
    sync: Callable[[Store], list[str]],
    crawl: Callable[[Path, list[str], Progress], Crawled] | None = crawl_step(),
    check: Callable[..., tuple[int, list[UnitCheck]]] | None = check_units,
    enter: Callable[[Store, int], None] | None = None,
    score: Callable[[Store, list[str], int], dict[str, ScoreSheet]] | None = score_units,
    report: Callable[[Store, list[str], int], tuple[list[UnitReport], list[Rubric]]] | None = build_reports,
    announce: Mapping[str, str] | None = None,
    progress: Progress = lambda _: None,
) -> ChainResult:
    """Run the chain's steps in order over one database (see the module notes)."""
    db_path = Path(db_path)

    def say(step: str) -> None:
        if announce and step in announce:
            progress(announce[step])

    with Store.open(db_path) as store:
        say("sync")
        result = ChainResult(period, sync(store))
    if crawl is not None:
        say("crawl")
        result.crawl = crawl(db_path, result.unit_ids, progress)
    with Store.open(db_path) as store:
        if check is not None:
            say("check")
            result.check_run, result.checked = check(store, crawl_store(store), result.unit_ids, period,
                                                     progress=progress)
        if enter is not None:
            say("enter")
            enter(store, period)
        if score is not None:
            say("score")
            result.sheets = score(store, result.unit_ids, period)
        if report is not None:
            say("report")
            result.reports, result.rubrics = report(store, result.unit_ids, period)
    return result
