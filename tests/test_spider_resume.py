"""A crawl killed mid-way (SIGKILL) resumes from its job folder: the union of both runs covers the site,
and the rerun does not fetch again what the first run finished. A crawl in a child process stops when its
parent is sent SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.items import FetchedPage
from crawler.runner import read_stream, run_crawl_subprocess, spawn_crawl
from tests.crawl_server import build_trs_column, crawl_server  # noqa: F401  (pytest fixture)

pytestmark = pytest.mark.slow


def _details(items) -> set[str]:
    return {i.url for i in items if isinstance(i, FetchedPage) and i.role == "detail"}


def test_resume_after_sigkill(crawl_server, tmp_path):
    s = crawl_server
    s.default_delay = 0.08
    docs = build_trs_column(s, "/res/", 10, 10)
    units = [{"id": "r", "name": "续抓", "kind": "township", "disclosure_roots": [s.url("/res/index.html")]}]
    job = str(tmp_path / "job")
    # two at a time against a slow server: the crawl takes a few seconds, long enough to be killed
    slow = {"DOWNLOAD_SLOTS": {"127.0.0.1": {"concurrency": 2, "delay": 0.0}}, "RETRY_TIMES": 0}
    out = tmp_path / "first.jsonl"
    proc = spawn_crawl(units, out, settings=slow, job_dir=job)
    deadline = time.monotonic() + 60
    while len(_details(read_stream(out)[0])) < 20 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    first, summary = read_stream(out)
    assert summary is None  # it really died mid-way
    done_first = _details(first)
    assert 20 <= len(done_first) < len(docs)
    hits_before = len(s.hits())

    second, summary2 = run_crawl_subprocess(units, settings=slow, job_dir=job, timeout=120)
    assert done_first | _details(second) == set(docs)
    # documents journaled by the first run are not fetched again; the journal line follows the item
    # pipelines, so the few items in between when the kill came are fetched twice (the safe direction)
    resumed = summary2["r"]["skips"]["resumed"]
    assert 0 < resumed <= len(done_first)
    assert len(_details(second)) == len(docs) - resumed
    refetched = {s.url(h.path) for h in s.hits()[hits_before:] if "/t2017" in h.path}
    assert refetched == _details(second)  # the server saw no request for a journaled document


CHILD = """
import json, sys
from crawler.runner import CrawlInterrupted, run_crawl_subprocess
settings = {"ZWGK_STOP_GRACE": 2, "DOWNLOAD_SLOTS": {"127.0.0.1": {"concurrency": 1, "delay": 0.0}}}
try:
    run_crawl_subprocess(json.loads(sys.argv[1]), settings=settings, job_dir=sys.argv[2], timeout=120)
    print("finished")
except CrawlInterrupted as exc:
    print("interrupted", exc.signal_name, sum(s["pages"].get("detail", 0) for s in exc.summaries.values()))
"""


def test_a_signal_to_the_parent_stops_the_child_crawl(crawl_server, tmp_path):
    """``run_crawl_subprocess`` forwards SIGTERM to its child, which stops and reports what it did."""
    s = crawl_server
    s.default_delay = 0.1
    build_trs_column(s, "/fw/", 10, 10)
    units = [{"id": "f", "name": "转发", "kind": "township", "disclosure_roots": [s.url("/fw/index.html")]}]
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.Popen([sys.executable, "-c", CHILD, json.dumps(units), str(tmp_path / "job")], cwd=root,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for _ in range(3000):  # wait (with a generous limit) until the grandchild crawls
        if len(s.hits()) > 10 or proc.poll() is not None:
            break
        try:
            proc.wait(timeout=0.05)
        except subprocess.TimeoutExpired:
            pass
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    word, name, details = out.split()
    assert (word, name) == ("interrupted", "SIGTERM") and int(details) > 0
    hits = len(s.hits())
    assert hits < 110  # it stopped before the end (100 documents, 10 list pages)
