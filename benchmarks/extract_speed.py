"""How fast ``crawler.extract.extract_page`` is on the saved page fixtures (prints numbers, asserts nothing).

Usage: python benchmarks/extract_speed.py [--repeat N]
       python benchmarks/extract_speed.py --real [--repeat N]

``--real`` times extraction *and* page understanding (what the store pipeline does per page) on every HTML
page of the real-page corpus (tests/fixtures/real), and prints the mean, median and p90 per page, the median
page size and, for comparison, the time lxml alone takes to parse the same pages.

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


def real(repeat: int) -> None:
    from benchmarks import realpages
    from crawler.extract.decoding import decode_html, parse_html
    from crawler.understand import understand

    pages = []
    for label in realpages.load_labels():
        if label.is_html:
            body, headers = realpages.page_bytes(label)
            pages.append((label.url, headers, body))
    for url, headers, body in pages:  # warm-up
        understand(extract_page(url, headers, body))
    per_page, parse_only = [], []
    for url, headers, body in pages:
        text, _ = decode_html(body, headers["content-type"])
        cpu, lxml_cpu = [], []
        for _ in range(repeat):
            start = time.process_time()
            understand(extract_page(url, headers, body))
            cpu.append(time.process_time() - start)
            start = time.process_time()
            parse_html(text)
            lxml_cpu.append(time.process_time() - start)
        per_page.append(statistics.median(cpu) * 1000)
        parse_only.append(statistics.median(lxml_cpu) * 1000)
    sizes = sorted(len(body) for _u, _h, body in pages)
    print(f"real corpus: {len(pages)} HTML pages, median {statistics.median(sizes) / 1024:.0f} KB "
          f"(CPU ms per page, median of {repeat} runs each)")
    print(f"  extract + understand: mean {statistics.mean(per_page):.2f}  median {statistics.median(per_page):.2f}"
          f"  p90 {statistics.quantiles(per_page, n=10)[-1]:.2f}")
    print(f"  lxml parse alone:     mean {statistics.mean(parse_only):.2f}  median {statistics.median(parse_only):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--real", action="store_true", help="the real-page corpus, extraction + understanding")
    args = parser.parse_args()
    if args.real:
        real(args.repeat)
        return
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
