"""Resolving a page's hrefs to absolute http(s) URLs, fast.

A county page has 200–400 links and ``urllib.parse.urljoin`` costs ~10 µs each; the link list and the list
structure both resolve every href of a page. ``Resolver`` resolves each distinct href once per page and
takes the common shapes without ``urljoin``: absolute ``http(s)://…``, scheme-relative ``//host/…`` and
root-relative ``/path`` and path-relative ``a.html`` / ``./201912/t1.html`` / ``../../b/c.html`` (no other
dot segments). Everything else (``../``, ``?page=2``, ``a/../b``) goes through ``urljoin``. Non-http
targets (``javascript:``, ``mailto:``, ``#…``) resolve to None; fragments are dropped.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

_WHITESPACE = re.compile(r"[\s\x00-\x1f]+")
_NOT_HTTP = re.compile(r"^(?:javascript|mailto|tel|sms|ftp|file|data|about|vbscript):", re.I)


class Resolver:
    """``resolver(href) -> absolute URL | None`` against one page's base URL."""

    def __init__(self, base: str):
        self.base = base
        try:
            parts = urlsplit(base)
        except ValueError:
            parts = None
        self.scheme = parts.scheme.lower() if parts else ""
        self.origin = f"{parts.scheme}://{parts.netloc}" if parts and parts.netloc and self.scheme in ("http", "https") else ""
        # the base's directory, for path-relative hrefs (no fast path when the base has dot segments)
        path = parts.path if parts else ""
        self.directory = (self.origin + (path[: path.rindex("/") + 1] if "/" in path else "/")
                          if self.origin and "/." not in path else "")
        self.cache: dict[str, str | None] = {}

    def __call__(self, href: str) -> str | None:
        found = self.cache.get(href, False)
        if found is not False:
            return found
        self.cache[href] = url = self._resolve(href)
        return url

    def _resolve(self, href: str) -> str | None:
        href = _WHITESPACE.sub("", href)
        if not href or href.startswith("#") or _NOT_HTTP.match(href):
            return None
        lowered = href[:8].lower()
        if lowered.startswith(("http://", "https://")):
            start = href.index("//") + 2
            host = href[start:].split("/", 1)[0].split("?", 1)[0]
            if host and "[" not in host and "]" not in host:
                return href.split("#", 1)[0]
            return self._checked(href)  # empty host, or IPv6 brackets to validate
        if href.startswith("//"):
            return f"{self.scheme}:{href}".split("#", 1)[0] if self.scheme in ("http", "https") and len(href) > 2 else None
        if href.startswith("/") and "/." not in href and self.origin:
            return (self.origin + href).split("#", 1)[0]
        relative = href[2:] if href.startswith("./") else href
        directory = self.directory
        while relative.startswith("../") and directory:
            # one directory up; above the root stays at the root, as RFC 3986 resolution does
            parent = directory[: directory.rindex("/", 0, len(directory) - 1) + 1]
            directory = parent if len(parent) > len(self.origin) else self.origin + "/"
            relative = relative[3:]
        if (directory and relative and relative[0] not in "/?.#" and "/." not in relative
                and ":" not in relative.split("/", 1)[0]):
            return (directory + relative).split("#", 1)[0]
        try:
            url = urljoin(self.base, href)
        except ValueError:  # malformed, e.g. an unbalanced IPv6 bracket
            return None
        return self._checked(url)

    @staticmethod
    def _checked(url: str) -> str | None:
        try:
            parts = urlsplit(url)
            if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
                return None
        except ValueError:
            return None
        return url.split("#", 1)[0]


def page_base(doc, page_url: str) -> str:
    """The URL a page's relative links resolve against: its ``<base href>`` when it sets one."""
    for base in doc.iter("base"):
        href = (base.get("href") or "").strip()
        if href:
            try:
                return urljoin(page_url, href)
            except ValueError:
                return page_url
    return page_url
