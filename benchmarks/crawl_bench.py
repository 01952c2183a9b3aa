"""End-to-end crawl benchmark against the synthetic county (benchmarks/gen_county.py). Prints numbers; asserts nothing.

    .venv/bin/python benchmarks/crawl_bench.py --units 10 --pages 200 --repeat 3     # the standard run
    .venv/bin/python benchmarks/crawl_bench.py --units 100 --pages 1000 --memory      # peak RSS up to 100k pages

What it does, in one invocation (issue 3, "Benchmark"; design.md, "Incremental crawling"):

1. Serves the county (20 items per list page, 3 CMS patterns, 10 % GBK units, ``--latency-ms`` per request,
   default 20 ms) in a separate process, so the server's CPU is not the crawler's. A control path on the
   same server (``/__bench/stats``, ``/__bench/mutate``; not counted as requests) exposes its request and
   304 counters and its own CPU time.
2. Crawls it, each crawl in a child process measured with ``os.wait4`` (= RUSAGE_CHILDREN of that child):
   (a) **bare**: a minimal Scrapy spider that follows every in-site link (plus the three CMS paginations,
   written as a few regexes, so it reaches the same pages), no item pipeline, the same concurrency
   settings; (b) **e2e**: ``zwgk.services.crawling.crawl_units`` into a fresh database — fetch, extraction, page
   understanding, snapshots and rows in the store. For each: pages, wall seconds of the crawl itself (the
   child's interpreter start-up and imports excluded, reported apart), pages/s, CPU ms per page (user+sys,
   whole child, and crawl only; the kernel's part apart), peak RSS of the child (ru_maxrss). For e2e, also
   the time spent inside the store pipeline by phase (snapshot files, extraction, SQLite and the rest).
   ``--repeat N`` interleaves N rounds and reports medians (this VM's disk and CPU are bursty: single runs
   vary by ±15 %). ``--baseline TREE`` adds, in every round, an e2e crawl run with another checkout's code
   (e.g. ``git archive <commit> | tar -x -C TREE``): a before/after comparison under the same conditions.
3. Recrawls the unchanged site with the last e2e database (an incremental night): the server's requests
   compared with the full crawl's, and its 304s; then ``mutate(0.01)`` and another recrawl: how many new
   documents the store gained vs how many the generator added.
4. ``--memory``: e2e crawls only, at the ``--ladder`` fractions of ``--pages`` (default 0.25, 0.5, 1), each
   on a fresh server and database; the largest one's RSS is sampled every second. Peak RSS is reached early
   (list pages are fetched first and the document requests wait in Scrapy's queue), so it is fitted
   against crawl size — a least-squares line through the peaks — and extrapolated to 100k pages, printed
   as an extrapolation unless the largest crawl had 100k pages itself.

``--set NAME=JSON`` gives every crawl (bare and e2e) one more Scrapy setting, to try a setting's effect.
``--profile py-spy|pyinstrument`` runs the (first) e2e child under that profiler (its numbers then include
the profiler's own cost) and leaves the output in
the work folder (``--keep DIR`` keeps it, with every child's stderr log and result JSON).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

# ZWGK_BENCH_TREE: crawl with another checkout's code (--baseline); the generator always comes from this one
ROOT = Path(os.environ.get("ZWGK_BENCH_TREE") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

CONTROL = "/__bench/"
TARGET_RATIO, TARGET_PPS, TARGET_RECRAWL, TARGET_RSS_MB = 0.7, 100, 0.05, 400


# --------------------------------------------------------------------------------------- the server child


def serve_main(args) -> None:
    """Child process: serve the county; first stdout line is {"base_url", "units"}; runs until killed."""
    from urllib.parse import parse_qs, urlsplit

    import gen_county

    class BenchHandler(gen_county.CountyHandler):
        def do_GET(self):
            if self.path.startswith(CONTROL):
                return self.control()
            return super().do_GET()

        def control(self):
            parts = urlsplit(self.path)
            server = self.server
            if parts.path == CONTROL + "stats":
                with server.stats_lock:
                    stats = dict(server.stats)
                ru = resource.getrusage(resource.RUSAGE_SELF)
                out = {"stats": stats, "cpu_s": ru.ru_utime + ru.ru_stime, "threads": threading.active_count()}
            elif parts.path == CONTROL + "mutate":
                fraction = float(parse_qs(parts.query).get("fraction", ["0.01"])[0])
                out = {"added": server.mutate(fraction)}
            else:
                out = {"error": "unknown"}
            data = json.dumps(out).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server, units = gen_county.serve_county(args.units, args.pages, args.latency_ms, args.seed)
    server.RequestHandlerClass = BenchHandler
    print(json.dumps({"base_url": server.base_url, "units": units}, ensure_ascii=False), flush=True)
    server.thread.join()


class ServerProc:
    def __init__(self, args, pages: int | None = None):
        cmd = [sys.executable, __file__, "--serve", "--units", str(args.units), "--pages", str(pages or args.pages),
               "--latency-ms", str(args.latency_ms), "--seed", str(args.seed)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        info = json.loads(self.proc.stdout.readline())
        self.base_url, self.units = info["base_url"], info["units"]

    def _get(self, path: str) -> dict:
        with urllib.request.urlopen(self.base_url + CONTROL + path, timeout=30) as resp:
            return json.loads(resp.read())

    def stats(self) -> dict:
        got = self._get("stats")
        return {"requests": got["stats"].get("requests", 0), "304": got["stats"].get("304", 0),
                "404": got["stats"].get("404", 0), "cpu_s": got["cpu_s"]}

    def mutate(self, fraction: float) -> int:
        return self._get(f"mutate?fraction={fraction}")["added"]

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait()


# --------------------------------------------------------------------------------------- crawl children


def concurrency_settings(spec: dict) -> dict:
    """What both crawls share: zwgk's loopback profile with the slot size from --concurrency, then --set."""
    from crawler.settings import LOOPBACK_HOSTS

    concurrency = spec["concurrency"]
    slot = {"concurrency": concurrency, "delay": 0.0, "jitter": 0.0}
    return {"DOWNLOAD_SLOTS": {h: dict(slot) for h in LOOPBACK_HOSTS},
            "CONCURRENT_REQUESTS": max(32, concurrency), **spec.get("extra_settings", {})}


