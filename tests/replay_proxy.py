"""Replaying a real site on loopback: an HTTP proxy on 127.0.0.1 that answers absolute-URL requests from
stored pages, so a crawl of ``http://www.example.gov.cn/…`` sees the site under its original addresses
(scope, relative links and CMS URL patterns all as on the live site) and never leaves this machine.

The crawler is pointed at it the ordinary way, with ``http_proxy`` in its environment (Scrapy's
HttpProxyMiddleware). Every URL not in the table answers 404 (robots.txt included), and every request is
logged so a test can see what the crawl asked for. Only ``http`` URLs are served (a proxy would need
CONNECT for https).
"""

from __future__ import annotations

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Server(ThreadingHTTPServer):
    request_queue_size = 256
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class ReplayProxy:
    """``pages``: {absolute http URL: (content type, body bytes)}."""

    def __init__(self, pages: dict[str, tuple[str, bytes]]):
        self.pages = dict(pages)
        self.requested: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _answer(self, with_body: bool):
                url = self.path  # a proxy receives the absolute URL
                proxy.requested.append(url)
                found = proxy.pages.get(url) or proxy.pages.get(url.split("#", 1)[0])
                status, ctype, body = (200, *found) if found else (404, "text/plain", b"not found")
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if with_body:
                    self.wfile.write(body)

            def do_GET(self):
                self._answer(True)

            def do_HEAD(self):
                self._answer(False)

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> "ReplayProxy":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
