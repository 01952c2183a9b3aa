"""Throughput of DisclosureSpider against a loopback site with no latency.

Builds a TRS-pattern site (COLUMNS columns × PAGES list pages × PER_PAGE documents, default ≈500 pages)
served from a separate process, crawls it once in this process with the loopback profile, and prints
pages/s and CPU ms per page of the crawling process. Not a test: numbers vary with the machine.

    .venv/bin/python benchmarks/spider_speed.py [--columns 5 --pages 5 --per-page 20]
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def serve(columns: int, pages: int, per_page: int, ready) -> None:
    from tests.crawl_server import CrawlServer, build_trs_column, page

    server = CrawlServer()
    links = ""
    for c in range(columns):
        build_trs_column(server, f"/zwgk/c{c}/", pages, per_page, first_id=100000 * (c + 1))
        links += f'<a href="c{c}/index.html">栏目{c}</a>'
    server.add("/zwgk/index.html", page("政务公开", links))
    ready.send(server.port)
    server._httpd.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--columns", type=int, default=5)
    parser.add_argument("--pages", type=int, default=5)
    parser.add_argument("--per-page", type=int, default=20)
    parser.add_argument("--no-autothrottle", action="store_true")
    parser.add_argument("--concurrency", type=int, default=None, help="loopback slot concurrency")
    args = parser.parse_args()
    extra = {"AUTOTHROTTLE_ENABLED": False} if args.no_autothrottle else {}
    if args.concurrency:
        extra["DOWNLOAD_SLOTS"] = {"127.0.0.1": {"concurrency": args.concurrency, "delay": 0.0, "jitter": 0.0}}
    parent, child = multiprocessing.Pipe()
    proc = multiprocessing.Process(target=serve, args=(args.columns, args.pages, args.per_page, child), daemon=True)
    proc.start()
    port = parent.recv()

    from crawler.runner import run_crawl

    units = [{"id": "bench", "name": "基准", "kind": "township",
              "disclosure_roots": [f"http://127.0.0.1:{port}/zwgk/index.html"]}]
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    summary = run_crawl(units, settings={"LOG_LEVEL": "WARNING", **extra})["bench"]
    wall = time.perf_counter() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    fetched = sum(summary["pages"].values())
    print(f"pages fetched: {fetched} ({summary['pages']}), status {summary['status']}")
    print(f"wall {wall:.2f} s → {fetched / wall:.0f} pages/s; CPU {1000 * cpu / fetched:.1f} ms/page (crawler process)")
    print(f"peak RSS {cpu1.ru_maxrss / 1024:.0f} MB")
    proc.terminate()


if __name__ == "__main__":
    main()
