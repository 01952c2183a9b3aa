"""``zwgk selfcheck URL``: a unit's web administrator checks their own site, with no registry and no server.

URL is the unit's disclosure root. The run builds a one-unit registry (id from the host, e.g.
``self-www-example-gov-cn``; scope = that host and the root's folder, plus ``--scope`` prefixes), crawls
into a fresh store in the output folder with the same polite crawler and scope rules as ``zwgk crawl``
(``zwgk.services.crawling.crawl_units``), runs every check, scores, and writes ``report.html`` (the unit report of
``zwgk report``) and ``report.json`` (``selfcheck_document``: score sheet, every flagged gap with its
evidence, its provisional cost and how to fix it, what could not be assessed and why).

The unit's name is ``--name``, else the site's ``SiteName`` meta tag (the disclosure root's, else the most
common one), else the host. The output folder must be new, empty, or an earlier self-check's output (a
marker file says so; that folder is then emptied and rewritten — unless it holds a self-check of the same
site whose crawl a stop signal interrupted: that crawl is then continued). A site that could not be crawled
yields a report of "could not assess" items and exit code 3, never a deduction; so does a stopped run.

The run is the assessment chain (``zwgk.services.assess``) over the one unit; the command and its summary
text are in ``zwgk.cli.selfcheck``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from crawler.record import PageRecord
from reports.context import UnitReport
from reports.html import render_unit_report
from reports.remedies import load_remedies
from rubrics.export import SCHEMA_VERSION
from rubrics.model import Automation, Rubric
from zwgk.registry.units import parse_units
from zwgk.services import checking, crawling
from zwgk.services.assess import crawl_step, run_chain
from zwgk.services.rubric_choice import rubric_choice, rubric_of
from zwgk.services.stores import crawl_store, fresh_output_dir
from zwgk.store import Store
from zwgk.store.crawl import CrawlStore

MARKER = ".zwgk-selfcheck"
JSON_KIND = "zwgk-selfcheck"
OPEN_STATUSES = ("proposed", "needs_review")


# --- the one-unit registry -------------------------------------------------------------------------


def host_slug(url: str) -> str:
    """The host as lowercase letters, digits and dashes: www.example.gov.cn → www-example-gov-cn."""
    return re.sub(r"[^a-z0-9]+", "-", (urlsplit(url).hostname or "").lower()).strip("-")


def unit_id_for(url: str) -> str:
    return ("self-" + host_slug(url))[:64].rstrip("-_")


def default_out(url: str) -> Path:
    return Path(f"zwgk-selfcheck-{host_slug(url)}")


def self_unit(url: str, kind: str, scopes: tuple[str, ...] = (), name: str | None = None) -> dict:
    """The registry entry of the unit behind ``url`` (validated like a units file)."""
    parts = urlsplit(url)
    unit = {
        "id": unit_id_for(url),
        "name": name or parts.hostname,
        "kind": kind,
        "site": f"{parts.scheme}://{parts.netloc}/",
        "disclosure_roots": [url],
        "scopes": list(scopes),
        "subunits": [],
    }
    return parse_units({"units": [unit]}, "自查单位")[0].to_dict()


def site_name(records: list[PageRecord]) -> str | None:
    """The SiteName meta tag of the disclosure root, else the one most pages carry."""
    for r in records:
        if r.role == "root" and r.meta.get("sitename", "").strip():
            return r.meta["sitename"].strip()
    names = Counter(r.meta["sitename"].strip() for r in records if r.meta.get("sitename", "").strip())
    return names.most_common(1)[0][0] if names else None


def fresh_dir(out: Path) -> None:
    fresh_output_dir(out, MARKER, "自查")


def interrupted_here(out: Path, unit_id: str) -> bool:
    """Does ``out`` hold a self-check of this unit whose crawl was interrupted (and can be continued)?"""
    db_path = out / "zwgk.db"
    if not (out / MARKER).is_file() or not db_path.is_file():
        return False
    with Store.open(db_path) as store:
        return (any(u["id"] == unit_id for u in store.list_units())
                and crawling.unfinished_run(store, out / "jobs") is not None)


# --- report.json -----------------------------------------------------------------------------------


def _gaps(report: UnitReport, rubric: Rubric) -> list[dict]:
    """Every open proposal from a check, with its evidence, provisional cost and remedy, in rubric order."""
    remedies = load_remedies()
    evidence = {str(f["id"]): f.get("evidence") for f in report.data.findings}
    gaps = []
    owners = [(i["id"], i.get("position", ""), i["name"], i["deductions"])
              for c in report.data.sheet["categories"] for i in c["indicators"]]
    owners += [(a["id"], "", next(x.name for x in rubric.adjustments if x.id == a["id"]), a["entries"])
               for a in report.data.sheet["adjustments"]]
    for owner_id, position, name, deductions in owners:
        for d in deductions:
            if d["source"] != "check" or d["status"] not in OPEN_STATUSES:
                continue
            gaps.append({
                "indicator_id": owner_id,
                "position": position,
                "indicator": name,
                "rule_id": d["rule_id"],
                "rule_text": d["rule_text"],
                "status": d["status"],
                "status_text": d["status_text"],
                "count": d["count"],
                "points": d["points"],
                "cost": d["provisional_points"],
                "excluded_by": d["excluded_by"],
                "subject": d["subject"],
                "message": d["message"],
                "evidence": evidence.get(d.get("evidence_ref") or ""),
                "remedy": remedies.for_rule(d["rule_id"]),
                "fingerprint": d["fingerprint"],
            })
    return gaps


def selfcheck_document(report: UnitReport, rubric: Rubric, url: str, crawl: crawling.UnitCrawl, pages: int,
                       files: dict) -> dict:
    """The content of ``report.json`` (and of ``--json``): see the module notes."""
    sheet = report.data.sheet
    manual = [{"indicator_id": i.id, "position": i.position, "indicator": i.name}
              for c in rubric.categories for i in c.indicators if i.automation is Automation.MANUAL]
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": JSON_KIND,
        "url": url,
        "period": report.period,
        "unit": report.data.unit,
        "rubric_id": rubric.id,
        "rubric_title": rubric.title,
        "rubric_applied": rubric.applied_label,
        "assessed": crawl.status != "failed",  # False: the site could not be crawled, the score means nothing
        "crawl": {"status": crawl.status, "health": crawl.health, "pages": pages,
                  "requests": crawl.summary.get("requests", 0)},
        "score": {
            "total": sheet["total"],
            "final_provisional": sheet["final_provisional"],
            "subtotal_provisional": sheet["subtotal_provisional"],
            "final_confirmed": sheet["final_confirmed"],
            "open_count": sheet["open_count"],
        },
        "gaps": _gaps(report, rubric),
        "could_not_assess": [
            {"rule_id": c.rule_id, "position": c.position, "indicator": c.owner_name, "rule_text": c.rule_text,
             "subject": c.subject, "message": c.message, "reason": c.reason}
            for c in report.could_not_assess
        ],
        "manual_indicators": manual,
        "files": files,
        "score_sheet": sheet,
        "findings": report.data.findings,
    }


# --- the run ---------------------------------------------------------------------------------------


def run(url: str, kind: str, period: int, out: Path, *, scopes: tuple[str, ...] = (), name: str | None = None,
        progress: Callable[[str], None] = lambda _: None, settings: dict | None = None,
        rubric_ids: tuple[str, ...] = ()) -> dict:
    """Crawl, check, score and report one ad-hoc unit into ``out``; returns ``selfcheck_document``.
    ``settings``: crawl settings over the defaults (tests and programmatic callers: delays, timeouts).
    ``rubric_ids``: ``--rubric`` (default: the rubric in force for the kind and period)."""
    unit = self_unit(url, kind, scopes, name)
    rubric_ids = tuple(filter(None, [rubric_choice(unit, rubric_ids, strict=True)]))
    rubric = rubric_of(unit, period, rubric_ids[0] if rubric_ids else None)  # none for the period: say so before crawling
    progress(f"{period} 年度{rubric.applied_label}（{rubric.id}）")
    db_path = out / "zwgk.db"
    resuming = interrupted_here(out, unit["id"])
    if resuming:
        progress(f"继续上次被中断的自查（{out}）")
    else:
        fresh_dir(out)

    def sync(store: Store) -> list[str]:
        if not resuming:
            store.upsert_units([unit])
        return [unit["id"]]

    def check(store: Store, cs: CrawlStore, unit_ids: list[str], period: int, progress: Callable[[str], None]):
        if not name:  # the site's own name, once its pages are in
            unit["name"] = site_name(cs.unit_records(unit["id"])) or unit["name"]
            store.upsert_units([unit])
        return checking.check_units(store, cs, unit_ids, period, progress=progress, rubric_ids=rubric_ids)

    scope = "、".join(unit["disclosure_roots"] + unit["scopes"])
    done = run_chain(db_path, period, sync=sync, crawl=crawl_step(settings=settings), check=check, score=None,
                     announce={"crawl": f"抓取 {url}（范围：{scope} 所在目录）", "check": "运行检查",
                               "report": "计算得分并生成报告"},
                     progress=progress)
    with Store.open(db_path) as store:
        pages = len(crawl_store(store).unit_records(unit["id"]))
    report = done.reports[0]
    html_path, json_path = out / "report.html", out / "report.json"
    html_path.write_text(render_unit_report(report), encoding="utf-8")
    files = {"html": str(html_path), "json": str(json_path), "db": str(db_path)}
    doc = selfcheck_document(report, rubric, url, done.crawl.units[0], pages, files)
    json_path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    return doc
