"""``zwgk demo``: the main job end to end on the bundled demo site, into a fresh folder.

Serves the demo county (``zwgk/demo/site``) on an ephemeral 127.0.0.1 port, registers its four units and
the demo accounts, crawls it (politeness relaxed for loopback only), runs every check, enters what the demo
assessor knows from outside the website (``zwgk/demo/site/assessor.yaml``), scores, and writes the reports.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import yaml

from crawler.status import crawl_status_word
from rubrics.export import num
from zwgk.services import app
from zwgk.services import checking
from zwgk.services import crawling
from zwgk.demo import server as demo_site
from zwgk.services.reporting import build_reports, write_reports
from zwgk.store import Store
from zwgk.cli.render import rubrics_applied
from zwgk.cli.textui import table
from zwgk.registry.units import load_units

MARKER = ".zwgk-demo"
DEMO_USERS = [
    # (username, role, display name, units, password) — demo only, printed for the user
    ("admin", "admin", "系统管理员", (), "demo-admin-2017"),
    ("pinggu", "assessor", "考核人员（演示）", (), "demo-pinggu-2017"),
    ("xinshi", "unit", "新市镇（演示）", ("xinshi-town",), "demo-xinshi-2017"),
]


def _enter_assessor_knowledge(store: Store, period: int) -> None:
    doc = yaml.safe_load((demo_site.default_root() / "assessor.yaml").read_text(encoding="utf-8"))
    for m in doc.get("manual", []):
        unit = app.unit_or_fail(store, m["unit"])
        rubric = app.require_rule(unit, period, m["rule"])
        store.add_manual_entry(m["unit"], period, rubric.id, m["rule"], m["count"], m["reason"], "pinggu")
    for d in doc.get("determinations", []):
        app.require_target(app.unit_or_fail(store, d["unit"]), period, d["target"])
        store.add_determination(d["unit"], period, d["target"], d["reason"], "pinggu")


def run(out: Path, period: int = 2017, progress: Callable[[str], None] = lambda _: None) -> dict:
    app.fresh_output_dir(out, MARKER, "演示")
    db_path = out / "zwgk.db"
    units_path = out / "units.yaml"
    with demo_site.serve() as site:
        progress(f"演示网站已在 {site.base_url} 启动（仅本机可访问）")
        demo_site.write_units_yaml(site.base_url, units_path)
        units = load_units(units_path)
        with Store.open(db_path) as store:
            store.upsert_units([u.to_dict() for u in units])
            for username, role, name, unit_ids, password in DEMO_USERS:
                store.add_user(username, role, password, display_name=name, units=unit_ids)
        progress("抓取演示网站（回环地址，已放宽礼貌限速，仅用于演示）")
        crawl_run, crawled = crawling.crawl_units(db_path, None, progress=progress)

    with Store.open(db_path) as store:
        progress("运行检查")
        check_run, checked = checking.check_units(store, app.crawl_store(store), [u.id for u in units], period,
                                                  progress=progress)
        progress("载入考核人员录入的人工指标与认定")
        _enter_assessor_knowledge(store, period)
        progress("计算得分并生成报告")
        reports, rubrics = build_reports(store, [u.id for u in units], period)
        files = write_reports(reports, rubrics, "html", out / "reports")
        files += write_reports(reports, rubrics, "xlsx", out / "reports")
        rows = []
        for u in units:
            sheet, _ = app.score_unit(store, u.id, period)
            crawl = next(c for c in crawled if c.unit_id == u.id)
            check = next(c for c in checked if c.unit_id == u.id)
            rows.append({
                "unit_id": u.id,
                "unit_name": u.name,
                "kind": u.kind,
                "rubric_id": sheet.rubric.id,
                "rubric_applied": sheet.rubric.applied_label,
                "crawl_status": crawl.status,
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
        "crawl_run": crawl_run,
        "check_run": check_run,
        "units": rows,
        "reports": [f["path"] for f in files],
        "logins": [{"username": u, "role": r, "password": p} for u, r, _, _, p in DEMO_USERS],
    }


def summary_text(result: dict) -> str:
    rows = [
        [r["unit_name"], r["unit_id"], crawl_status_word(r["crawl_status"]), str(r["pages"]),
         str(r["final_confirmed"]), str(r["final_provisional"]), str(r["open_count"]), str(r["could_not_assess"])]
        for r in result["units"]
    ]
    db = result["db"]
    first = result["units"][0]["unit_id"]
    reports_dir = Path(result["out"]) / "reports"
    lines = [
        f"演示完成：{result['period']} 年度，抓取演示网站 → 检查 → 评分 → 报告。",
        "",
        table(["单位", "编号", "抓取", "页面", "已确认得分", "暂估得分", "待处理", "无法评估项"], rows, "<<<>>>>>"),
        rubrics_applied((r["rubric_id"], r["rubric_applied"]) for r in result["units"]),
        "",
        "暂估得分 = 所有待处理的拟扣分都被确认时的得分；待处理项须考核人员确认、驳回或修改。",
        f"报告：{reports_dir / 'summary.html'}（汇总排名）及各单位自查报告、XLSX 得分表，均在 {reports_dir}/",
        "",
        "打开复核网页（同一数据）：",
        f"  zwgk serve --db {db}",
        "  然后用浏览器访问 http://127.0.0.1:8000/",
        "",
        "或在命令行复核：",
        f"  zwgk review list --db {db} --unit {first} --period {result['period']}",
        f"  zwgk score --db {db} --unit {first} --period {result['period']}",
        "",
        "演示账号（仅用于演示）：",
    ]
    lines += [f"  {x['username']}（{x['role']}）密码 {x['password']}" for x in result["logins"]]
    return "\n".join(lines)