def _ru() -> dict:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu_s": ru.ru_utime + ru.ru_stime, "maxrss_kb": ru.ru_maxrss}


def bare_main(spec: dict) -> dict:
    """Child process: a bare Scrapy spider over the county; no pipeline, no zwgk spider logic."""
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.http import TextResponse

    from crawler.settings import DEFAULTS

    href = re.compile(rb'href="([^"#]+)"')
    trs = re.compile(r'createPageHTML\((\d+),\s*(\d+),\s*"([^"]+)",\s*"([^"]+)"\)')
    yueyang = re.compile(r'num>(\d+)\).*?"default_"\+num\+"\.htm"', re.DOTALL)
    hanweb = re.compile(r"columnid:(\d+), unitid:(\d+), perpage:(\d+), totalRecord:(\d+)")
    host = spec["base_url"]
    counts = {"responses": 0, "bytes": 0}

    class BareSpider(scrapy.Spider):
        name = "bare"

        async def start(self):
            for u in spec["units"]:
                for root in u["disclosure_roots"]:
                    yield scrapy.Request(root)

        def parse(self, response):
            counts["responses"] += 1
            counts["bytes"] += len(response.body)
            if not isinstance(response, TextResponse):
                return
            for raw in href.findall(response.body):
                url = response.urljoin(raw.decode("latin-1").replace("&amp;", "&"))
                if url.startswith(host) and "dataproxy.jsp" not in url:
                    yield scrapy.Request(url)
            if b"<script" not in response.body:
                return
            text = response.text
            m = trs.search(text)
            if m and m.group(2) == "0":
                for n in range(1, int(m.group(1))):
                    yield scrapy.Request(response.urljoin(f"{m.group(3)}_{n}.{m.group(4)}"))
            m = yueyang.search(text)
            if m and not re.search(r"default_\d+\.htm$", response.url):
                for n in range(2, int(m.group(1)) + 1):
                    yield scrapy.Request(response.urljoin(f"default_{n}.htm"))
            m = hanweb.search(text)
            if m:
                cid, uid, per, total = map(int, m.groups())
                form = {"col": "1", "appid": "1", "webid": "1", "path": "/", "columnid": str(cid),
                        "sourceContentType": "1", "unitid": str(uid), "webname": "", "permissiontype": "0"}
                size = 3 * per
                for start in range(size + 1, total + 1, size):
                    url = response.urljoin(f"/module/web/jpage/dataproxy.jsp?startrecord={start}"
                                           f"&endrecord={min(start + size - 1, total)}&perpage={per}")
                    yield scrapy.FormRequest(url, formdata=form)

    settings = {
        "LOG_LEVEL": "WARNING", "USER_AGENT": DEFAULTS["USER_AGENT"], "ROBOTSTXT_OBEY": True,
        "COOKIES_ENABLED": False, "TELNETCONSOLE_ENABLED": False, "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,  # the e2e crawl's LoopbackPolitenessMiddleware keeps it from adjusting
        "SCHEDULER_MEMORY_QUEUE": DEFAULTS["SCHEDULER_MEMORY_QUEUE"],
        **concurrency_settings(spec),
    }
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler)
    t0, ru0 = time.perf_counter(), _ru()
    process.start()
    stats = crawler.stats.get_stats()
    return {"wall_s": time.perf_counter() - t0, "startup": ru0, "pages": counts["responses"],
            "bytes": counts["bytes"], "robots": stats.get("robotstxt/request_count", 0),
            "status_counts": {k.rsplit("/", 1)[1]: v for k, v in stats.items()
                              if k.startswith("downloader/response_status_count/")}}


