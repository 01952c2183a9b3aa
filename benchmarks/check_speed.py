"""Speed of checks + scoring over synthetic page records (no HTML, no disk: records are generated in memory).

Builds ``--records`` page records (default 1,000,000) spread over units of ~140 records each (≈7,000
units for the million; townships and departments 1:2.6 as in a province), runs every registered check and
``rubrics.engine.score`` per unit, and prints records/s and the projected minutes for a million records.
Records of one unit are generated just before its checks run and dropped after (a province's records do not
fit in memory at once); generation time is reported apart from check + score time.

    python benchmarks/check_speed.py [--records N] [--per-unit 140] [--workers 2] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from checks.base import CheckContext
from checks.registry import rubric_for, run_checks
from crawler.record import Attachment, Link, PageRecord
from rubrics.engine import Proposal, score
from rubrics.model import Outcome

PERIOD = 2017
ELEMENTS = rubric_for("department", PERIOD).find_rule("department-2017.3.2.b")[1].items
COLUMNS = ["机构职能", "领导信息", "人事任免", "人事招录", "规划计划", "规范性文件", "权责清单", "市场监管", "政务服务", "惠民政策",
           "重大建设项目", "公共资源交易", "精准扶贫", "社会救助", "就业创业", "保障性住房", "财政资金", "安全生产", "环境保护",
           "工作动态", "通知公告", "回应关切", "政策解读", "政府信息公开指南", "政府信息公开年报", "政府信息公开制度"]
FILLER = ("为深入贯彻落实政务公开工作要求，进一步提高行政效能，根据上级有关文件精神，结合本地实际，现将有关事项通知如下。"
          "各单位要高度重视，明确责任分工，确保各项工作落到实处。联系电话：0730-5221234。") * 4
STATES = ("present",) * 18 + ("empty", "placeholder", "missing", "image_only")


def unit_records(n: int, count: int, seed: int) -> tuple[dict, list[PageRecord]]:
    """The synthetic records of unit ``n``: a deterministic mix of the page kinds the checks read."""
    rnd = random.Random(seed * 1_000_003 + n)
    township = n % 18 < 5
    name = f"第{n}乡镇人民政府" if township else f"第{n}号局"
    unit = {"id": f"u{n}", "name": name, "kind": "township" if township else "department",
            "subunits": [f"第{n}乡镇财政所", f"第{n}乡镇党政综合办公室"] if township else []}
    host = f"http://www{n}.example.gov.cn"
    records = []
    for i in range(count):
        url = f"{host}/xxgk/c{i % 26}/2017{(i % 12) + 1:02d}/t2017{(i % 12) + 1:02d}{(i % 28) + 1:02d}_{i}.html"
        date = f"{rnd.choice((2015, 2016, 2017, 2017, 2017))}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
        column = COLUMNS[i % len(COLUMNS)]
        kind, extras, title, links, attachments = "other", {}, f"{name}关于{column}工作的通知（{i}）", [], []
        slot = i % 35
        if slot == 0:
            kind, title = "disclosure_guide", f"{name}政府信息公开指南"
        elif slot == 1:
            kind, title = "annual_report", f"{name}2016年政府信息公开工作年度报告"
            extras = {"annual_report": {"year": 2016, "format": "free", "stats": {
                "received": rnd.randint(0, 20), "overdue": rnd.choice((0, 0, 0, 1, None)),
                "review_cases": rnd.choice((0, 0, 1, None)), "lawsuits": 0}}}
        elif slot in (2, 3, 4):
            kind, title = "policy", f"{name}关于印发《第{i}号管理办法》的通知"
            extras = {"policy": {"doc_number": f"测政发〔2017〕{i}号"}}
        elif slot in (5, 6):
            kind, title = "interpretation", f"《第{i - 3}号管理办法》政策解读"
            extras = {"interpretation": {"policy_titles": [f"第{i - 3}号管理办法"], "policy_links": [],
                                         "doc_numbers": [f"测政发〔2017〕{i - 3}号"] if rnd.random() < 0.5 else []}}
        elif slot in (7, 8, 9, 10):
            kind, title = "service_guide", f"第{i}项行政许可办事指南"
            extras = {"service_guide": {"format": "table", "elements": {
                e: {"state": (s := rnd.choice(STATES)), "label": e, "value": "示例" if s == "present" else None} for e in ELEMENTS}}}
            links = [Link("http://zwfw.hunan.gov.cn/apply", "在线办理")]
            attachments = [Attachment(f"{host}/uploadfiles/{i}.doc", "申请表.doc", "doc", "unreadable")]
        elif slot == 11:
            title = f"{name}领导班子成员分工"
        elif slot == 12:
            title = f"{name}政务服务事项目录清单"
        text = FILLER + ("身份证号430681198001011236" if rnd.random() < 0.002 else "") + (
            f"联系人手机1387301{rnd.randint(1000, 9999)}" if rnd.random() < 0.01 else "")
        records.append(PageRecord(
            url=url, final_url=url, status=200, content_type="text/html", encoding="utf-8", body_sha256=f"{n:08x}{i:056x}",
            role="list" if i % 20 == 19 else "detail", title=title, pub_date=date, pub_date_source="meta",
            breadcrumb=["首页", "信息公开", column], column=column, main_text=text, links=links, attachments=attachments,
            kind=kind, extras=extras,
        ))
    return unit, records


def run_unit(args: tuple[int, int, int]) -> tuple[int, int, float, float, float]:
    """Generate, check and score one unit → (records, findings, generation s, check + score s, check + score CPU s)."""
    n, count, seed = args
    t0 = time.perf_counter()
    unit, records = unit_records(n, count, seed)
    t1 = time.perf_counter()
    c1 = time.process_time()
    rubric = rubric_for(unit["kind"], PERIOD)
    findings = run_checks(CheckContext(unit=unit, period=PERIOD, rubric=rubric, records=records, crawl_status="complete"))
    proposals = []
    for f in findings:
        if f.outcome in (Outcome.FAIL, Outcome.NEEDS_REVIEW):
            row = f.to_store_dict(rubric.id, PERIOD, unit["id"])
            proposals.append(Proposal(row["fingerprint"], f.rule_id, f.count, f.outcome, f.subject.label, f.message, f.check_id))
    score(rubric, unit["id"], PERIOD, proposals)
    return len(records), len(findings), t1 - t0, time.perf_counter() - t1, time.process_time() - c1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--per-unit", type=int, default=140)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    units = max(1, args.records // args.per_unit)
    jobs = [(n, args.per_unit, args.seed) for n in range(units)]
    start = time.perf_counter()
    if args.workers > 1:
        with Pool(args.workers) as pool:
            results = pool.map(run_unit, jobs, chunksize=16)
    else:
        results = [run_unit(j) for j in jobs]
    wall = time.perf_counter() - start
    records = sum(r[0] for r in results)
    findings = sum(r[1] for r in results)
    generate = sum(r[2] for r in results)
    check = sum(r[3] for r in results)
    cpu = sum(r[4] for r in results)
    rate = records / check * args.workers  # check + score only, all workers together
    print(f"units {units}, records {records}, findings {findings}, workers {args.workers}, load average {os.getloadavg()[0]:.1f}")
    print(f"wall time {wall:.1f} s (generation {generate:.1f} s, check + score {check:.1f} s summed over workers, "
          f"{cpu:.1f} s of CPU)")
    print(f"check + score: {records / check:,.0f} records/s per process (wall), {records / cpu:,.0f} records/s per CPU second; "
          f"{rate:,.0f} records/s with {args.workers} workers")
    print(f"projected for 1,000,000 records: {1_000_000 / rate / 60:.1f} min check + score as measured, "
          f"{1_000_000 / (records / cpu) / args.workers / 60:.1f} min on {args.workers} uncontended cores; "
          f"{1_000_000 / (records / wall) / 60:.1f} min wall including generation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
