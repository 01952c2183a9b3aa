"""Serve the bundled demo site (``zwgk/demo/site``, package data): a fictional county platform on 127.0.0.1.

    with serve() as site:
        units = units_for(site.base_url)      # the four demo units, addresses on this server

The server behaves like the CMSs it imitates where a crawler can tell: static pages with a Content-Type
and charset per file (the GBK unit as ``text/html; charset=gb2312``), Hanweb's list data from a POST to
``/module/web/jpage/dataproxy.jsp``, ``/module/download/downfile.jsp`` redirecting to ``/attach/…``,
ETag / Last-Modified with 304 on conditional GET, a robots.txt, 404 for anything else.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from functools import lru_cache
from importlib import resources
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator
from urllib.parse import parse_qs, quote, unquote, urlsplit

import yaml

from zwgk.registry.units import parse_units

RECORD = re.compile(r"<record>.*?</record>", re.S)
TYPES = {".html": "text/html", ".htm": "text/html", ".pdf": "application/pdf", ".txt": "text/plain",
         ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         ".xml": "text/xml", ".js": "application/javascript", ".css": "text/css"}


def default_root() -> Path:
    """The demo site shipped in this package (``site/``: the manifest, ``www/``, ``jpage/``, golden sheets)."""
    return Path(str(resources.files(__package__) / "site"))


@lru_cache(maxsize=4)
def load_manifest(root: Path) -> dict:
    return json.loads((root / "site.json").read_text(encoding="utf-8"))


@dataclass
class DemoSite:
    server: "DemoServer"
    root: Path

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"


class DemoServer(ThreadingHTTPServer):
    request_queue_size = 256  # http.server's default backlog of 5 distorts any concurrent crawl
    daemon_threads = True

    def __init__(self, address, root: Path):
        self.root = root
        self.www = (root / "www").resolve()
        manifest = load_manifest(root)
        self.gbk_prefixes = tuple(manifest["gbk_prefixes"])
        super().__init__(address, DemoHandler)


class DemoHandler(BaseHTTPRequestHandler):
    server: DemoServer
    protocol_version = "HTTP/1.1"
    server_version = "Apache"
    sys_version = ""

    def log_message(self, format, *args):  # noqa: A002 - quiet: tests and demo runs would drown in access logs
        pass

    # --- routing ---

    def do_GET(self):
        self.route(head=False)

    def do_HEAD(self):
        self.route(head=True)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        path = urlsplit(self.path).path
        if path == "/module/web/jpage/dataproxy.jsp":
            self.dataproxy(body)
        else:
            self.send_text(405, "Method Not Allowed")

    def route(self, head: bool):
        parts = urlsplit(self.path)
        if parts.path == "/module/web/jpage/dataproxy.jsp":
            self.dataproxy("")
        elif parts.path == "/module/download/downfile.jsp":
            self.downfile(parts.query)
        else:
            self.static(unquote(parts.path), head)

    # --- handlers ---

    def static(self, path: str, head: bool):
        file = self.resolve(path)
        if file is None:
            self.send_text(404, "404 Not Found")
            return
        data = file.read_bytes()
        mtime = int(file.stat().st_mtime)
        etag = '"' + hashlib.sha1(data).hexdigest()[:20] + '"'
        if self.not_modified(etag, mtime):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", formatdate(mtime, usegmt=True))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", self.content_type(path, file))
        self.send_header("Content-Length", str(len(data)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", formatdate(mtime, usegmt=True))
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def resolve(self, path: str) -> Path | None:
        candidate = (self.server.www / path.lstrip("/")).resolve()
        if not candidate.is_relative_to(self.server.www):
            return None
        if candidate.is_dir():
            for index in ("index.html", "default.htm"):
                if (candidate / index).is_file():
                    return candidate / index
            return None
        return candidate if candidate.is_file() else None

    def content_type(self, path: str, file: Path) -> str:
        suffix = file.suffix.lower()
        ctype = TYPES.get(suffix) or mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if ctype.startswith("text/"):
            charset = "gb2312" if path.startswith(self.server.gbk_prefixes) else "utf-8"
            return f"{ctype}; charset={charset}"
        return ctype

    def not_modified(self, etag: str, mtime: int) -> bool:
        tags = self.headers.get("If-None-Match")
        if tags is not None:
            return etag in [t.strip() for t in tags.split(",")] or tags.strip() == "*"
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return mtime <= parsedate_to_datetime(since).timestamp()
            except (TypeError, ValueError):
                return False
        return False

    def downfile(self, query: str):
        name = (parse_qs(query).get("filename") or [""])[0]
        classid = (parse_qs(query).get("classid") or ["0"])[0]
        if not name or "/" in name or "/" in classid:
            self.send_text(404, "404 Not Found")
            return
        self.send_response(302)
        self.send_header("Location", f"/attach/{quote(classid)}/{quote(name)}")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def dataproxy(self, body: str):
        """Hanweb jpage: records startrecord..endrecord (1-based, inclusive) of a column's datastore."""
        params = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
        params.update({k: v[0] for k, v in parse_qs(body).items()})
        column = params.get("columnid", "")
        store = self.server.root / "jpage" / f"{column}.xml"
        if not column.isdigit() or not store.is_file():
            records: list[str] = []
        else:
            records = RECORD.findall(store.read_text(encoding="utf-8"))
        try:
            perpage = max(1, int(params.get("perpage", "15")))
            start = max(1, int(params.get("startrecord", "1")))
            end = int(params.get("endrecord", str(start + perpage * 3 - 1)))
        except ValueError:
            self.send_text(400, "参数错误")
            return
        chunk = records[start - 1:max(start - 1, end)]
        total = len(records)
        xml = ('<?xml version="1.0" encoding="UTF-8"?><datastore><nextgroup><![CDATA[]]></nextgroup><recordset>\n'
               + "\n".join(chunk) + f"\n</recordset><totalrecord>{total}</totalrecord>"
               f"<totalpage>{-(-total // perpage)}</totalpage></datastore>")
        data = xml.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/xml; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def send_text(self, status: int, text: str):
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


@contextmanager
def serve(root: Path | None = None, host: str = "127.0.0.1", port: int = 0) -> Iterator[DemoSite]:
    """Serve the demo site in a background thread for the duration of the ``with`` block."""
    root = Path(root) if root is not None else default_root()
    server = DemoServer((host, port), root)
    thread = threading.Thread(target=server.serve_forever, name="zwgk-demo-site", daemon=True)
    thread.start()
    try:
        yield DemoSite(server, root)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def units_for(base_url: str, root: Path | None = None) -> list[dict]:
    """The demo units in the units-registry format, with addresses on the server at ``base_url``."""
    base = base_url.rstrip("/")
    manifest = load_manifest(Path(root) if root is not None else default_root())
    units = [{
        "id": u["id"], "name": u["name"], "kind": u["kind"], "site": base + u["site"],
        "disclosure_roots": [base + r for r in u["disclosure_roots"]],
        "scopes": [base + s for s in u["scopes"]], "subunits": list(u["subunits"]),
    } for u in manifest["units"]]
    parse_units({"units": units}, "演示站点单位名录")
    return units


def write_units_yaml(base_url: str, path: Path, root: Path | None = None) -> Path:
    """Write the demo units registry for the server at ``base_url`` to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "# 演示站点单位名录（由 zwgk.demo.server 生成，地址随端口变化）\n" + yaml.safe_dump(
        {"units": units_for(base_url, root)}, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path