def time_phases() -> dict:
    """Wall time spent in the store pipeline, by phase: wraps (does not edit) the product's functions, so it
    measures any version of them (--baseline). ``store`` = the pipeline's synchronous work (``process_item``,
    or ``store`` + ``flush`` where it commits in batches); ``blob`` = snapshot writes; ``extract`` =
    build_record; the rest of ``store`` is SQLite, reading back, bookkeeping."""
    import zwgk.store.blobs
    import zwgk.services.pipeline

    phases = {"store": 0.0, "blob": 0.0, "extract": 0.0}
    depth = {key: 0 for key in phases}

    def wrap(owner, name: str, key: str) -> None:
        fn = getattr(owner, name)

        def timed(*args, **kwargs):
            depth[key] += 1
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                depth[key] -= 1
                if not depth[key]:  # the outermost call only (flush runs inside store when a batch fills)
                    phases[key] += time.perf_counter() - t

        setattr(owner, name, timed)

    pipeline = zwgk.services.pipeline.StorePipeline
    wrap(zwgk.store.blobs.BlobStore, "put", "blob")
    wrap(zwgk.services.pipeline, "build_record", "extract")
    if hasattr(pipeline, "store") and hasattr(pipeline, "flush"):
        wrap(pipeline, "store", "store")
        wrap(pipeline, "flush", "store")
    else:
        wrap(pipeline, "process_item", "store")
    return phases


def e2e_main(spec: dict) -> dict:
    """Child process: zwgk's own crawl (crawl_units) into the database named in the spec."""
    import scrapy.crawler  # noqa: F401 - imports count as start-up, as in the bare child

    import crawler.spiders.disclosure  # noqa: F401
    import zwgk.services.pipeline  # noqa: F401
    from zwgk.services.crawling import crawl_units
    from zwgk.store import Store

    db = Path(spec["db"])
    with Store.open(db) as store:
        if not store.list_units():
            store.upsert_units(spec["units"])
        before = store._row("SELECT count(*) AS n FROM pages WHERE role = 'detail'")["n"]
    phases = time_phases()
    t0, ru0 = time.perf_counter(), _ru()
    run_id, results = crawl_units(db, None, full=bool(spec.get("full")),
                                  settings={"LOG_LEVEL": "WARNING", **concurrency_settings(spec)})
    wall = time.perf_counter() - t0
    with Store.open(db) as store:
        fetched = store._row("SELECT count(*) AS n, sum(not_modified) AS nm FROM fetches WHERE run_id = ?", (run_id,))
        by_role = {r["role"]: r["n"] for r in store._rows(
            "SELECT role, count(*) AS n FROM fetches WHERE run_id = ? GROUP BY role", (run_id,))}
        after = store._row("SELECT count(*) AS n FROM pages WHERE role = 'detail'")["n"]
        records = store._row("SELECT count(*) AS n FROM page_records")["n"]
    statuses: dict[str, int] = {}
    for r in results:
        statuses[r.status] = statuses.get(r.status, 0) + 1
    return {"wall_s": wall, "startup": ru0, "pages": fetched["n"], "not_modified": fetched["nm"] or 0,
            "by_role": by_role, "documents_before": before, "documents_after": after, "records": records,
            "unit_status": statuses, "run_id": run_id, "phases_s": phases}


