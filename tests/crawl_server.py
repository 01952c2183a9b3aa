"""A loopback HTTP server for crawl tests, and small site builders for the CMS patterns.

``CrawlServer`` serves a route table on 127.0.0.1 (ephemeral port) from a ``ThreadingHTTPServer`` whose
listen backlog is raised to 256 (the default of 5 distorts anything concurrent). A route gives status,
headers, body bytes, an optional delay, ETag / Last-Modified (answering conditional GETs with 304), or a
handler ``fn(request) -> (status, headers, body)`` (Hanweb's POST ``dataproxy.jsp``); ``reset=True``
answers with a TCP reset instead, and a ``Content-Length`` header of its own is sent as given (a size
announced but never sent). ``prefix`` routes (``add_prefix``) answer every path under a folder. Delays end
early when the server stops. Every request is logged (method, path, headers, body) so tests can count
what the crawler asked for.

The ``crawl_server`` pytest fixture starts one server per test.
"""

from __future__ import annotations

import socket
import struct
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import parse_qsl, urlsplit

import pytest


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    etag: str | None = None
    last_modified: str | None = None
    handler: Callable[["SeenRequest"], tuple[int, dict, bytes]] | None = None
    reset: bool = False


@dataclass
class SeenRequest:
    method: str
    path: str  # with query
    headers: dict[str, str]  # names lower-cased
    body: bytes

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.path).query))

    @property
    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode("utf-8", "replace")))


class _Server(ThreadingHTTPServer):
    request_queue_size = 256
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # a client that timed out or was killed drops its connection (or a route reset it): expected here
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError, OSError, ValueError)):
            super().handle_error(request, client_address)


class CrawlServer:
    def __init__(self):
        self.routes: dict[str, Route] = {}
        self.prefixes: dict[str, Route] = {}
        self.stopped = threading.Event()
        self.requests: list[SeenRequest] = []
        self._lock = threading.Lock()
        self.default_delay = 0.0
        self._httpd = _Server(("127.0.0.1", 0), self._handler_class())
        self.port = self._httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    # routes ---------------------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, body: bytes | str = b"", *, status: int = 200, content_type: str | None = None,
            charset: str = "utf-8", **kwargs) -> Route:
        if isinstance(body, str):
            body = body.encode(charset)
        headers = dict(kwargs.pop("headers", {}) or {})
        ct = content_type or (f"text/html; charset={charset}" if status < 300 else None)
        if ct:
            headers.setdefault("Content-Type", ct)
        route = Route(status=status, body=body, headers=headers, **kwargs)
        self.routes[path] = route
        return route

    def add_prefix(self, folder: str, handler: Callable[["SeenRequest"], tuple[int, dict, bytes]]) -> Route:
        """Every path under ``folder`` (longest prefix wins) answered by ``handler``."""
        route = Route(handler=handler)
        self.prefixes[folder] = route
        return route

    def route_for(self, path: str) -> Route | None:
        route = self.routes.get(path) or self.routes.get(urlsplit(path).path)
        if route is None:
            folders = [f for f in self.prefixes if path.startswith(f)]
            route = self.prefixes[max(folders, key=len)] if folders else None
        return route

    def redirect(self, path: str, location: str, status: int = 302) -> Route:
        return self.add(path, b"", status=status, headers={"Location": location}, content_type="text/plain")

    def hits(self, path: str | None = None, method: str | None = None) -> list[SeenRequest]:
        with self._lock:
            return [r for r in self.requests if (path is None or r.path == path or urlsplit(r.path).path == path)
                    and (method is None or r.method == method)]

    # lifecycle ------------------------------------------------------------------------------------

    def start(self) -> "CrawlServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                seen = SeenRequest(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                with server._lock:
                    server.requests.append(seen)
                route = server.route_for(self.path)
                if route is not None and route.reset:
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    self.close_connection = True
                    return
                if route is None:
                    status, headers, payload = 404, {"Content-Type": "text/html; charset=utf-8"}, "<h1>404</h1>".encode()
                    delay = server.default_delay
                else:
                    delay = route.delay or server.default_delay
                    if route.handler is not None:
                        status, headers, payload = route.handler(seen)
                    else:
                        status, headers, payload = route.status, dict(route.headers), route.body
                        if route.etag:
                            headers["ETag"] = route.etag
                        if route.last_modified:
                            headers["Last-Modified"] = route.last_modified
                        inm, ims = seen.headers.get("if-none-match"), seen.headers.get("if-modified-since")
                        if (route.etag and inm == route.etag) or (route.last_modified and ims == route.last_modified and not inm):
                            status, payload = 304, b""
                if delay:
                    server.stopped.wait(delay)
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    if "Content-Length" not in headers:
                        self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                if "Content-Length" in headers and int(headers["Content-Length"]) != len(payload):
                    self.close_connection = True  # announced more than it sends

            do_GET = do_POST = do_HEAD = _serve

        return Handler


