"""``zwgk selfcheck URL`` as a unit's web administrator runs it: one ad-hoc unit, crawl → checks → report.

The crawl runs in a subprocess (a Scrapy crawl runs once per process) against the bundled demo site served
by this test process. The command is added to the ``zwgk`` group the way ``zwgk.cli`` adds it and run
through ``zwgk.cli.main``, so exit codes and error messages are the real ones.
"""

import json
import socket
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from crawlenv import crawl_env
from crawler.record import PageRecord
from zwgk.demo import server as demo_site
from zwgk.services.errors import AppError
from zwgk.services.rubric_choice import rubric_of
from zwgk.services.selfcheck import MARKER, fresh_dir, self_unit, site_name, unit_id_for

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = yaml.safe_load((ROOT / "zwgk" / "demo" / "site" / "golden.yaml").read_text(encoding="utf-8"))
ASSESSOR = yaml.safe_load((ROOT / "zwgk" / "demo" / "site" / "assessor.yaml").read_text(encoding="utf-8"))


def zwgk(*args, timeout=240):
    return subprocess.run([sys.executable, "-m", "zwgk", *args], capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT, env=crawl_env(), check=False)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def edu(tmp_path_factory):
    """A self-check of the demo county's education bureau, from its disclosure root alone."""
    out = tmp_path_factory.mktemp("selfcheck") / "edu"
    with demo_site.serve() as site:
        unit = next(u for u in demo_site.units_for(site.base_url) if u["id"] == "edu-bureau")
        done = zwgk("selfcheck", unit["disclosure_roots"][0], "--kind", "department", "--period", "2017",
                    "--out", str(out))
    return site.base_url, out, done


@pytest.mark.slow
def test_selfcheck_writes_the_report_and_lists_the_late_annual_report(edu):
    base, out, done = edu
    assert done.returncode == 0, done.stderr[-2000:]
    assert (out / "report.html").is_file() and (out / MARKER).is_file()
    doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert doc["kind"] == "zwgk-selfcheck" and doc["assessed"] is True
    assert doc["unit"]["id"] == "self-127-0-0-1"
    assert doc["unit"]["name"] == "汨水县教育局"  # the site's SiteName meta tag
    assert doc["crawl"]["status"] == "complete" and doc["crawl"]["pages"] >= 40
    late = next(g for g in doc["gaps"] if g["rule_id"] == "department-2017.2.2.d")
    assert late["cost"] == 1 and late["status"] == "proposed"
    assert "2017-04-12" in late["message"]
    assert late["evidence"]["url"] == f"{base}/edu/xxgk/xxgknb/201704/t20170412_3338.html"
    assert "3月31日" in late["remedy"]
    lag = next(g for g in doc["gaps"] if g["rule_id"] == "department-2017.2.3.b")
    assert lag["cost"] == 1 and lag["evidence"]["lag_working_days"] == 5
    # the provisional score is what the gaps cost, and the report shows the same unit and evidence
    assert doc["score"]["total"] - doc["score"]["final_provisional"] == sum(g["cost"] for g in doc["gaps"])
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "汨水县教育局" in html and "t20170412_3338.html" in html


@pytest.mark.slow
def test_selfcheck_scores_the_unit_as_the_demo_run_does(edu):
    """Same crawler, scope and checks as the county-wide run: the golden sheet, except what the demo
    assessor entered by hand (no website shows it)."""
    _, out, done = edu
    assert done.returncode == 0, done.stderr[-2000:]
    doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
    manual = {e["rule"].rsplit(".", 1)[0] for e in ASSESSOR["manual"] if e["unit"] == "edu-bureau"}
    golden = {pos: scores for pos, scores in GOLDEN["units"]["edu-bureau"]["indicators"].items()
              if f"department-2017.{pos}" not in manual}
    got = {i["position"]: [i["confirmed"], i["provisional"]]
           for c in doc["score_sheet"]["categories"] for i in c["indicators"]
           if i["confirmed"] != i["points"] or i["provisional"] != i["points"]}
    assert got == golden


@pytest.mark.slow
def test_selfcheck_summary_is_chinese_with_costs_and_the_report_path(edu):
    _, out, done = edu
    assert "暂估得分：" in done.stdout
    assert "2.2 指南和年报公开［拟扣分，扣 1 分］公开不及时的扣1分" in done.stdout
    assert "整改：" in done.stdout
    assert "无法评估（" in done.stdout  # 3.3's element rule cannot be judged without the 细则
    assert str(out / "report.html") in done.stdout


@pytest.mark.slow
def test_selfcheck_stays_inside_the_units_folder(edu):
    base, out, done = edu
    assert done.returncode == 0
    with sqlite3.connect(out / "zwgk.db") as conn:
        urls = [r[0] for r in conn.execute("SELECT url FROM pages")]
        off_scope = {r[0] for r in conn.execute("SELECT url FROM skipped_links WHERE reason = 'off_scope'")}
    assert urls and all(u.startswith(f"{base}/edu/xxgk/") for u in urls)
    assert f"{base}/index.html" in off_scope  # the county portal's home page is linked but not crawled


