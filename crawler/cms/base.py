"""What every CMS adapter returns, and the HTML helpers they share.

An adapter is a module with two pure functions over a page's URL and its *decoded* text (decode once, with
w3lib / Scrapy — never hand raw GBK bytes to a parser):

- ``detect(url, text) -> bool``: does this page come from the adapter's platform?
- ``parse_list(url, text, form=None) -> ListPage``: the list items on the page and where the column's
  further list pages are. ``form`` is the form data a POST list request was sent with (Hanweb's
  ``dataproxy.jsp`` answers do not repeat it, and the next group needs it).

Further pages are *described*, never listed: a pager that declares 100,000 pages (``createPageHTML(100000,
…)``, a 尾页 link to ``index_99999.html``, a Hanweb total of millions of records) is a ``PageRange`` of
that length whose URLs are made one at a time when the spider asks for them, so a page's claim costs
nothing until its pages are really requested.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from crawler.record import ListEntry as ListItem  # a list page's entry: url, title, the date the list shows


@dataclass(frozen=True)
class PostRequest:
    """A list page that is fetched by POST (Hanweb jpage): the URL with its query, and the form fields."""

    url: str
    formdata: tuple[tuple[str, str], ...]

    def form(self) -> dict[str, str]:
        return dict(self.formdata)


class PageRange(Sequence):
    """A column's further list pages as a description: page numbers (a ``range``) and how to make the request
    of one number. A ``Sequence`` whose items are made on access; equal to a list of the same requests."""

    __slots__ = ("numbers", "build")

    def __init__(self, numbers: range, build: Callable[[int], "str | PostRequest"]):
        self.numbers = numbers
        self.build = build

    def __len__(self) -> int:
        return len(self.numbers)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self.build(n) for n in self.numbers[index]]
        return self.build(self.numbers[index])

    def __eq__(self, other) -> bool:
        if isinstance(other, PageRange):
            other = list(other)
        return isinstance(other, (list, tuple)) and len(other) == len(self) and list(self) == list(other)

    def __repr__(self) -> str:
        if not self.numbers:
            return "PageRange([])"
        return f"PageRange({len(self)} pages: {self[0]!r} … {self[-1]!r})"


@dataclass
class ListPage:
    items: list[ListItem] = field(default_factory=list)
    # further list pages of the same column, in page order: URLs (GET) or POST specs, as a list or a PageRange
    next_requests: Sequence[str | PostRequest] = field(default_factory=list)
    page_count: int | None = None  # total pages of the column when the page states it


_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_DATE = re.compile(r"((?:19|20)\d{2})\s*(?:[-/.年])\s*(\d{1,2})\s*(?:[-/.月])\s*(\d{1,2})")


def parse_html(text: str):
    """An lxml tree of ``text`` (already decoded), or None when there is nothing to parse."""
    if not text or not text.strip():
        return None
    try:
        return lxml.html.document_fromstring(_XML_DECL.sub("", text, count=1))
    except (etree.ParserError, ValueError):
        return None


def base_url(url: str, doc) -> str:
    if doc is not None:
        for href in doc.xpath("//base/@href")[:1]:
            return urljoin(url, href.strip())
    return url


def anchors(url: str, doc) -> list[tuple[str, str, object]]:
    """(absolute href, text, element) for every ``<a href>``; hrefs are resolved, not yet filtered."""
    if doc is None:
        return []
    base = base_url(url, doc)
    out = []
    for a in doc.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith("#"):
            continue
        try:
            absolute = urljoin(base, href)
        except ValueError:  # e.g. an invalid IPv6 netloc
            continue
        text = " ".join("".join(a.itertext()).split())
        out.append((absolute, text, a))
    return out


def find_date(text: str) -> str | None:
    """The first full date (2017-03-01, 2017/3/1, 2017年3月1日, 2017.03.01) in ``text`` as ISO."""
    for m in _DATE.finditer(text or ""):
        year, month, day = (int(g) for g in m.groups())
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
    return None


_ROW_TAGS = {"li", "tr", "dd", "dt", "p"}


def _row(a):
    node = a.getparent()
    for _ in range(4):
        if node is None:
            return None
        if node.tag in _ROW_TAGS:
            return node
        node = node.getparent()
    return None


def list_items(url: str, doc, href: re.Pattern | None = None, *, min_title: int = 4) -> list[ListItem]:
    """List entries of a page: anchors whose href matches ``href`` (an article-URL pattern) or, without a
    pattern, anchors in a list row (li / tr / dd …) that also shows a full date. Titles prefer the
    ``title`` attribute (lists cut long titles with …)."""
    items: list[ListItem] = []
    seen: set[str] = set()
    for absolute, text, a in anchors(url, doc):
        if absolute in seen or not absolute.startswith(("http://", "https://")):
            continue
        row = _row(a)
        row_text = " ".join("".join(row.itertext()).split()) if row is not None else ""
        date = find_date(row_text)
        if href is not None:
            if not href.search(absolute):
                continue
        elif date is None or len(text) < min_title:
            continue
        title = (a.get("title") or "").strip() or text
        seen.add(absolute)
        items.append(ListItem(absolute, title, date))
    return items