@pytest.fixture
def crawl_server():
    server = CrawlServer().start()
    try:
        yield server
    finally:
        server.stop()


# --- site builders -------------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{title}</title></head><body>{body}</body></html>"""


def page(title: str, body: str, charset: str = "utf-8") -> str:
    return PAGE.format(title=title, body=body, charset=charset)


def article(server: CrawlServer, path: str, title: str, *, attachments: tuple[str, ...] = (),
            charset: str = "utf-8", **route) -> str:
    links = "".join(f'<p><a href="{a}">附件{i + 1}</a></p>' for i, a in enumerate(attachments))
    server.add(path, page(title, f"<h1>{title}</h1><div class='TRS_Editor'>正文：{title}</div>{links}", charset),
               charset="gbk" if charset.lower() in ("gb2312", "gbk") else charset,
               content_type=f"text/html; charset={charset}", **route)
    return server.url(path)


def rows(items: list[tuple[str, str, str]]) -> str:
    return "<ul>" + "".join(f'<li><a href="{h}" title="{t}">{t}</a><span>{d}</span></li>' for h, t, d in items) + "</ul>"


def build_trs_column(server: CrawlServer, folder: str, pages: int, per_page: int, *, charset: str = "utf-8",
                     first_id: int = 1000) -> list[str]:
    """A TRS column at ``folder`` (``/zwgk/zhxx/``): index.html, index_1.html …, articles in month folders."""
    urls = []
    n = first_id
    for p in range(pages):
        entries = []
        for _ in range(per_page):
            n += 1
            day = 28 - n % 28
            href = f"./201710/t201710{day:02d}_{n}.html"
            title = f"综合信息第{n}号通知（镕喆）"
            entries.append((href, title, f"10-{day:02d}"))
            urls.append(article(server, f"{folder}201710/t201710{day:02d}_{n}.html", title, charset=charset))
        pager = f'<script>createPageHTML({pages}, {p}, "index", "html");</script>'
        leaf = "index.html" if p == 0 else f"index_{p}.html"
        server.add(folder + leaf, page("综合信息", rows(entries) + pager, charset),
                   content_type=f"text/html; charset={charset}", charset="gbk" if charset in ("gb2312", "gbk") else charset)
    return urls


def build_yueyang_column(server: CrawlServer, folder: str, pages: int, per_page: int, *, first_id: int = 5000) -> list[str]:
    """A Yueyang-platform column: ``folder`` + default.htm, default_2.htm …; ``else if(num>N)`` in script."""
    urls = []
    n = first_id
    for p in range(1, pages + 1):
        entries = []
        for _ in range(per_page):
            n += 1
            entries.append((f"content_{n}.html", f"乡镇政务信息{n}", "2017-03-01"))
            urls.append(article(server, f"{folder}content_{n}.html", f"乡镇政务信息{n}"))
        script = (f"<script>function go(){{var num=document.getElementById('n').value;if(num<1){{}}"
                  f"else if(num>{pages}){{alert('超出页数')}}else{{}}}}</script>")
        leaf = "default.htm" if p == 1 else f"default_{p}.htm"
        server.add(folder + leaf, page("政务信息", rows(entries) + script))
    return urls