@pytest.mark.slow
def test_unreachable_site_cannot_be_assessed(tmp_path):
    out = tmp_path / "down"
    done = zwgk("selfcheck", f"http://127.0.0.1:{closed_port()}/xxgk/", "--kind", "township", "--period", "2017",
                "--out", str(out))
    assert done.returncode == 3, done.stderr[-2000:]
    assert "得分：无法评估" in done.stdout and "暂估得分" not in done.stdout
    assert "公开目录入口均无法访问" in done.stdout
    doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert doc["assessed"] is False and doc["crawl"]["status"] == "failed"
    assert doc["gaps"] == []  # a site that could not be crawled never costs points
    assert doc["could_not_assess"] and all("无法评估" in c["message"] for c in doc["could_not_assess"])
    assert (out / "report.html").is_file()


@pytest.mark.slow
def test_without_period_the_current_year_is_assessed_under_the_newest_rubric_in_force(tmp_path):
    """In a year without a rubric of its own (2026), the 2017 rubric still in force applies, and says so."""
    out = tmp_path / "now"
    done = zwgk("selfcheck", f"http://127.0.0.1:{closed_port()}/xxgk/", "--kind", "department", "--out", str(out))
    assert done.returncode == 3, done.stderr[-2000:]
    doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert doc["period"] == datetime.now(ZoneInfo("Asia/Shanghai")).year
    assert (doc["rubric_id"], doc["rubric_applied"]) == ("department-2017", "按2017年细则评估")
    assert "按2017年细则评估" in done.stdout
    assert "按2017年细则评估" in (out / "report.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_foreign_folder_is_refused_and_left_alone(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("别删我", encoding="utf-8")
    done = zwgk("selfcheck", "http://127.0.0.1:9/xxgk/", "--kind", "township", "--period", "2017", "--out", str(out))
    assert done.returncode == 1
    assert "不是空目录" in done.stderr and "--out" in done.stderr
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert (out / "notes.txt").read_text(encoding="utf-8") == "别删我"


@pytest.mark.slow
def test_bad_url_is_a_usage_error(tmp_path):
    done = zwgk("selfcheck", "ftp://www.example.gov.cn/xxgk/", "--kind", "township", "--out", str(tmp_path / "x"))
    assert done.returncode == 2
    assert "只接受 http(s) 网址" in done.stderr
    assert not (tmp_path / "x").exists()


@pytest.mark.slow
def test_a_period_without_rubric_is_refused_before_crawling(tmp_path):
    done = zwgk("selfcheck", "http://127.0.0.1:9/xxgk/", "--kind", "township", "--period", "2016",
                "--out", str(tmp_path / "x"))
    assert done.returncode == 1
    assert "2016 年度的考核细则" in done.stderr
    assert not (tmp_path / "x").exists()


# --- pieces, in process -------------------------------------------------------------------------------


def test_unit_id_and_registry_entry_from_the_url():
    assert unit_id_for("http://www.example.gov.cn/xxgk/index.html") == "self-www-example-gov-cn"
    unit = self_unit("https://www.example.gov.cn/zhen/xxgk/", "township", ("http://zwfw.example.gov.cn/bszn/",))
    assert unit["name"] == "www.example.gov.cn" and unit["site"] == "https://www.example.gov.cn/"
    assert unit["disclosure_roots"] == ["https://www.example.gov.cn/zhen/xxgk/"]
    assert unit["scopes"] == ["http://zwfw.example.gov.cn/bszn/"]
    assert rubric_of(unit, 2017).id == "township-2017"


def test_site_name_prefers_the_disclosure_root():
    def rec(role, name):
        return PageRecord(url="http://h/x", final_url="http://h/x", status=200, content_type="text/html",
                          encoding="utf-8", body_sha256="0", role=role, meta={"sitename": name} if name else {})

    assert site_name([rec("detail", "齐齐哈尔"), rec("root", " 某某镇人民政府 ")]) == "某某镇人民政府"
    assert site_name([rec("detail", "甲"), rec("detail", "乙"), rec("list", "乙"), rec("root", None)]) == "乙"
    assert site_name([rec("root", None)]) is None


def test_an_earlier_selfcheck_folder_is_rewritten(tmp_path):
    out = tmp_path / "again"
    fresh_dir(out)
    (out / "report.json").write_text("{}", encoding="utf-8")
    fresh_dir(out)
    assert sorted(p.name for p in out.iterdir()) == [MARKER]
    empty = tmp_path / "empty"
    empty.mkdir()
    fresh_dir(empty)
    assert (empty / MARKER).is_file()
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(AppError):
        fresh_dir(tmp_path / "file")
