"""``zwgk demo``: the main job end to end on the bundled demo site, into a fresh folder.

Serves the demo county (``zwgk/demo/site``) on an ephemeral 127.0.0.1 port, registers its four units and
the demo accounts, crawls it (politeness relaxed for loopback only), runs every check, enters what the demo
assessor knows from outside the website (``zwgk/demo/site/assessor.yaml``), scores, and writes the reports:
the assessment chain (``zwgk.services.assess``) on the demo county. The command and its summary are in
``zwgk.cli.demo``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import yaml

from rubrics.export import num
from zwgk.demo import server as demo_site
from zwgk.demo.accounts import DEMO_USERS
from zwgk.registry.units import load_units
from zwgk.services.assess import run_chain
from zwgk.services.reporting import write_reports
from zwgk.services.rubric_choice import require_rule, require_target
from zwgk.services.stores import fresh_output_dir, unit_or_fail
from zwgk.store import Store

MARKER = ".zwgk-demo"


def _enter_assessor_knowledge(store: Store, period: int) -> None:
    doc = yaml.safe_load((demo_site.default_root() / "assessor.yaml").read_text(encoding="utf-8"))
    for m in doc.get("manual", []):
        unit = unit_or_fail(store, m["unit"])
        rubric = require_rule(unit, period, m["rule"])
        store.add_manual_entry(m["unit"], period, rubric.id, m["rule"], m["count"], m["reason"], "pinggu")
    for d in doc.get("determinations", []):
        require_target(unit_or_fail(store, d["unit"]), period, d["target"])
        store.add_determination(d["unit"], period, d["target"], d["reason"], "pinggu")


def run(out: Path, period: int = 2017, progress: Callable[[str], None] = lambda _: None) -> dict:
    fresh_output_dir(out, MARKER, "演示")
    db_path = out / "zwgk.db"
    units_path = out / "units.yaml"
    with demo_site.serve() as site:
        progress(f"演示网站已在 {site.base_url} 启动（仅本机可访问）")
        demo_site.write_units_yaml(site.base_url, units_path)
        units = load_units(units_path)

        def sync(store: Store) -> list[str]:
            store.upsert_units([u.to_dict() for u in units])
            for username, role, name, unit_ids, password in DEMO_USERS:
                store.add_user(username, role, password, display_name=name, units=unit_ids)
            return [u.id for u in units]

        done = run_chain(db_path, period, sync=sync, enter=_enter_assessor_knowledge, announce={
            "crawl": "抓取演示网站（回环地址，已放宽礼貌限速，仅用于演示）",
            "check": "运行检查",
            "enter": "载入考核人员录入的人工指标与认定",
            "score": "计算得分并生成报告",
        }, progress=progress)
    files = write_reports(done.reports, done.rubrics, "html", out / "reports")
    files += write_reports(done.reports, done.rubrics, "xlsx", out / "reports")
    rows = []
    for u in units:
        sheet = done.sheets[u.id]
        check = done.check_of(u.id)
        rows.append({
            "unit_id": u.id,
            "unit_name": u.name,
            "kind": u.kind,
            "rubric_id": sheet.rubric.id,
            "rubric_applied": sheet.rubric.applied_label,
            "crawl_status": done.crawled(u.id).status,
            "pages": check.records,
            "final_confirmed": num(sheet.final_confirmed),
            "final_provisional": num(sheet.final_provisional),
            "open_count": sheet.open_count,
            "could_not_assess": check.outcomes.get("could_not_assess", 0),
        })
    return {
        "out": str(out),
        "db": str(db_path),
        "units_file": str(units_path),
        "period": period,
        "crawl_run": done.crawl.run_id,
        "check_run": done.check_run,
        "units": rows,
        "reports": [f["path"] for f in files],
        "logins": [{"username": u, "role": r, "password": p} for u, r, _, _, p in DEMO_USERS],
    }