def build_hanweb_column(server: CrawlServer, column_id: int, total: int, *, per_page: int = 15,
                        state_total: bool = True, first_id: int = 90000) -> list[str]:
    """A Hanweb column ``/col/col{ID}/index.html`` with a jpage datastore of the first 45 records and
    ``/module/web/jpage/dataproxy.jsp`` answering POSTs for the rest."""
    records = []
    urls = []
    for i in range(total):
        aid = first_id + i
        path = f"/art/2021/9/{1 + i % 28}/art_{column_id}_{aid}.html"
        records.append((path, f"大汉公开信息{aid}", f"2021-09-{1 + i % 28:02d}"))
        urls.append(article(server, path, f"大汉公开信息{aid}"))

    def record_xml(chunk):
        return "".join(f'<record><![CDATA[<li><a href="{h}" title="{t}">{t}</a><b>{d}</b></li>]]></record>'
                       for h, t, d in chunk)

    group = per_page * 3
    total_tag = f"<totalrecord>{total}</totalrecord>" if state_total else ""
    nextgroup = (f'<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=7'
                 f'&path=/&columnid={column_id}&unitid=555&webname=%25E6%25B5%258B%25E8%25AF%2595&permissiontype=0"></a>]]></nextgroup>')
    body = (f'<div id="555"><script type="text/xml"><datastore>{nextgroup}{total_tag}<recordset>'
            f"{record_xml(records[:group])}</recordset></datastore></script></div>"
            f"<script>$('#555').jpage({{perPage:{per_page}, proxyUrl:'/module/web/jpage/dataproxy.jsp'}});</script>"
            "<!-- Produced By 大汉网络 大汉版通发布系统 -->")
    server.add(f"/col/col{column_id}/index.html", page("公开目录", body))

    def proxy(req: SeenRequest):
        q, form = req.query, req.form
        if req.method != "POST" or form.get("columnid") != str(column_id) or form.get("webname") != "测试":
            return 400, {"Content-Type": "text/plain"}, b"bad request"
        start, end = int(q["startrecord"]), int(q["endrecord"])
        chunk = records[start - 1:end]
        xml = f'<?xml version="1.0" encoding="UTF-8"?><datastore>{total_tag}<recordset>{record_xml(chunk)}</recordset></datastore>'
        return 200, {"Content-Type": "text/xml; charset=UTF-8"}, xml.encode("utf-8")

    server.add("/module/web/jpage/dataproxy.jsp", handler=proxy)
    return urls


def build_generic_column(server: CrawlServer, folder: str, pages: int, per_page: int, *, style: str = "query",
                         first_id: int = 7000) -> list[str]:
    """A column paged by 下一页 / 尾页 links: ``list.html?page=N`` (style query) or ``list_N.html``."""
    urls = []
    n = first_id

    def leaf(p):
        if p == 1:
            return "list.html"
        return f"list.html?page={p}" if style == "query" else f"list_{p}.html"

    for p in range(1, pages + 1):
        entries = []
        for _ in range(per_page):
            n += 1
            entries.append((f"doc{n}.html", f"通用栏目文件{n}", "2017-05-06"))
            urls.append(article(server, f"{folder}doc{n}.html", f"通用栏目文件{n}"))
        pager = f"<div>共{pages}页 "
        if p < pages:
            pager += f'<a href="{leaf(p + 1)}">下一页</a> <a href="{leaf(pages)}">尾页</a>'
        pager += "</div>"
        server.add(folder + leaf(p), page("通用栏目", rows(entries) + pager))
    return urls
