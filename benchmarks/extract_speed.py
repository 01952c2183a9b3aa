"""How fast ``crawler.extract.extract_page`` is on the saved page fixtures (prints numbers, asserts nothing).

Usage: python benchmarks/extract_speed.py [--repeat N]

Prints, per fixture, its size, the median and p90 wall-clock milliseconds per call over N runs and the
median CPU milliseconds (steadier when other processes share the machine), then the same over all calls. A province-wide nightly crawl extracts every new page, so this is the per-page CPU cost that
adds to fetching and storing (domain.md §8: lxml parsing alone is ~2 ms on a 30 KB county page).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.extract import extract_page

PAGES = ROOT / "tests" / "fixtures" / "pages"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    cases = []
    for folder in sorted(p for p in PAGES.iterdir() if (p / "meta.json").exists()):
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        cases.append((folder.name, meta, (folder / "body.html").read_bytes()))
    for name, meta, body in cases:  # warm-up: imports, regex compilation
        extract_page(
            meta["url"], meta["headers"], body, role=meta.get("role", "detail")
        )
    every, every_cpu = [], []
    print(f"{'fixture':<24}{'bytes':>8}{'median ms':>11}{'p90 ms':>9}{'cpu ms':>9}")
    for name, meta, body in cases:
        timings, cpu = [], []
        for _ in range(args.repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            extract_page(
                meta["url"], meta["headers"], body, role=meta.get("role", "detail")
            )
            timings.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        every.extend(timings)
        every_cpu.extend(cpu)
        print(
            f"{name:<24}{len(body):>8}{statistics.median(timings):>11.3f}"
            f"{statistics.quantiles(timings, n=10)[-1]:>9.3f}{statistics.median(cpu):>9.3f}"
        )
    print(
        f"{'all fixtures':<24}{'':>8}{statistics.median(every):>11.3f}"
        f"{statistics.quantiles(every, n=10)[-1]:>9.3f}{statistics.median(every_cpu):>9.3f}  ({len(every)} calls)"
    )


if __name__ == "__main__":
    main()
