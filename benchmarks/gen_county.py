"""A deterministic synthetic county served on loopback, for crawl benchmarks (design.md, "Incremental crawling").

    server, units = serve_county(n_units=50, pages_per_unit=200, latency_ms=20, seed=0)
    ... crawl server.base_url with `units` (units-registry dicts) ...
    server.mutate(0.01)      # new items at the top of some lists: an incremental recrawl has work to do
    server.close()

Pages are generated on request from (seed, unit, column, item), never written to disk. Units rotate over the
three CMS patterns of domain.md §6 (TRS WCM, Yueyang-area platform, Hanweb JCMS with dataproxy.jsp); one unit
in ten is served as GBK (``text/html; charset=gb2312``). Lists hold 20 items per page, newest first. Every
response carries an ETag and honours If-None-Match, so a recrawl of an unchanged county costs 304s. Each
request sleeps ``latency_ms`` in its handler thread. ``server.stats`` counts requests and 304s.

Run ``python benchmarks/gen_county.py --units 30 --pages 100`` to serve a county and print its units.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import math
import random
import re
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import yaml

PER_PAGE = 20
GROUP = 3  # Hanweb embeds 3 pages of records in the column page; the rest comes from dataproxy.jsp
PATTERNS = ("trs", "yueyang", "hanweb")
COLUMNS = ("工作动态", "通知公告", "政策文件", "重点领域信息")
WORDS = ("关于", "进一步", "加强", "做好", "2017年", "全县", "农村", "安全生产", "扶贫", "政务公开", "工作", "通知",
         "实施方案", "情况", "公示", "公告", "专项", "整治", "推进", "落实", "民生", "项目", "建设", "检查")
EPOCH = dt.date(2017, 1, 2)


class County:
    """The content model: units, their columns and items; everything derives from the seed."""

    def __init__(self, n_units: int, pages_per_unit: int, seed: int):
        if n_units < 1 or pages_per_unit < 1:
            raise ValueError("n_units and pages_per_unit must be at least 1")
        self.seed = seed
        self.n_units = n_units
        base, extra = divmod(pages_per_unit, len(COLUMNS))
        # counts[unit][column] = number of items; mutate() grows them (new items are newest)
        self.counts = [[base + (1 if k < extra else 0) for k in range(len(COLUMNS))] for _ in range(n_units)]
        self.generation = 0
        self.lock = threading.Lock()

    def pattern(self, u: int) -> str:
        return PATTERNS[u % 3]

    def gbk(self, u: int) -> bool:
        return u % 10 == 1

    def mutate(self, fraction: float) -> int:
        """Add ceil(fraction × all items) new items at the top of randomly chosen lists; returns how many."""
        with self.lock:
            self.generation += 1
            rng = random.Random(f"{self.seed}-mutate-{self.generation}")
            total = sum(map(sum, self.counts))
            added = math.ceil(total * fraction)
            for _ in range(added):
                self.counts[rng.randrange(self.n_units)][rng.randrange(len(COLUMNS))] += 1
            return added

    # --- addresses ---

    def unit_root(self, u: int) -> str:
        return {"trs": f"/u{u}/xxgk/index.html", "yueyang": f"/{50000 + u}/default.htm",
                "hanweb": f"/col/col{100000 + u * 10}/index.html"}[self.pattern(u)]

    def column_url(self, u: int, k: int, page: int = 0) -> str:
        pattern = self.pattern(u)
        if pattern == "trs":
            return f"/u{u}/xxgk/c{k}/" + ("index.html" if page == 0 else f"index_{page}.html")
        if pattern == "yueyang":
            return f"/{50000 + u}/{60000 + k}/" + ("default.htm" if page == 0 else f"default_{page + 1}.htm")
        return f"/col/col{100000 + u * 10 + k + 1}/index.html"

    def item_id(self, u: int, k: int, j: int) -> int:
        return u * 10_000_000 + k * 1_000_000 + j

    def item_date(self, j: int) -> dt.date:
        return EPOCH + dt.timedelta(days=j // 3)

    def item_url(self, u: int, k: int, j: int) -> str:
        d, i = self.item_date(j), self.item_id(u, k, j)
        pattern = self.pattern(u)
        if pattern == "trs":
            return f"/u{u}/xxgk/c{k}/{d:%Y%m}/t{d:%Y%m%d}_{i}.html"
        if pattern == "yueyang":
            return f"/{50000 + u}/{60000 + k}/content_{i}.html"
        return f"/art/{d.year}/{d.month}/{d.day}/art_{100000 + u * 10 + k + 1}_{i}.html"

    def title(self, u: int, k: int, j: int) -> str:
        rng = random.Random(f"{self.seed}-{u}-{k}-{j}")
        return f"{self.unit_name(u)}{''.join(rng.sample(WORDS, 5))}"

    def unit_name(self, u: int) -> str:
        return f"模拟{'乡镇' if u % 2 == 0 else '部门'}{u:04d}" + ("（镕喆）" if self.gbk(u) else "")

    def units(self, base_url: str) -> list[dict]:
        out = []
        for u in range(self.n_units):
            root = base_url + self.unit_root(u)
            scopes = [base_url + p for p in ("/col/", "/art/", "/module/")] if self.pattern(u) == "hanweb" else []
            out.append({"id": f"unit-{u:04d}", "name": self.unit_name(u), "kind": "township" if u % 2 == 0 else "department",
                        "site": root, "disclosure_roots": [root], "scopes": scopes, "subunits": []})
        return out

    # --- pages ---

    def page(self, path: str) -> tuple[str, int] | None:
        """(HTML text, unit index) for a path, or None."""
        m = re.fullmatch(r"/u(\d+)/xxgk/index\.html|/(\d+)/default\.htm|/col/col(\d+)/index\.html", path)
        if m and m.group(1) is not None:
            return self._root(int(m.group(1)), "trs")
        if m and m.group(2) is not None and int(m.group(2)) >= 50000:
            return self._root(int(m.group(2)) - 50000, "yueyang")
        if m and m.group(3) is not None and int(m.group(3)) >= 100000:
            u, k = divmod(int(m.group(3)) - 100000, 10)
            return self._root(u, "hanweb") if k == 0 else self._list(u, k - 1, 0, "hanweb")
        m = re.fullmatch(r"/u(\d+)/xxgk/c(\d)/index(?:_(\d+))?\.html", path)
        if m:
            return self._list(int(m.group(1)), int(m.group(2)), int(m.group(3) or 0), "trs")
        m = re.fullmatch(r"/(\d+)/(\d+)/default(?:_(\d+))?\.htm", path)
        if m and int(m.group(1)) >= 50000 and int(m.group(2)) >= 60000:
            page = int(m.group(3)) - 1 if m.group(3) else 0
            return None if m.group(3) == "1" else self._list(int(m.group(1)) - 50000, int(m.group(2)) - 60000, page, "yueyang")
        m = re.fullmatch(r"/u\d+/xxgk/c\d/\d{6}/t\d{8}_(\d+)\.html|/\d+/\d+/content_(\d+)\.html|/art/\d+/\d+/\d+/art_\d+_(\d+)\.html", path)
        if m:
            u, rest = divmod(int(next(g for g in m.groups() if g)), 10_000_000)
            k, j = divmod(rest, 1_000_000)
            return self._item(u, k, j, path)
        return None

    def _valid(self, u: int, pattern: str) -> bool:
        return 0 <= u < self.n_units and self.pattern(u) == pattern

    def _head(self, u: int, title: str, metas: str = "") -> str:
        charset = "gb2312" if self.gbk(u) else "utf-8"
        return (f'<!DOCTYPE html>\n<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
                f"<title>{title}</title><meta name=\"SiteName\" content=\"{self.unit_name(u)}\">"
                f'<meta name="SiteIDCode" content="4306{u % 1_000_000:06d}">{metas}</head><body>\n'
                f'<div class="position"><a href="{self.unit_root(u)}">首页</a></div>\n')

    def _root(self, u: int, pattern: str):
        if not self._valid(u, pattern):
            return None
        links = "".join(f'<li><a href="{self.column_url(u, k)}">{name}</a></li>' for k, name in enumerate(COLUMNS))
        return self._head(u, f"{self.unit_name(u)}信息公开") + f"<ul>{links}</ul></body></html>\n", u

    def _list(self, u: int, k: int, page: int, pattern: str):
        if not self._valid(u, pattern) or not 0 <= k < len(COLUMNS):
            return None
        n = self.counts[u][k]
        pages = max(1, -(-n // PER_PAGE))
        if page >= pages:
            return None
        head = self._head(u, COLUMNS[k], f'<meta name="ColumnName" content="{COLUMNS[k]}">')
        if pattern == "hanweb":
            records = self.records(u, k, 1, GROUP * PER_PAGE)
            cid = 100000 + u * 10 + k + 1
            body = (f'<div id="{cid}"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/'
                    f'dataproxy.jsp?page=1&appid=1&webid=1&path=/&columnid={cid}&unitid={cid}&permissiontype=0"></a>]]>'
                    f"</nextgroup><recordset>\n{records}\n</recordset></datastore></script>"
                    f"<script>var jpageParam = {{proxyUrl:'/module/web/jpage/dataproxy.jsp', webid:1, columnid:{cid}, "
                    f"unitid:{cid}, perpage:{PER_PAGE}, totalRecord:{n}, totalPage:{pages}}};</script></div>")
            return head + body + "</body></html>\n", u
        items = "".join(f'<li><a href="{self._link(u, k, j)}">{self.title(u, k, j)}</a><span>{self.item_date(j)}</span></li>'
                        for j in self._newest(n, page * PER_PAGE, PER_PAGE))
        if pattern == "trs":
            pager = f'<script>createPageHTML({pages}, {page}, "index", "html");</script>'
        else:
            pager = (f'<script>function gotoPage(num){{ if(num<1){{}} else if(num>{pages}){{}} '
                     f'else {{ location.href = num==1 ? "default.htm" : "default_"+num+".htm"; }} }}</script>')
        return head + f'<ul class="list">{items}</ul>{pager}</body></html>\n', u

    def _link(self, u: int, k: int, j: int) -> str:
        url = self.item_url(u, k, j)
        return "./" + url.split(f"/c{k}/", 1)[1] if self.pattern(u) == "trs" else url

    @staticmethod
    def _newest(n: int, start: int, count: int) -> range:
        """Item indexes newest first: positions start..start+count of a list of n items."""
        return range(n - 1 - start, max(-1, n - 1 - start - count), -1)

    def records(self, u: int, k: int, first: int, last: int) -> str:
        """Hanweb records first..last (1-based, inclusive) of a column, newest first."""
        n = self.counts[u][k]
        first, last = max(1, first), min(n, last)
        return "\n".join(f'<record><![CDATA[<li><a href="{self.item_url(u, k, j)}">{self.title(u, k, j)}</a>'
                         f"<span>{self.item_date(j)}</span></li>]]></record>"
                         for j in self._newest(n, first - 1, max(0, last - first + 1)))

    def _item(self, u: int, k: int, j: int, path: str):
        if not 0 <= u < self.n_units or not 0 <= k < len(COLUMNS) or not 0 <= j < self.counts[u][k]:
            return None
        if self.item_url(u, k, j) != path:
            return None
        title, d = self.title(u, k, j), self.item_date(j)
        rng = random.Random(f"{self.seed}-body-{u}-{k}-{j}")
        paras = "".join(f"<p>{''.join(rng.choices(WORDS, k=30))}。</p>" for _ in range(8))
        metas = (f'<meta name="ColumnName" content="{COLUMNS[k]}"><meta name="ArticleTitle" content="{title}">'
                 f'<meta name="PubDate" content="{d} 09:30">')
        if self.pattern(u) == "hanweb":
            metas += '<meta name="Generator" content="大汉版通">'
        body = {"trs": f'<div class="TRS_Editor">{paras}</div>', "hanweb": f'<div id="zoom">{paras}</div>',
                "yueyang": f'<h1 class="content_title">{title}</h1><div class="wznr_mess">日期：{d} 09:30</div>'
                           f'<div id="content_box">{paras}</div>'}[self.pattern(u)]
        table = (f"<table><tr><th>索引号</th><td>4306{u:05d}/{d.year}-{j:05d}</td><th>发布机构</th><td>{self.unit_name(u)}</td></tr>"
                 f"<tr><th>发布日期</th><td>{d}</td></tr></table>")
        return self._head(u, title, metas) + table + body + "</body></html>\n", u


class CountyServer(ThreadingHTTPServer):
    request_queue_size = 1024
    daemon_threads = True

    def __init__(self, county: County, latency_ms: float, host: str = "127.0.0.1", port: int = 0):
        self.county = county
        self.latency = latency_ms / 1000
        self.stats: Counter = Counter()
        self.stats_lock = threading.Lock()
        super().__init__((host, port), CountyHandler)
        self.thread = threading.Thread(target=self.serve_forever, name="gen-county", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def mutate(self, fraction: float) -> int:
        return self.county.mutate(fraction)

    def count(self, key: str) -> None:
        with self.stats_lock:
            self.stats[key] += 1

    def close(self) -> None:
        self.shutdown()
        self.server_close()
        self.thread.join()


class CountyHandler(BaseHTTPRequestHandler):
    server: CountyServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - a benchmark must not pay for access logs
        pass

    def do_GET(self):
        self.respond(b"")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.respond(self.rfile.read(length) if length else b"")

    def respond(self, body: bytes):
        time.sleep(self.server.latency)
        self.server.count("requests")
        county = self.server.county
        parts = urlsplit(self.path)
        if parts.path == "/robots.txt":
            return self.send(200, "text/plain; charset=utf-8", b"User-agent: *\nDisallow: /admin/\n")
        if parts.path == "/module/web/jpage/dataproxy.jsp":
            return self.dataproxy(parts.query, body)
        with county.lock:
            found = county.page(parts.path)
        if found is None:
            self.server.count("404")
            return self.send(404, "text/plain; charset=utf-8", b"404 Not Found")
        text, u = found
        gbk = county.gbk(u)
        data = text.encode("gbk" if gbk else "utf-8")
        self.send(200, f"text/html; charset={'gb2312' if gbk else 'utf-8'}", data)

    def dataproxy(self, query: str, body: bytes):
        params = {k: v[0] for k, v in parse_qs(query).items()}
        params.update({k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()})
        try:
            cid = int(params.get("columnid", ""))
            first, last = int(params.get("startrecord", "1")), int(params.get("endrecord", str(GROUP * PER_PAGE)))
        except ValueError:
            return self.send(400, "text/plain; charset=utf-8", "参数错误".encode())
        county = self.server.county
        u, k = divmod(cid - 100000, 10)
        with county.lock:
            ok = 0 <= u < county.n_units and county.pattern(u) == "hanweb" and 1 <= k <= len(COLUMNS)
            records = county.records(u, k - 1, first, last) if ok else ""
            total = county.counts[u][k - 1] if ok else 0
        xml = (f'<?xml version="1.0" encoding="UTF-8"?><datastore><recordset>\n{records}\n</recordset>'
               f"<totalrecord>{total}</totalrecord><totalpage>{-(-total // PER_PAGE)}</totalpage></datastore>")
        self.send(200, "text/xml; charset=UTF-8", xml.encode("utf-8"))

    def send(self, status: int, ctype: str, data: bytes):
        etag = '"' + hashlib.sha1(data).hexdigest()[:20] + '"'
        if status == 200 and self.command == "GET" and etag in (self.headers.get("If-None-Match") or ""):
            self.server.count("304")
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        if status == 200:
            self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(data)


def serve_county(n_units: int, pages_per_unit: int, latency_ms: float = 20, seed: int = 0,
                 host: str = "127.0.0.1", port: int = 0) -> tuple[CountyServer, list[dict]]:
    """Start a synthetic county server in a background thread; returns (server, units-registry dicts)."""
    server = CountyServer(County(n_units, pages_per_unit, seed), latency_ms, host, port)
    server.thread.start()
    return server, server.county.units(server.base_url)


def main() -> None:
    parser = argparse.ArgumentParser(description="在本机回环地址上运行一个模拟县（用于抓取基准测试）。")
    parser.add_argument("--units", type=int, default=30, help="单位数")
    parser.add_argument("--pages", type=int, default=100, help="每个单位的详情页数")
    parser.add_argument("--latency-ms", type=float, default=20, help="每个请求的延迟（毫秒）")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server, units = serve_county(args.units, args.pages, args.latency_ms, args.seed, port=args.port)
    print(yaml.safe_dump({"units": units}, allow_unicode=True, sort_keys=False))
    print(f"# 模拟县已在 {server.base_url} 运行，按 Ctrl+C 结束。")
    try:
        server.thread.join()
    except KeyboardInterrupt:
        server.close()


if __name__ == "__main__":
    main()
