"""Soak test of the crawl's bounds (issue 10). Prints numbers; asserts nothing.

    .venv/bin/python benchmarks/soak.py                    # both parts
    .venv/bin/python benchmarks/soak.py --skip-county      # the bad-input self-check only

1. **Bad inputs**: ``zwgk selfcheck`` with the default crawl settings against the bad-input site of
   ``tests/bad_site.py`` (endless calendar, pagers declaring 100,000 pages, a 50 MB page, a gzip bomb, a 40 s
   page, a reset connection, a corrupt PDF, a zip-bomb DOCX, redirect loops, session ids, endless depth,
   robots.txt …) served by this process on 127.0.0.1. The command runs as a child: wall time, peak RSS
   (``os.wait4``), its exit code; then the server's requests per trap kind, beside what crawl health said.
   Goals: under 2 minutes, under 400 MB.
2. **A big county**: ``zwgk.services.crawling.crawl_units`` over the synthetic county of ``benchmarks/gen_county.py``
   (``--units`` × ``--pages``, default 100 × 1000 = 100,000 documents plus their list pages), through
   ``benchmarks/crawl_bench.py``'s e2e child (the county served by a process of its own, RSS sampled every
   second). Goal: under 400 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

TARGET_WALL_S, TARGET_RSS_MB = 120, 400

# the bad site's paths, by the trap or hostile answer they serve (first match wins)
KINDS = (
    ("/robots.txt", "robots.txt"),
    ("/xxgk/private/", "robots.txt Disallow"),
    ("/xxgk/cal/", "endless calendar"),
    ("/xxgk/tzgg/index", "TRS pager declaring 100000 pages"),
    ("/xxgk/tzgg/2017", "TRS pager's documents"),
    ("/xxgk/25221/default", "Yueyang pager declaring 100000 pages"),
    ("/xxgk/tzwj/index", "generic 尾页 → index_99999"),
    ("/xxgk/col/", "Hanweb total of 5,000,000 records"),
    ("/module/web/jpage/dataproxy.jsp", "Hanweb total of 5,000,000 records"),
    ("/xxgk/art/2017/4/", "Hanweb documents"),
    ("/xxgk/deep/", "endless depth"),
    ("/xxgk/hop/", "endless redirect ladder"),
    ("/xxgk/loop-", "redirect loops"),
    ("/xxgk/away.html", "off-site redirect"),
    ("/xxgk/sess/", "session ids in paths"),
    ("/xxgk/(S(", "session ids in paths"),
    ("/xxgk/big.html", "50 MB page"),
    ("/xxgk/gzbomb.html", "gzip bomb (200 MB inflated)"),
    ("/xxgk/slow.html", "40 s page"),
    ("/xxgk/reset.html", "connection reset"),
    ("/xxgk/liar.html", "150 MB announced, never sent"),
    ("/xxgk/files", "corrupt PDF, zip-bomb DOCX, 150 MB PDF"),
    ("/module/download/", "real guide's attachments"),
)


def kind_of(path: str) -> str:
    for prefix, kind in KINDS:
        if path.startswith(prefix):
            return kind
    return "real pages (root, guide, a normal column)"


def bad_inputs(work: Path) -> dict:
    from tests.bad_site import build_bad_site
    from tests.crawl_server import CrawlServer

    server = CrawlServer()
    build_bad_site(server)
    server.start()
    out = work / "selfcheck"
    try:
        t0 = time.perf_counter()
        with open(work / "selfcheck.stderr.log", "wb") as log:
            proc = subprocess.Popen([sys.executable, "-m", "zwgk", "selfcheck", server.url("/xxgk/index.html"),
                                     "--kind", "township", "--period", "2017", "--out", str(out)],
                                    cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
            _pid, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        requests = Counter(kind_of(h.path) for h in server.hits())
    finally:
        server.stop()
    stderr = (work / "selfcheck.stderr.log").read_text(encoding="utf-8", errors="replace")
    doc = json.loads((out / "report.json").read_text(encoding="utf-8")) if (out / "report.json").exists() else {}
    return {"wall_s": wall, "maxrss_mb": ru.ru_maxrss / 1024, "exit_code": os.waitstatus_to_exitcode(status),
            "requests": dict(requests), "traceback": "Traceback" in stderr,
            "crawl": doc.get("crawl", {})}


def big_county(args, work: Path) -> dict:
    import crawl_bench

    bench_args = argparse.Namespace(units=args.units, pages=args.pages, latency_ms=args.latency_ms, seed=0)
    server = crawl_bench.ServerProc(bench_args)
    try:
        spec = {"base_url": server.base_url, "units": server.units, "concurrency": args.concurrency,
                "extra_settings": {}, "db": str(work / "county" / "zwgk.db")}
        return crawl_bench.run_child("e2e", spec, work, server, f"county {args.units}×{args.pages}", sample=True)
    finally:
        server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=100, help="county units (part 2)")
    parser.add_argument("--pages", type=int, default=1000, help="documents per unit (part 2)")
    parser.add_argument("--latency-ms", type=float, default=5, help="per request of the county server (part 2)")
    parser.add_argument("--concurrency", type=int, default=16, help="loopback download-slot concurrency (part 2)")
    parser.add_argument("--skip-county", action="store_true", help="only the bad-input self-check")
    parser.add_argument("--skip-bad", action="store_true", help="only the big county")
    parser.add_argument("--keep", metavar="DIR", help="keep the outputs (databases, reports, logs) in DIR")
    args = parser.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="zwgk-soak-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        if not args.skip_bad:
            r = bad_inputs(work)
            print("1. bad-input self-check (zwgk selfcheck, default crawl settings)")
            print(f"   wall {r['wall_s']:.1f} s (goal < {TARGET_WALL_S} s: {'met' if r['wall_s'] < TARGET_WALL_S else 'NOT met'});"
                  f" peak RSS {r['maxrss_mb']:.0f} MB (goal < {TARGET_RSS_MB} MB:"
                  f" {'met' if r['maxrss_mb'] < TARGET_RSS_MB else 'NOT met'}); exit code {r['exit_code']};"
                  f" traceback on stderr: {'YES' if r['traceback'] else 'no'}")
            print(f"   crawl: {r['crawl'].get('status')}, {r['crawl'].get('requests')} requests,"
                  f" {r['crawl'].get('pages')} pages with a record")
            print("   requests the server saw, per trap kind:")
            for kind, n in sorted(r["requests"].items(), key=lambda kv: -kv[1]):
                print(f"     {n:6d}  {kind}")
            print("   crawl health:")
            for h in r["crawl"].get("health", []):
                print(f"     - {h['message']}")
            print(flush=True)
        if not args.skip_county:
            print(f"2. county crawl: {args.units} units × {args.pages} documents (zwgk.services.crawling.crawl_units) …", flush=True)
            c = big_county(args, work)
            print(f"   pages {c['pages']} {c['by_role']}; server requests {c['server_requests']}; wall {c['wall_s']:.0f} s"
                  f" ({c['pages'] / c['wall_s']:.0f} pages/s); peak RSS {c['maxrss_mb']:.0f} MB (goal < {TARGET_RSS_MB} MB:"
                  f" {'met' if c['maxrss_mb'] < TARGET_RSS_MB else 'NOT met'}); unit status {c['unit_status']}")
            samples = c["samples"]
            step = max(1, len(samples) // 12)
            print("   RSS over the crawl (t s, server requests, MB): " + "; ".join(
                f"{t:.0f}, {n}, {rss:.0f}" for t, n, rss in samples[::step] + samples[-1:]))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    ru = resource.getrusage(resource.RUSAGE_SELF)
    print(f"(this process: {ru.ru_maxrss / 1024:.0f} MB peak, serving the bad-input site)")


if __name__ == "__main__":
    main()
