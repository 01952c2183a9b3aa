"""``zwgk demo`` end to end, as a user runs it: demo site on loopback → crawl → checks → scores → reports.

Runs in a subprocess (a Scrapy crawl can run once per process) and compares the scores with the golden
score sheets written from the demo site's deliberate gaps (zwgk/demo/site/golden.yaml).
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from rubrics.export import num
from zwgk.services.scoring import score_unit
from zwgk.store import Store

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
GOLDEN = yaml.safe_load((ROOT / "zwgk" / "demo" / "site" / "golden.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("e2e") / "zwgk-demo"
    done = subprocess.run([sys.executable, "-m", "zwgk", "demo", "--out", str(out), "--json"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)["demo"], done.stderr


def test_demo_crawls_every_unit_completely(demo):
    result, err = demo
    assert [u["crawl_status"] for u in result["units"]] == ["complete"] * 4
    assert all(u["pages"] >= 40 for u in result["units"])
    assert "回环地址" in err  # politeness relaxed for loopback only, and the run says so


def test_demo_scores_match_the_golden_sheets(demo):
    result, _ = demo
    with Store.open(result["db"]) as store:
        for unit_id, expected in GOLDEN["units"].items():
            sheet, _ = score_unit(store, unit_id, GOLDEN["period"])
            got = {s.indicator.position: [num(s.confirmed), num(s.provisional)] for s in sheet.indicators
                   if s.confirmed != s.indicator.points or s.provisional != s.indicator.points}
            assert got == expected["indicators"], unit_id
            assert (num(sheet.final_confirmed), num(sheet.final_provisional)) == (
                expected["final_confirmed"], expected["final_provisional"]), unit_id


def test_deliberate_gaps_are_found_with_evidence(demo):
    result, _ = demo
    with Store.open(result["db"]) as store:
        edu = {f["rule_id"]: f for f in store.current_findings("edu-bureau", 2017) if f["outcome"] == "fail"}
        late = edu["department-2017.2.2.d"]
        assert "2017-04-12" in late["message"]
        lag = edu["department-2017.2.3.b"]
        assert lag["evidence"]["lag_working_days"] == 5
        xinshi = store.current_findings("xinshi-town", 2017)
        elements = next(f for f in xinshi if f["rule_id"] == "township-2017.3.3.b")
        assert elements["outcome"] == "fail" and {"通办范围", "预约办理", "物流快递"} <= set(elements["evidence"]["missing"])
        privacy = next(f for f in xinshi if f["check_id"] == "privacy" and f["outcome"] == "needs_review")
        assert "身份证号" in privacy["message"]
        # absence is never a plain deduction: the missing guide of baishui-town is for review
        baishui = {f["rule_id"]: f for f in store.current_findings("baishui-town", 2017)}
        assert baishui["township-2017.2.2.a"]["outcome"] == "needs_review"
        assert baishui["township-2017.2.2.a"]["evidence"]["searched"]


def test_demo_writes_reports_and_says_how_to_review(demo, tmp_path):
    result, _ = demo
    names = {Path(p).name for p in result["reports"]}
    assert {"summary.html", "xinshi-town.html", "township-2017.xlsx", "department-2017.xlsx"} <= names
    done = subprocess.run([sys.executable, "-m", "zwgk", "demo", "--out", str(tmp_path / "d")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0
    assert "zwgk serve --db" in done.stdout and "pinggu" in done.stdout
    assert "考核细则：按2017年细则评估（township-2017、department-2017）" in done.stdout
    assert "Traceback" not in done.stderr


def test_township_reports_show_interpretation_timeliness_as_information_only(demo):
    result, _ = demo
    reports = {Path(p).name: Path(p) for p in result["reports"]}
    township = reports["xinshi-town.html"].read_text(encoding="utf-8")
    department = reports["edu-bureau.html"].read_text(encoding="utf-8")
    assert "政策解读时效（乡镇细则不计分，仅供参考）" in township
    assert "新市镇人民政府关于加强农村建房管理的通知" in township and "未找到解读" in township
    assert "政策解读时效" not in department  # the department rubric scores it (2.3) instead
