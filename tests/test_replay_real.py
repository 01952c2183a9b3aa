"""Real list pages replayed under their original addresses (tests/replay_proxy.py): ``zwgk selfcheck`` on a
real county site's column page follows every entry of its list, however the template lays the list out.

The pages are the real-page corpus's list pages (tests/fixtures/real, labelled by hand with every entry);
the crawl runs in this process (``inprocess.run_crawl`` in place of ``crawler.runner.run_crawl``, which starts
a reactor of its own) with ``http_proxy`` set to the loopback replay proxy, so it addresses
``http://www.yzq.gov.cn/…`` and the like but reaches only 127.0.0.1. Entries the corpus does not hold answer
404: the test is about which URLs the crawler asks for, and that a list page is stored as a list.
"""

from __future__ import annotations

from urllib.parse import urljoin

import pytest

import inprocess
from benchmarks import realpages
from replay_proxy import ReplayProxy

pytestmark = pytest.mark.slow
LISTS = [label for label in realpages.load_labels()
         if label.role == "list" and label.is_html and label.entries and label.url.startswith("http://")]
# Politeness relaxed for the replayed host only in this test (it is loopback behind the proxy).
FAST = {"DOWNLOAD_DELAY": 0, "DOWNLOAD_DELAY_JITTER": 0, "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 8, "RETRY_TIMES": 0, "ROBOTSTXT_OBEY": False,
        "ZWGK_COLUMN_PAGE_CAP": 2}


@pytest.mark.parametrize("label", LISTS, ids=[label.id for label in LISTS])
def test_selfcheck_follows_every_entry_of_a_real_list_page(label, tmp_path, monkeypatch):
    from zwgk.services import crawling, selfcheck

    monkeypatch.setattr(crawling, "run_crawl", inprocess.run_crawl)
    body, headers = realpages.page_bytes(label)
    with ReplayProxy({label.url: (headers["content-type"], body)}) as proxy:
        monkeypatch.setenv("http_proxy", proxy.url)
        monkeypatch.setenv("no_proxy", "")
        selfcheck.run(label.url, "department", 2017, tmp_path / "out", settings=FAST)
        requested = set(proxy.requested)
    wanted = {urljoin(label.url, entry["url"]) for entry in label.entries}
    missing = wanted - requested
    assert not missing, f"{len(missing)}/{len(wanted)} entries never requested, e.g. {sorted(missing)[:3]}"
