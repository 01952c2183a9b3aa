"""A review data set for tests: four units with hand-written findings, manual entries and a 认定.

``build_sample_db(out)`` runs the assessment chain with the findings of ``tests/fixtures/sample/`` in place of
the crawl and the checks, recorded through the same store calls the checks use, so review, scoring, web and
report tests get a database with open proposals without crawling (a Scrapy crawl can run only once per test
process).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Callable

import yaml

from rubrics.export import num, sheet_to_dict
from rubrics.model import fingerprint
from zwgk.demo.accounts import DEMO_USERS
from zwgk.registry.units import load_units
from zwgk.services.assess import run_chain
from zwgk.services.rubric_choice import require_rule, require_target, rubric_of
from zwgk.services.stores import unit_or_fail
from zwgk.store import Store


def build_sample_db(out: Path, progress: Callable[[str], None] = lambda _: None) -> dict:
    """The assessment chain without a crawl: the hand-written findings stand in for the checks."""
    demo_data = Path(__file__).parent / "fixtures" / "sample"
    out.mkdir(parents=True)
    db_path = out / "zwgk.db"
    units_path = out / "units.yaml"
    shutil.copyfile(demo_data / "units.yaml", units_path)
    units = load_units(units_path)
    findings_doc = yaml.safe_load((demo_data / "findings.yaml").read_text(encoding="utf-8"))
    manual_doc = yaml.safe_load((demo_data / "manual.yaml").read_text(encoding="utf-8"))
    period = int(findings_doc["period"])

    def sync(store: Store) -> list[str]:
        progress(f"建立演示数据库 {db_path}")
        store.upsert_units([u.to_dict() for u in units])
        for username, role, name, unit_ids, password in DEMO_USERS:
            store.add_user(username, role, password, display_name=name, units=unit_ids)
        return [u.id for u in units]

    def record_findings(store: Store, _cs, _unit_ids: list[str], period: int, progress) -> tuple[int, list]:
        run_id = store.start_run("demo", period=period)
        by_unit: dict[str, list[dict]] = {}
        for f in findings_doc["findings"]:
            unit = unit_or_fail(store, f["unit"])
            rubric = rubric_of(unit, period)
            by_unit.setdefault(f["unit"], []).append(
                {
                    "fingerprint": fingerprint(rubric.id, period, f["unit"], f["rule"], f["subject"]),
                    "rubric_id": rubric.id,
                    "rule_id": f["rule"],
                    "check_id": f["check"],
                    "subject": f["subject"],
                    "outcome": f["outcome"],
                    "count": f.get("count", 0),
                    "message": f["message"],
                    "evidence": f.get("evidence") or {},
                }
            )
        for unit_id, findings in by_unit.items():
            rubric = rubric_of(unit_or_fail(store, unit_id), period)
            store.record_findings(run_id, unit_id, period, rubric.id, findings)
        store.finish_run(run_id, "complete", {"findings": sum(len(v) for v in by_unit.values())})
        return run_id, []

    def enter(store: Store, period: int) -> None:
        for m in manual_doc.get("manual", []):
            unit = unit_or_fail(store, m["unit"])
            rubric = require_rule(unit, period, m["rule"])
            store.add_manual_entry(m["unit"], period, rubric.id, m["rule"], m["count"], m["reason"], "pinggu")
        for d in manual_doc.get("determinations", []):
            require_target(unit_or_fail(store, d["unit"]), period, d["target"])
            store.add_determination(d["unit"], period, d["target"], d["reason"], "pinggu")

    done = run_chain(db_path, period, sync=sync, crawl=None, check=record_findings, enter=enter, report=None,
                     announce={"check": "载入演示检查发现（内置数据集）", "enter": "载入考核人员的人工录入与认定",
                               "score": "计算得分"},
                     progress=progress)

    sheets_dir = out / "sheets"
    sheets_dir.mkdir()
    rows = []
    with Store.open(db_path) as store:
        for unit in units:
            sheet = done.sheets[unit.id]
            doc = sheet_to_dict(sheet, unit.name)
            path = sheets_dir / f"{unit.id}.json"
            path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
            could_not = [f for f in store.current_findings(unit.id, period) if f["outcome"] == "could_not_assess"]
            rows.append(
                {
                    "unit_id": unit.id,
                    "unit_name": unit.name,
                    "kind": unit.kind,
                    "rubric_id": sheet.rubric.id,
                    "final_confirmed": num(sheet.final_confirmed),
                    "final_provisional": num(sheet.final_provisional),
                    "subtotal_confirmed": num(sheet.subtotal_confirmed),
                    "subtotal_provisional": num(sheet.subtotal_provisional),
                    "open_count": sheet.open_count,
                    "could_not_assess": len(could_not),
                    "sheet": str(path),
                }
            )

    return {
        "out": str(out),
        "db": str(db_path),
        "units_file": str(units_path),
        "period": period,
        "units": rows,
        "logins": [{"username": u, "role": r, "password": p} for u, r, _, _, p in DEMO_USERS],
    }
