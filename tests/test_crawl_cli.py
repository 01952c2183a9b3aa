"""``zwgk crawl`` as a user runs it: into the store, incremental, locked, resumable after a kill.

Crawls run in subprocesses (a Scrapy crawl runs once per process) against loopback servers started here:
the bundled demo site and the synthetic county of benchmarks/gen_county.py.
"""

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from benchmarks.gen_county import serve_county
from crawlenv import crawl_env
from zwgk.demo import server as demo_site
from zwgk.services.crawling import crawl_lock

ROOT = Path(__file__).resolve().parent.parent


def zwgk(*args, timeout=240):
    return subprocess.run([sys.executable, "-m", "zwgk", *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          env=crawl_env())


def count(db, sql, *params):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchone()[0]


@pytest.fixture(scope="module")
def demo_registry(tmp_path_factory):
    folder = tmp_path_factory.mktemp("crawlcli")
    with demo_site.serve() as site:
        units = folder / "units.yaml"
        demo_site.write_units_yaml(site.base_url, units)
        yield folder, units


@pytest.mark.slow
def test_crawl_check_and_incremental_recrawl(demo_registry):
    folder, units = demo_registry
    db = folder / "zwgk.db"
    first = zwgk("crawl", "--db", str(db), "--units", str(units), "--json")
    assert first.returncode == 0, first.stderr[-2000:]
    doc = json.loads(first.stdout)
    assert {u["unit_id"]: u["status"] for u in doc["units"]} == {
        "xinshi-town": "complete", "baishui-town": "complete", "edu-bureau": "complete", "land-bureau": "complete"}
    fetched = count(db, "SELECT count(*) FROM fetches WHERE run_id = ?", doc["run_id"])
    records = count(db, "SELECT count(*) FROM page_records")
    assert fetched > 150 and records > 150
    assert count(db, "SELECT count(*) FROM attachment_texts WHERE status = 'extracted'") >= 4
    assert count(db, "SELECT count(*) FROM skipped_links WHERE reason = 'off_scope'") > 0
    blobs = sum(1 for p in (folder / "blobs").rglob("*.z"))
    assert blobs == count(db, "SELECT count(*) FROM snapshots")

    checked = zwgk("check", "--db", str(db), "--period", "2017", "--json")
    assert checked.returncode == 0, checked.stderr[-2000:]
    assert all(u["outcomes"].get("fail", 0) + u["outcomes"].get("needs_review", 0) > 0
               for u in json.loads(checked.stdout)["units"])

    again = zwgk("crawl", "--db", str(db), "--units", str(units), "--json")
    assert again.returncode == 0
    second = json.loads(again.stdout)["run_id"]
    refetched = count(db, "SELECT count(*) FROM fetches WHERE run_id = ?", second)
    assert refetched < fetched * 0.5  # list pages again, known documents not
    assert sum(1 for p in (folder / "blobs").rglob("*.z")) == blobs  # nothing new, nothing overwritten


@pytest.mark.slow
def test_a_second_crawl_is_refused_while_one_runs(demo_registry, tmp_path):
    _, units = demo_registry
    db = tmp_path / "zwgk.db"
    with crawl_lock(db):
        done = zwgk("crawl", "--db", str(db), "--units", str(units))
    assert done.returncode == 4
    assert "另一个抓取任务" in done.stderr


@pytest.mark.slow
def test_unreachable_units_could_not_assess(tmp_path):
    registry = tmp_path / "units.yaml"
    registry.write_text(yaml.safe_dump({"units": [{
        "id": "gone-town", "name": "无响应镇", "kind": "township",
        "disclosure_roots": ["http://127.0.0.1:9/xxgk/"],
    }]}, allow_unicode=True), encoding="utf-8")
    db = tmp_path / "zwgk.db"
    done = zwgk("crawl", "--db", str(db), "--units", str(registry), "--json")
    assert done.returncode == 3
    unit = json.loads(done.stdout)["units"][0]
    assert unit["status"] == "failed" and unit["health"][0]["kind"] == "unreachable"
    checked = zwgk("check", "--db", str(db), "--period", "2017", "--json")
    assert checked.returncode == 3
    outcomes = json.loads(checked.stdout)["units"][0]["outcomes"]
    assert set(outcomes) == {"could_not_assess"}  # never a deduction


@pytest.mark.slow
def test_a_killed_crawl_resumes_in_the_same_run(tmp_path):
    server, units = serve_county(n_units=2, pages_per_unit=120, latency_ms=150)  # slow enough to be killed mid-way
    try:
        registry = tmp_path / "units.yaml"
        registry.write_text(yaml.safe_dump({"units": units}, allow_unicode=True), encoding="utf-8")
        db = tmp_path / "zwgk.db"
        zwgk("units", "list", "--db", str(db), "--units", str(registry))
        child = subprocess.Popen([sys.executable, "-m", "zwgk", "crawl", "--db", str(db)], cwd=ROOT,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline:
            time.sleep(0.3)
            if db.exists() and count(db, "SELECT count(*) FROM fetches") > 40:
                break
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        before = count(db, "SELECT count(*) FROM fetches")
        assert 0 < before and count(db, "SELECT count(*) FROM runs WHERE kind = 'crawl' AND finished_at IS NULL") == 1

        done = zwgk("crawl", "--db", str(db), "--json")
        assert done.returncode == 0, done.stderr[-2000:]
        doc = json.loads(done.stdout)
        assert doc["run_id"] == 1  # resumed, not a new run
        assert "继续上次未完成的抓取" in done.stderr
        # judged as a whole run: what the killed part stored counts, so no unit looks failed or re-laid-out
        assert [(u["status"], u["health"]) for u in doc["units"]] == [("complete", [])] * 2
        documents = count(db, "SELECT count(DISTINCT url) FROM pages WHERE role = 'detail' AND status = 200")
        assert documents == 2 * 120
        # the store stayed consistent: every fetched body is a snapshot, every good detail page has a record
        assert count(db, "SELECT count(*) FROM fetches f LEFT JOIN snapshots s ON s.sha256 = f.body_sha256"
                         " WHERE f.body_sha256 IS NOT NULL AND s.sha256 IS NULL") == 0
        assert count(db, "SELECT count(*) FROM pages p LEFT JOIN page_records r ON r.url = p.url"
                         " AND r.body_sha256 = p.body_sha256 WHERE p.role = 'detail' AND r.url IS NULL") == 0
    finally:
        server.close()


@pytest.mark.slow
def test_reextract_rebuilds_outdated_records_from_snapshots_only(demo_registry, tmp_path):
    _, units = demo_registry
    db = tmp_path / "zwgk.db"
    assert zwgk("crawl", "--db", str(db), "--units", str(units)).returncode == 0
    fetches = count(db, "SELECT count(*) FROM fetches")
    fresh = json.loads(zwgk("reextract", "--db", str(db), "--json").stdout)["counts"]
    assert fresh.get("records", 0) == 0 and fresh["up_to_date"] > 150

    with sqlite3.connect(db) as conn:  # records made by an older extractor
        conn.execute("UPDATE page_records SET extractor_version = 1, title = 'stale' WHERE url LIKE '%/edu/%'")
    stale = count(db, "SELECT count(*) FROM page_records WHERE title = 'stale'")
    done = zwgk("reextract", "--db", str(db), "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["counts"]["records"] == stale > 0
    assert count(db, "SELECT count(*) FROM page_records WHERE title = 'stale'") == 0
    assert count(db, "SELECT count(*) FROM fetches") == fetches  # nothing was fetched again

    forced = json.loads(zwgk("reextract", "--db", str(db), "--unit", "edu-bureau", "--force", "--json").stdout)
    assert forced["counts"]["records"] > 0 and forced["counts"]["attachments"] >= 1


@pytest.mark.slow
def test_a_failed_night_keeps_the_last_assessment_and_its_decisions(tmp_path):
    with demo_site.serve() as site:
        registry = tmp_path / "units.yaml"
        demo_site.write_units_yaml(site.base_url, registry)
        db = tmp_path / "zwgk.db"
        assert zwgk("crawl", "--db", str(db), "--units", str(registry), "--unit", "edu-bureau").returncode == 0
    assert zwgk("check", "--db", str(db), "--period", "2017", "--unit", "edu-bureau").returncode == 0
    from zwgk.store import Store

    with Store.open(db) as store:
        store.add_user("judge", "assessor", "long-enough-pw")
        late = next(f for f in store.current_findings("edu-bureau", 2017) if f["rule_id"] == "department-2017.2.2.d")
        store.add_decision(late["fingerprint"], "edu-bureau", 2017, "confirm", "judge")
    before = json.loads(zwgk("score", "--db", str(db), "--unit", "edu-bureau", "--period", "2017", "--json").stdout)

    # the demo site is gone now: the next night's crawl fails
    assert zwgk("crawl", "--db", str(db), "--unit", "edu-bureau").returncode == 3
    night = zwgk("check", "--db", str(db), "--period", "2017", "--unit", "edu-bureau", "--json")
    assert night.returncode == 3 and "沿用上次检查结果" in night.stderr
    assert json.loads(night.stdout)["units"][0]["kept_previous"] is True
    after = json.loads(zwgk("score", "--db", str(db), "--unit", "edu-bureau", "--period", "2017", "--json").stdout)
    assert after["score_sheet"]["final_confirmed"] == before["score_sheet"]["final_confirmed"] < 100


@pytest.mark.slow
def test_recheck_requests_from_the_web_app_are_crawled_and_checked(tmp_path):
    from zwgk.store import Store
    from zwgk.web import data

    with demo_site.serve() as site:
        registry = tmp_path / "units.yaml"
        demo_site.write_units_yaml(site.base_url, registry)
        db = tmp_path / "zwgk.db"
        zwgk("units", "list", "--db", str(db), "--units", str(registry))
        assert json.loads(zwgk("recheck", "--db", str(db), "--period", "2017", "--json").stdout)["requests"] == 0
        with Store.open(db) as store:
            store.add_user("edu", "unit", "long-enough-pw", units=["edu-bureau"])
            data.request_recheck(store, store.get_unit("edu-bureau"), "edu")
        done = zwgk("recheck", "--db", str(db), "--period", "2017", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["requests"] == 1 and result["units"][0]["status"] == "done"
    assert count(db, "SELECT status FROM recheck_requests") == "done"
    assert count(db, "SELECT count(DISTINCT unit_id) FROM fetches") == 1  # only the unit that asked
    assert count(db, "SELECT count(*) FROM findings WHERE unit_id = 'edu-bureau' AND outcome = 'fail'") > 0


def test_scrapy_download_errors_are_logged_in_chinese_on_one_line(caplog):
    import logging

    import zwgk.services.crawling  # noqa: F401  (installs the filters)

    retry = logging.getLogger("scrapy.downloadermiddlewares.retry")
    with caplog.at_level(logging.ERROR, logger="scrapy.downloadermiddlewares.retry"):
        retry.error("Gave up retrying %(request)s (failed %(retry_times)d times): %(reason)s",
                    {"request": "<GET http://x.gov.cn/>", "retry_times": 3, "reason": "Connection refused"})
    assert caplog.records[-1].getMessage() == "已放弃重试 <GET http://x.gov.cn/>（失败 3 次）：Connection refused"
    robots = logging.getLogger("scrapy.downloadermiddlewares.robotstxt")
    with caplog.at_level(logging.ERROR, logger="scrapy.downloadermiddlewares.robotstxt"):
        try:
            raise ConnectionError("refused")
        except ConnectionError as exc:
            robots.error("Error downloading %(request)s: %(f_exception)s",
                         {"request": "<GET http://x.gov.cn/robots.txt>", "f_exception": exc}, exc_info=True)
    assert caplog.records[-1].getMessage() == "下载失败 <GET http://x.gov.cn/robots.txt>：refused"
    assert caplog.records[-1].exc_info is None
