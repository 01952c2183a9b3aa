"""Real list pages replayed under their original addresses (tests/replay_proxy.py): ``zwgk selfcheck`` on a
real county site's column page follows every entry of its list, however the template lays the list out.

The pages are the real-page corpus's list pages (tests/fixtures/real, labelled by hand with every entry);
the crawl runs in a child process whose ``http_proxy`` is the loopback replay proxy, so it addresses
``http://www.yzq.gov.cn/…`` and the like but reaches only 127.0.0.1. Entries the corpus does not hold answer
404: the test is about which URLs the crawler asks for, and that a list page is stored as a list.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin

import pytest

from benchmarks import realpages
from replay_proxy import ReplayProxy

ROOT = Path(__file__).resolve().parent.parent
LISTS = [label for label in realpages.load_labels()
         if label.role == "list" and label.is_html and label.entries and label.url.startswith("http://")]
# Politeness relaxed for the replayed host only in this test (it is loopback behind the proxy).
FAST = {"DOWNLOAD_DELAY": 0, "DOWNLOAD_DELAY_JITTER": 0, "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 8, "RETRY_TIMES": 0, "ROBOTSTXT_OBEY": False,
        "ZWGK_COLUMN_PAGE_CAP": 2}

RUN = """
import json, sys
from zwgk.services import selfcheck
from pathlib import Path
doc = selfcheck.run(sys.argv[1], "department", 2017, Path(sys.argv[2]), settings=json.loads(sys.argv[3]))
print(json.dumps({"pages": doc["crawl"]["pages"], "status": doc["crawl"]["status"]}))
"""


@pytest.mark.parametrize("label", LISTS, ids=[label.id for label in LISTS])
def test_selfcheck_follows_every_entry_of_a_real_list_page(label, tmp_path):
    body, headers = realpages.page_bytes(label)
    with ReplayProxy({label.url: (headers["content-type"], body)}) as proxy:
        env = dict(os.environ, http_proxy=proxy.url, no_proxy="", PYTHONPATH=str(ROOT))
        done = subprocess.run([sys.executable, "-c", RUN, label.url, str(tmp_path / "out"), json.dumps(FAST)],
                              env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
        requested = set(proxy.requested)
    assert done.returncode == 0, done.stderr[-2000:]
    wanted = {urljoin(label.url, entry["url"]) for entry in label.entries}
    missing = wanted - requested
    assert not missing, f"{len(missing)}/{len(wanted)} entries never requested, e.g. {sorted(missing)[:3]}"