def child_main(kind: str, spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    result = bare_main(spec) if kind == "bare" else e2e_main(spec)
    result["end"] = _ru()
    Path(spec["out"]).write_text(json.dumps(result), encoding="utf-8")


def run_child(kind: str, spec: dict, work: Path, server: ServerProc, label: str, *,
              sample: bool = False, profile: str | None = None, tree: str | None = None) -> dict:
    """Run one crawl child; returns its own report plus rusage (wait4), wall, server deltas, RSS samples."""
    spec = dict(spec, out=str(work / f"{label}.result.json"))
    spec_path = work / f"{label}.spec.json"
    spec_path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    cmd = [sys.executable, __file__, "--child", kind, str(spec_path)]
    if profile == "py-spy":
        cmd = [str(Path(sys.executable).parent / "py-spy"), "record", "--nonblocking", "-r", "200", "-f", "raw",
               "-o", str(work / f"{label}.pyspy.txt"), "--", *cmd]
    elif profile == "pyinstrument":
        cmd = [sys.executable, "-m", "pyinstrument", "-r", "text", "-o", str(work / f"{label}.pyinstrument.txt"),
               __file__, "--child", kind, str(spec_path)]
    s0 = server.stats()
    children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    log_path = work / f"{label}.stderr.log"
    with open(log_path, "wb") as log_file:
        env = dict(os.environ, ZWGK_BENCH_TREE=tree) if tree else None
        proc = subprocess.Popen(cmd, cwd=tree or str(ROOT), stderr=log_file, env=env)
    samples: list[tuple[float, int, float]] = []
    stop = threading.Event()

    def sampler():
        while not stop.wait(1.0):
            try:
                status = Path(f"/proc/{proc.pid}/status").read_text()
                rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
                samples.append((time.perf_counter() - t0, server.stats()["requests"] - s0["requests"], rss))
            except (OSError, AttributeError, ValueError):
                pass

    thread = threading.Thread(target=sampler, daemon=True)
    if sample:
        thread.start()
    _pid, status, ru = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall_total = time.perf_counter() - t0
    stop.set()
    children1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    s1 = server.stats()
    if proc.returncode != 0:
        tail = log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise SystemExit(f"{label}: child exited with {proc.returncode}\n{tail}")
    result = json.loads(Path(spec["out"]).read_text(encoding="utf-8"))
    result.update(
        label=label,
        wall_total_s=wall_total,
        cpu_s=ru.ru_utime + ru.ru_stime,
        sys_s=ru.ru_stime,
        cpu_children_delta_s=(children1.ru_utime - children0.ru_utime) + (children1.ru_stime - children0.ru_stime),
        maxrss_mb=ru.ru_maxrss / 1024,
        server_requests=s1["requests"] - s0["requests"],
        server_304=s1["304"] - s0["304"],
        server_404=s1["404"] - s0["404"],
        server_cpu_s=s1["cpu_s"] - s0["cpu_s"],
        samples=samples,
    )
    return result


# --------------------------------------------------------------------------------------- report


def row(r: dict) -> str:
    pages = max(r["pages"], 1)
    crawl_cpu = r["cpu_s"] - r["startup"]["cpu_s"]
    return (f"{r['label']:<18}{r['pages']:>8}{r['server_requests']:>9}{r['wall_s']:>9.2f}{r['pages'] / r['wall_s']:>9.1f}"
            f"{1000 * r['cpu_s'] / pages:>10.2f}{1000 * crawl_cpu / pages:>11.2f}{r['startup']['cpu_s']:>9.2f}"
            f"{1000 * r['sys_s'] / pages:>8.2f}{r['maxrss_mb']:>9.0f}{1000 * r['server_cpu_s'] / max(r['server_requests'], 1):>9.2f}")


HEADER = (f"{'crawl':<18}{'pages':>8}{'requests':>9}{'wall s':>9}{'pages/s':>9}{'CPU ms/p':>10}{'crawl ms/p':>11}"
          f"{'start s':>9}{'sys ms/p':>8}{'RSS MB':>9}{'srv ms/r':>9}")
LEGEND = ("pages: responses the crawl handled (e2e: rows in fetches; bare: responses, robots.txt excluded); requests:"
          " the server's count; wall s: the crawl itself, excluding the child's start-up; CPU ms/p: the whole child"
          " (os.wait4 / RUSAGE_CHILDREN, user+sys) per page; crawl ms/p: the same without start-up and imports"
          " (start s); sys ms/p: the kernel's part of CPU ms/p; RSS MB: the child's ru_maxrss; srv ms/r: the server process's CPU per request.")


def fit_line(points: list[tuple[float, float]]) -> tuple[float, float]:
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points) or 1.0
    slope = sum((x - mx) * (y - my) for x, y in points) / sxx
    return slope, my - slope * mx


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=10)
    parser.add_argument("--pages", type=int, default=200, help="detail pages per unit")
    parser.add_argument("--latency-ms", type=float, default=20, help="per request (design.md: 20 ms)")
    parser.add_argument("--concurrency", type=int, default=16, help="loopback download-slot concurrency (both crawls)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=JSON",
                        help="a Scrapy setting for every crawl, e.g. --set CONCURRENT_ITEMS=16 (value parsed as JSON)")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of bare + e2e (interleaved); medians reported")
    parser.add_argument("--baseline", metavar="TREE",
                        help="another checkout (e.g. `git archive HEAD | tar -x -C TREE`): its e2e crawl runs in every"
                             " round too, interleaved, for a before/after comparison; the tree must have this"
                             " package layout (zwgk/store, zwgk/services: from the issue-12 commits on)")
    parser.add_argument("--memory", action="store_true",
                        help="e2e crawls only, at --ladder fractions of --pages, peak RSS fitted against pages and"
                             " extrapolated to 100k; the largest run's RSS sampled every second")
    parser.add_argument("--ladder", default="0.25,0.5,1", help="with --memory: fractions of --pages to crawl")
    parser.add_argument("--skip-bare", action="store_true")
    parser.add_argument("--skip-recrawl", action="store_true")
    parser.add_argument("--profile", choices=("py-spy", "pyinstrument"), help="profile the first full e2e crawl")
    parser.add_argument("--keep", metavar="DIR", help="keep the databases, results, logs and profiles in DIR")
    parser.add_argument("--json", metavar="FILE", help="also write every measurement to FILE")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "SPEC"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve_main(args)
    if args.child:
        return child_main(*args.child)

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="zwgk-crawl-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.memory:
        try:
            return memory_main(args, work)
        finally:
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
    server = ServerProc(args)
    spec = {"base_url": server.base_url, "units": server.units, "concurrency": args.concurrency,
            "extra_settings": extra_settings(args)}
    results: dict = {"args": vars(args), "bare": [], "e2e": [], "base": []}
    print(f"county: {args.units} units × {args.pages} pages, latency {args.latency_ms:g} ms, concurrency "
          f"{args.concurrency}, served by pid {server.proc.pid} at {server.base_url}; work dir {work}", flush=True)
    try:
        for i in range(args.repeat):
            # interleaved, so that drift in the machine's speed (this VM's disk is bursty) hits all alike
            crawls = [("e2e", None)] + ([("base", args.baseline)] if args.baseline else [])
            if i % 2:
                crawls.reverse()
            if not args.skip_bare:
                results["bare"].append(run_child("bare", spec, work, server, f"bare #{i + 1}"))
            for key, tree in crawls:
                spec["db"] = str(fresh_db(work, f"{key}{i + 1}"))
                label = f"{'e2e' if key == 'e2e' else 'baseline'} full #{i + 1}"
                results[key].append(run_child("e2e", spec, work, server, label, tree=tree,
                                              profile=args.profile if i == 0 and key == "e2e" else None))
            print(f"round {i + 1} of {args.repeat} done", flush=True)
        if not args.skip_recrawl:
            spec["db"] = str(fresh_db(work, f"e2e{args.repeat}", keep=True))
            results["recrawl"] = run_child("e2e", spec, work, server, "e2e recrawl")
            results["added"] = server.mutate(0.01)
            results["recrawl_mutated"] = run_child("e2e", spec, work, server, "e2e recrawl +1%")
            # the periodic full pass (zwgk crawl --full): every known document asked for with If-None-Match
            results["recrawl_full"] = run_child("e2e", dict(spec, full=True), work, server, "e2e recrawl --full")
        report(results)
    finally:
        server.close()
        if args.json:
            Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def extra_settings(args) -> dict:
    out = {}
    for item in args.set:
        name, _, value = item.partition("=")
        try:
            out[name] = json.loads(value)
        except json.JSONDecodeError:
            out[name] = value
    return out


