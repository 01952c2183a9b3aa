"""A review data set for tests: four units with hand-written findings, manual entries and a 认定.

``build_sample_db(out)`` records the findings of ``tests/fixtures/sample/`` through the same store calls the
checks use, so review, scoring, web and report tests get a database with open proposals without crawling
(a Scrapy crawl can run only once per test process).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Callable

import yaml

from rubrics.export import num, sheet_to_dict
from rubrics.model import fingerprint
from zwgk.services import app
from zwgk.store import Store
from zwgk.registry.units import load_units

DEMO_USERS = [
    # (username, role, display name, units, password) — demo only, printed for the user
    ("admin", "admin", "系统管理员", (), "demo-admin-2017"),
    ("pinggu", "assessor", "考核人员（演示）", (), "demo-pinggu-2017"),
    ("xinshi", "unit", "新市镇（演示）", ("xinshi-town",), "demo-xinshi-2017"),
]


def build_sample_db(out: Path, progress: Callable[[str], None] = lambda _: None) -> dict:
    demo_data = Path(__file__).parent / "fixtures" / "sample"
    out.mkdir(parents=True)
    db_path = out / "zwgk.db"
    units_path = out / "units.yaml"
    shutil.copyfile(demo_data / "units.yaml", units_path)
    units = load_units(units_path)
    findings_doc = yaml.safe_load((demo_data / "findings.yaml").read_text(encoding="utf-8"))
    manual_doc = yaml.safe_load((demo_data / "manual.yaml").read_text(encoding="utf-8"))
    period = int(findings_doc["period"])

    with Store.open(db_path) as store:
        progress(f"建立演示数据库 {db_path}")
        store.upsert_units([u.to_dict() for u in units])
        for username, role, name, unit_ids, password in DEMO_USERS:
            store.add_user(username, role, password, display_name=name, units=unit_ids)

        progress("载入演示检查发现（内置数据集）")
        run_id = store.start_run("demo", period=period)
        by_unit: dict[str, list[dict]] = {}
        for f in findings_doc["findings"]:
            unit = app.unit_or_fail(store, f["unit"])
            rubric = app.rubric_of(unit, period)
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
            rubric = app.rubric_of(app.unit_or_fail(store, unit_id), period)
            store.record_findings(run_id, unit_id, period, rubric.id, findings)
        store.finish_run(run_id, "complete", {"findings": sum(len(v) for v in by_unit.values())})

        progress("载入考核人员的人工录入与认定")
        for m in manual_doc.get("manual", []):
            unit = app.unit_or_fail(store, m["unit"])
            rubric = app.require_rule(unit, period, m["rule"])
            store.add_manual_entry(m["unit"], period, rubric.id, m["rule"], m["count"], m["reason"], "pinggu")
        for d in manual_doc.get("determinations", []):
            app.require_target(app.unit_or_fail(store, d["unit"]), period, d["target"])
            store.add_determination(d["unit"], period, d["target"], d["reason"], "pinggu")

        progress("计算得分")
        sheets_dir = out / "sheets"
        sheets_dir.mkdir()
        rows = []
        for unit in units:
            sheet, _ = app.score_unit(store, unit.id, period)
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
