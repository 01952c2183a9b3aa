"""Bounded by construction (issue 10): ``zwgk selfcheck`` on a site of bad inputs ends, fetches the real
pages, records every trap with its reason and shows no traceback; SIGTERM stops ``zwgk crawl`` with exit
code 3 and a Chinese message, and the next run continues the same run and judges it as a whole.

Everything is served on 127.0.0.1 by servers this module starts (``tests.bad_site``); the off-site
redirect points at a host that is never contacted. Crawl settings go to the commands through
``ZWGK_CRAWL_SETTINGS`` (short timeouts and backoffs: nothing here waits on a 40 s page).
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import sqlite3
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
import yaml

from tests.bad_site import DECLARED, GUIDE_PATH, REAL_DOCS, build_bad_site
from tests.crawl_server import CrawlServer, article, build_trs_column

ROOT = Path(__file__).resolve().parent.parent
QUICK = {"DOWNLOAD_TIMEOUT": 2, "ZWGK_RETRY_BACKOFF_BASE": 0.05}


def zwgk(*args, settings: dict | None = None, timeout: float = 300):
    env = dict(os.environ, ZWGK_CRAWL_SETTINGS=json.dumps(settings or {}))
    return subprocess.run([sys.executable, "-m", "zwgk", *args], capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT, env=env, check=False)


def rows(db: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    server = CrawlServer()
    build_bad_site(server)
    server.start()
    out = tmp_path_factory.mktemp("bounded") / "self"
    try:
        done = zwgk("selfcheck", server.url("/xxgk/index.html"), "--kind", "township", "--period", "2017",
                    "--out", str(out), settings=QUICK)
        yield server, out, done
    finally:
        server.stop()


@pytest.mark.slow
def test_the_bad_site_self_check_ends_without_a_traceback(bad):
    _, out, done = bad
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stdout + done.stderr
    doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert doc["assessed"] is True
    # timeouts, a reset connection and robots.txt are failed downloads: partial, not could-not-assess
    assert doc["crawl"]["status"] == "partial"
    assert "超时" in done.stdout and "连接失败" in done.stdout


@pytest.mark.slow
def test_the_real_pages_are_fetched(bad):
    server, out, _ = bad
    db = out / "zwgk.db"
    good = {url for (url,) in rows(db, "SELECT url FROM pages WHERE status = 200")}
    assert server.url(GUIDE_PATH) in good
    assert {server.url(p) for p in REAL_DOCS} <= good
    (title,) = rows(db, "SELECT title FROM page_records WHERE url = ?", server.url(GUIDE_PATH))[0]
    assert title == "大肚川镇政府信息公开指南"


@pytest.mark.slow
def test_every_trap_is_stopped_and_named_in_crawl_health(bad):
    _, out, done = bad
    doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
    traps = {h["trap"]: h["message"] for h in doc["crawl"]["health"] if h["kind"] == "trap"}
    assert set(traps) >= {"calendar", "too_many_pages", "endless_pagination", "redirect_loop", "redirect_chain",
                          "session_id", "repeated_path", "depth"}
    assert "分页过多" in traps["too_many_pages"] and "日历" in traps["calendar"]
    assert all(h["message"] in done.stdout for h in doc["crawl"]["health"])  # the summary shows them too
    assert "分页过多" in (out / "report.html").read_text(encoding="utf-8")
    declared = rows(out / "zwgk.db", "SELECT json_extract(detail, '$.declared') FROM skipped_links"
                                     " WHERE json_extract(detail, '$.kind') = 'too_many_pages'")
    assert (DECLARED,) in declared  # the TRS createPageHTML(100000, …) count, recorded with the trap


@pytest.mark.slow
def test_declared_page_counts_cost_a_few_requests(bad):
    server, _, _ = bad
    paths = [h.path for h in server.hits()]
    assert len([p for p in paths if p.startswith("/xxgk/tzgg/index")]) <= 6  # pages 4+ repeat page 3
    assert len([p for p in paths if p.startswith("/xxgk/25221/default_")]) <= 2  # 404: the column ends
    assert len([p for p in paths if p.startswith("/xxgk/tzwj/index_")]) <= 2
    assert len(server.hits("/module/web/jpage/dataproxy.jsp", "POST")) <= 3  # an empty group ends it
    assert len([p for p in paths if p.startswith("/xxgk/cal/")]) <= 13
    assert len([p for p in paths if p.startswith("/xxgk/hop/")]) <= 11
    assert len(paths) < 400


@pytest.mark.slow
def test_hostile_answers_are_cut_and_recorded(bad):
    server, out, _ = bad
    db = out / "zwgk.db"
    truncated = {url for (url,) in rows(db, "SELECT url FROM fetches WHERE truncated = 1")}
    assert {server.url("/xxgk/big.html"), server.url("/xxgk/gzbomb.html")} <= truncated  # 50 MB; 200 MB inflated
    texts = dict(rows(db, "SELECT p.url, t.status || ':' || coalesce(t.error, '') FROM pages p"
                          " JOIN attachment_texts t ON t.sha256 = p.body_sha256 WHERE p.role = 'attachment'"))
    assert texts[server.url("/xxgk/files/bomb.doc")].startswith("too_large:附件过大")
    assert texts[server.url("/xxgk/files/broken.pdf")].startswith("corrupt:")
    (huge,) = rows(db, "SELECT reason FROM skipped_links WHERE url = ?", server.url("/xxgk/files/huge.pdf"))
    assert huge == ("attachment_too_large",)  # refused on its declared size, never read
    assert not server.hits("/xxgk/private/secret.html")  # robots.txt
    assert rows(db, "SELECT reason FROM skipped_links WHERE url LIKE 'http://www.example.gov.cn/%'") == [("off_scope",)]
    # one fetch of each session-id document, whatever id the links carried
    assert len(server.hits("/xxgk/sess/doc.jsp")) == 1 and len(server.hits("/xxgk/sess/asp.html")) == 1


# --- stopping --------------------------------------------------------------------------------------------------


@pytest.fixture
def slow_site(tmp_path):
    """A TRS column of 100 documents served slowly, and a page that answers after 40 s."""
    server = CrawlServer()
    server.default_delay = 0.1
    build_trs_column(server, "/xxgk/", 10, 10)
    article(server, "/xxgk/slow.html", "四十秒才响应", delay=40)
    index = server.routes["/xxgk/index.html"]
    index.body = index.body.replace(b"<ul>", b'<ul><li><a href="slow.html">slow</a></li>', 1)
    server.start()
    registry = tmp_path / "units.yaml"
    registry.write_text(yaml.safe_dump({"units": [{"id": "slow-town", "name": "慢镇", "kind": "township",
                                                   "disclosure_roots": [server.url("/xxgk/index.html")]}]},
                                       allow_unicode=True), encoding="utf-8")
    try:
        yield server, registry, tmp_path / "zwgk.db"
    finally:
        server.stop()


def _start_crawl(db: Path, registry: Path, stderr_path: Path) -> subprocess.Popen:
    env = dict(os.environ, ZWGK_CRAWL_SETTINGS=json.dumps(
        {"DOWNLOAD_SLOTS": {"127.0.0.1": {"concurrency": 2, "delay": 0}}, "ZWGK_STOP_GRACE": 2}))
    return subprocess.Popen([sys.executable, "-m", "zwgk", "crawl", "--db", str(db), "--units", str(registry)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(stderr_path, "wb"))


def _wait_for(proc: subprocess.Popen, ready) -> None:
    """Poll ``ready()`` until it holds (the child must still be running); a generous safety limit."""
    for _ in range(3000):
        if ready():
            return
        assert proc.poll() is None, "the crawl ended before it could be stopped"
        try:
            proc.wait(timeout=0.05)
        except subprocess.TimeoutExpired:
            pass
    raise AssertionError("the crawl never got going")


def _fetches(db: Path) -> int:
    try:
        return rows(db, "SELECT count(*) FROM fetches")[0][0]
    except sqlite3.Error:
        return 0


@pytest.mark.slow
def test_sigterm_stops_the_crawl_and_the_next_run_continues_it(slow_site, tmp_path):
    server, registry, db = slow_site
    log = tmp_path / "first.log"
    proc = _start_crawl(db, registry, log)
    _wait_for(proc, lambda: _fetches(db) > 15 and server.hits("/xxgk/slow.html"))
    proc.send_signal(signal.SIGTERM)  # the 40 s page is in flight: the stop must not wait for it
    assert proc.wait(timeout=60) == 3
    stderr = log.read_text(encoding="utf-8")
    assert "收到停止信号（SIGTERM），抓取已中断" in stderr and "再次运行同一命令将从中断处继续" in stderr
    assert "Traceback" not in stderr
    assert rows(db, "SELECT count(*) FROM runs WHERE kind = 'crawl' AND finished_at IS NULL") == [(1,)]
    first = rows(db, "SELECT count(DISTINCT url) FROM pages WHERE role = 'detail' AND status = 200")[0][0]
    assert 0 < first < 100

    server.routes["/xxgk/slow.html"].delay = 0
    done = zwgk("crawl", "--db", str(db), "--json")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "继续上次未完成的抓取（运行 #1）" in done.stderr
    (unit,) = json.loads(done.stdout)["units"]
    assert json.loads(done.stdout)["run_id"] == 1
    # judged as a whole: the documents the first part stored count, nothing is a "layout change"
    assert unit["status"] == "complete" and unit["health"] == []
    assert unit["summary"]["pages"]["detail"] >= 100
    assert rows(db, "SELECT count(DISTINCT url) FROM pages WHERE role = 'detail' AND status = 200")[0][0] == 101


@pytest.mark.slow
def test_a_second_signal_exits_at_once(slow_site, tmp_path):
    server, registry, db = slow_site
    log = tmp_path / "twice.log"
    proc = _start_crawl(db, registry, log)
    _wait_for(proc, lambda: _fetches(db) > 5 and server.hits("/xxgk/slow.html"))
    proc.send_signal(signal.SIGTERM)
    _wait_for(proc, lambda: "收到停止信号" in log.read_text(encoding="utf-8"))
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 3
    assert "再次收到停止信号，立即退出" in log.read_text(encoding="utf-8")


@pytest.mark.slow
def test_an_interrupted_self_check_continues_in_its_folder(slow_site, tmp_path):
    server, _, _ = slow_site
    out, log = tmp_path / "self", tmp_path / "self.log"
    env = dict(os.environ, ZWGK_CRAWL_SETTINGS=json.dumps(
        {"DOWNLOAD_SLOTS": {"127.0.0.1": {"concurrency": 2, "delay": 0}}, "ZWGK_STOP_GRACE": 2}))
    args = ["selfcheck", server.url("/xxgk/index.html"), "--kind", "township", "--period", "2017", "--out", str(out)]
    proc = subprocess.Popen([sys.executable, "-m", "zwgk", *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=open(log, "wb"))
    _wait_for(proc, lambda: _fetches(out / "zwgk.db") > 15)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 3
    assert "抓取已中断" in log.read_text(encoding="utf-8")
    assert not (out / "report.json").exists()
    stored = _fetches(out / "zwgk.db")

    server.routes["/xxgk/slow.html"].delay = 0
    done = zwgk(*args)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "继续上次被中断的自查" in done.stderr and "继续上次未完成的抓取" in done.stderr
    doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert doc["crawl"]["status"] == "complete"
    assert rows(out / "zwgk.db", "SELECT count(*) FROM fetches")[0][0] > stored  # the same store, added to


@pytest.mark.slow
def test_an_interrupted_night_says_so_and_the_next_one_continues_the_crawl(slow_site, tmp_path):
    server, registry, db = slow_site
    log = tmp_path / "night.log"
    env = dict(os.environ, ZWGK_CRAWL_SETTINGS=json.dumps(
        {"DOWNLOAD_SLOTS": {"127.0.0.1": {"concurrency": 2, "delay": 0}}, "ZWGK_STOP_GRACE": 2}))
    args = ["nightly", "--db", str(db), "--units", str(registry), "--period", "2017", "--out", str(tmp_path / "r")]
    proc = subprocess.Popen([sys.executable, "-m", "zwgk", *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=open(log, "wb"))
    _wait_for(proc, lambda: _fetches(db) > 15)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 3
    assert "抓取已中断" in log.read_text(encoding="utf-8")
    assert rows(db, "SELECT status FROM runs WHERE kind = 'nightly'") == [("interrupted",)]

    server.routes["/xxgk/slow.html"].delay = 0
    done = zwgk(*args, "--json")
    assert done.returncode == 0, done.stderr[-3000:]
    night = json.loads(done.stdout)["nightly"]
    assert rows(db, "SELECT id FROM runs WHERE kind = 'crawl'") == [(night["crawl_run"],)]  # continued, not anew
    assert night["units"][0]["crawl_status"] == "complete"


def test_the_body_cap_applies_to_the_inflated_body():
    from crawler.middlewares import inflate_capped

    body, cut = inflate_capped(gzip.compress(b" " * 5_000_000), b"gzip", 1000)
    assert body == b" " * 1000 and cut
    assert inflate_capped(gzip.compress(b"abc") + gzip.compress(b"def"), b"gzip", 100) == (b"abcdef", False)
    assert inflate_capped(zlib.compress(b"abc"), b"deflate", 100) == (b"abc", False)
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    assert inflate_capped(raw.compress(b"abc") + raw.flush(), b"deflate", 100) == (b"abc", False)


@pytest.mark.slow
def test_an_interrupted_recheck_keeps_its_request_queued(slow_site, tmp_path):
    from zwgk.store import Store
    from zwgk.web import data

    server, registry, db = slow_site
    assert zwgk("units", "list", "--db", str(db), "--units", str(registry)).returncode == 0
    with Store.open(db) as store:
        store.add_user("slow", "unit", "long-enough-pw", units=["slow-town"])
        data.request_recheck(store, store.get_unit("slow-town"), "slow")
    log = tmp_path / "recheck.log"
    env = dict(os.environ, ZWGK_CRAWL_SETTINGS=json.dumps(
        {"DOWNLOAD_SLOTS": {"127.0.0.1": {"concurrency": 2, "delay": 0}}, "ZWGK_STOP_GRACE": 2}))
    proc = subprocess.Popen([sys.executable, "-m", "zwgk", "recheck", "--db", str(db), "--period", "2017"], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=open(log, "wb"))
    _wait_for(proc, lambda: _fetches(db) > 15)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 3
    assert "抓取已中断" in log.read_text(encoding="utf-8")
    assert rows(db, "SELECT status FROM recheck_requests") == [("queued",)]  # handled by the next run