def fresh_db(work: Path, name: str, keep: bool = False) -> Path:
    folder = work / f"db-{name}"
    if folder.exists() and not keep:
        shutil.rmtree(folder)
    return folder / "zwgk.db"


def pps(r: dict) -> float:
    return r["pages"] / r["wall_s"]


def crawl_cpu_ms(r: dict) -> float:
    return 1000 * (r["cpu_s"] - r["startup"]["cpu_s"]) / max(r["pages"], 1)


def median(values: list[float]) -> float:
    values = sorted(values)
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def phases_line(r: dict) -> str:
    ph, n = r.get("phases_s") or {}, max(r["pages"], 1)
    if not ph:
        return ""
    other = ph["store"] - ph["blob"] - ph["extract"]
    return (f"{r['label']:<20} store {1000 * ph['store'] / n:6.2f} ms/page = snapshot files {1000 * ph['blob'] / n:5.2f}"
            f" + extraction {1000 * ph['extract'] / n:5.2f} + SQLite & rest {1000 * other / n:5.2f}"
            f"   ({100 * ph['store'] / r['wall_s']:.0f} % of the crawl's wall time)")


def report(results: dict) -> None:
    print()
    print(HEADER)
    for key in ("bare", "e2e", "base"):
        for r in results[key]:
            print(row(r))
    for key in ("recrawl", "recrawl_mutated", "recrawl_full"):
        if key in results:
            print(row(results[key]))
    print()
    print(LEGEND)
    print()
    print("time inside the store pipeline (on the reactor thread, so it adds to the crawl's wall time):")
    for key in ("e2e", "base"):
        for r in results[key]:
            print(phases_line(r))
    print()
    n = len(results["e2e"])
    note = f" (median of {n})" if n > 1 else ""
    bare_pps = median([pps(r) for r in results["bare"]]) if results["bare"] else None
    if bare_pps:
        print(f"bare pages/s{note}: {bare_pps:.1f}; crawl CPU {median([crawl_cpu_ms(r) for r in results['bare']]):.2f} ms/page")
    for key, name in (("e2e", "e2e"), ("base", "baseline e2e")):
        if not results[key]:
            continue
        e2e_pps = median([pps(r) for r in results[key]])
        line = (f"{name} pages/s{note}: {e2e_pps:.1f} (target ≥ {TARGET_PPS}: {'met' if e2e_pps >= TARGET_PPS else 'NOT met'});"
                f" crawl CPU {median([crawl_cpu_ms(r) for r in results[key]]):.2f} ms/page")
        if bare_pps:
            ratio = e2e_pps / bare_pps
            line += f"; / bare = {ratio:.2f} (target ≥ {TARGET_RATIO}: {'met' if ratio >= TARGET_RATIO else 'NOT met'})"
        print(line)
    e2e = results["e2e"][-1]
    if results["bare"]:
        bare = results["bare"][-1]
        print(f"same site: bare {bare['pages']} pages ({bare['status_counts']}), e2e {e2e['pages']} pages {e2e['by_role']}")
    print(f"e2e full crawl: documents {e2e['documents_after']}, page records {e2e['records']}, unit status {e2e['unit_status']}")
    if "recrawl" in results:
        rc, mu = results["recrawl"], results["recrawl_mutated"]
        share = rc["server_requests"] / max(e2e["server_requests"], 1)
        print(f"unchanged recrawl: {rc['server_requests']} requests vs {e2e['server_requests']} for the full crawl = "
              f"{100 * share:.2f} % (target ≤ {100 * TARGET_RECRAWL:g} %: {'met' if share <= TARGET_RECRAWL else 'NOT met'});"
              f" 304s: {rc['server_304']} (full crawl {e2e['server_304']}); fetched by role {rc['by_role']};"
              f" unit status {rc['unit_status']}")
        new_docs = mu["documents_after"] - mu["documents_before"]
        print(f"after mutate(0.01): the generator added {results['added']} items; the recrawl made {mu['server_requests']}"
              f" requests ({mu['server_304']} 304s) and found {new_docs} new documents; unit status {mu['unit_status']}")
        fu = results["recrawl_full"]
        print(f"full recrawl (--full, unchanged since): {fu['server_requests']} requests, {fu['server_304']} answered 304"
              f" ({fu['not_modified']} stored as not modified), {fu['documents_after'] - fu['documents_before']} new"
              f" documents; {pps(fu):.0f} pages/s; unit status {fu['unit_status']}")


def memory_main(args, work: Path) -> None:
    """Peak RSS of e2e crawls of growing size: a line through (pages, peak RSS), extrapolated to 100k pages."""
    fractions = [float(f) for f in args.ladder.split(",")]
    results: dict = {"args": vars(args), "memory": []}
    points = []
    try:
        for k, fraction in enumerate(fractions):
            pages = max(1, round(args.pages * fraction))
            server = ServerProc(args, pages)
            try:
                spec = {"base_url": server.base_url, "units": server.units, "concurrency": args.concurrency,
                        "extra_settings": extra_settings(args), "db": str(fresh_db(work, f"memory{k + 1}"))}
                print(f"memory run {k + 1}/{len(fractions)}: {args.units} units × {pages} pages …", flush=True)
                r = run_child("e2e", spec, work, server, f"memory {args.units}×{pages}", sample=True,
                              profile=args.profile if k == len(fractions) - 1 else None)
            finally:
                server.close()
            results["memory"].append(r)
            points.append((r["pages"], r["maxrss_mb"]))
            shutil.rmtree(Path(spec["db"]).parent, ignore_errors=True)  # the disk is not what is measured
    finally:
        if args.json:
            Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print()
    print(HEADER)
    for r in results["memory"]:
        print(row(r))
    print()
    for r in results["memory"]:
        print(phases_line(r))
    largest = results["memory"][-1]
    samples = largest["samples"]
    step = max(1, len(samples) // 15)
    print()
    print(f"RSS over the largest crawl ({largest['label']}): t s, server requests, child RSS MB")
    for t, n, rss in samples[::step] + samples[-1:]:
        print(f"  {t:7.1f} {n:8d} {rss:8.1f}")
    print()
    print("peak RSS by crawl size: " + ", ".join(f"{n} pages → {mb:.0f} MB" for n, mb in points))
    if largest["pages"] >= 100_000:
        print(f"measured: {largest['maxrss_mb']:.0f} MB at {largest['pages']} pages (target ≤ {TARGET_RSS_MB} MB:"
              f" {'met' if largest['maxrss_mb'] <= TARGET_RSS_MB else 'NOT met'})")
    elif len(points) >= 2:
        slope, intercept = fit_line(points)
        at_100k = intercept + slope * 100_000
        results["extrapolated_rss_mb_100k"] = at_100k
        print(f"EXTRAPOLATION, not a measurement (least-squares line through the peaks): {intercept:.0f} MB +"
              f" {1000 * slope:.2f} MB per 1k pages → ≈ {at_100k:.0f} MB at 100k pages (target ≤ {TARGET_RSS_MB} MB)")


if __name__ == "__main__":
    main()
