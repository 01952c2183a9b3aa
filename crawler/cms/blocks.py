"""List structure found in a page's DOM, whatever the template: repeated sibling rows of document links.

A column's list is a run of sibling elements of one tag — ``ul/li``, ``table/tr``, ``dl/dd``, ``div`` rows,
bare ``a`` + ``span`` pairs — each holding one link to a document, usually with its date in the same row
(the link's own cell or a sibling cell). Navigation menus are runs of links too, so a run counts as a list
(``ListBlock.is_list``) only when its rows look like documents: dated rows, or long titles on document-like
URLs. Page chrome (nav, header, footer, 友情链接 …) never holds a list.

How a row is found: every candidate link marks its ancestors (up to ``_MAX_CLIMB`` levels); climbing from
the link, the row is the first ancestor whose parent has at least ``MIN_ROWS`` children of the same tag that
also hold a candidate link. So in ``<tr><td>1</td><td><a>…</a></td><td>date</td></tr>`` the row is the
``tr``, not the ``td`` (only one ``td`` of each row holds a link).

Works on lxml ``etree`` and ``lxml.html`` trees alike (uses only ``iter``, ``getparent``, ``itertext``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from crawler.cms.base import ListItem, list_items
from crawler.urls import Resolver, page_base

MIN_ROWS = 3
_MAX_CLIMB = 6
_MIN_TITLE = 4
_LONG_TITLE = 8
# dated rows: 2017-03-01, 2017/3/1, 2017年3月1日, 2017.03.01, and list-style 03-01 / [03-01]
_FULL_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_SHORT_DATE = re.compile(r"(?<![\d.:])(\d{1,2})\s*[-/月]\s*(\d{1,2})日?(?![\d:])")
_CHROME_TAGS = frozenset({"nav", "header", "footer", "form", "select", "option", "script", "style", "noscript"})
_CHROME_NAME = re.compile(
    r"nav|menu|header|footer|foot|bottom|banner|copyright|breadcrumb|crumb|position|location|yqlj|friend|"
    r"links?\b|topbar|toolbar|share|dqwz|weizhi|daohang|lanmu_nav|sitemap",
    re.IGNORECASE,
)
# Link texts that are page furniture, not document titles.
_FURNITURE = re.compile(r"^(?:更多|more|首页|上一页|下一页|尾页|末页|返回|打印|关闭|[<>«»›‹]+|\d+|\.{2,})$", re.I)
_DOCUMENT_URL = re.compile(r"\d{3,}|content|detail|article|art_|info|show|view|post", re.I)


@dataclass
class ListBlock:
    container: object  # the element holding the rows
    rows: list = field(default_factory=list)  # row elements, in page order
    entries: list[ListItem] = field(default_factory=list)  # one per row: its first document link
    dated: int = 0  # rows showing a date (full or 月-日)
    chrome: bool = False

    @property
    def long_titles(self) -> int:
        return sum(len(e.title) >= _LONG_TITLE for e in self.entries)

    @property
    def document_urls(self) -> int:
        return sum(bool(_DOCUMENT_URL.search(urlsplit(e.url).path + "?" + urlsplit(e.url).query))
                   for e in self.entries)

    @property
    def is_list(self) -> bool:
        """Rows that read as a column's entries: mostly dated, or long titles on document URLs."""
        n = len(self.entries)
        if self.chrome or n < MIN_ROWS:
            return False
        if self.dated >= MIN_ROWS and self.dated * 2 >= n:
            return True
        return n >= 5 and self.long_titles * 10 >= n * 8 and self.document_urls * 10 >= n * 8


def _visible_text(el) -> str:
    return " ".join("".join(el.itertext()).split())


def _is_chrome(el) -> bool:
    while el is not None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _CHROME_TAGS:
            return True
        names = f"{el.get('class') or ''} {el.get('id') or ''}"
        if names.strip() and _CHROME_NAME.search(names):
            return True
        el = el.getparent()
    return False


def row_date(text: str) -> tuple[str | None, bool]:
    """(ISO date when the row shows a full one, whether it shows any date at all)."""
    for m in _FULL_DATE.finditer(text):
        year, month, day = (int(g) for g in m.groups())
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}", True
    for m in _SHORT_DATE.finditer(text):
        if 1 <= int(m.group(1)) <= 12 and 1 <= int(m.group(2)) <= 31:
            return None, True
    return None, False


def _candidates(url: str, doc, resolve) -> list[tuple[object, str, str]]:
    page = url.split("#", 1)[0]
    out = []
    for a in doc.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith("#"):
            continue
        absolute = resolve(href)
        if absolute is None or absolute == page:
            continue
        title = " ".join(((a.get("title") or "").strip() or _visible_text(a)).split())
        if len(title) < _MIN_TITLE or _FURNITURE.match(title):
            continue
        out.append((a, absolute, title))
    return out


def list_blocks(url: str, doc, resolve=None) -> list[ListBlock]:
    """Every run of at least ``MIN_ROWS`` sibling rows holding a document link, in page order.
    ``resolve``: href → absolute URL (``crawler.urls.Resolver``; one is made for ``url`` when not given)."""
    if doc is None:
        return []
    if resolve is None:
        resolve = Resolver(page_base(doc, url))
    candidates = _candidates(url, doc, resolve)
    # element → candidate links below it (within _MAX_CLIMB levels). Elements themselves are the keys: an
    # lxml proxy's id() is only stable while the proxy is referenced.
    bearing: dict[object, int] = {}
    for a, _url, _title in candidates:
        node = a
        for _ in range(_MAX_CLIMB + 1):
            if node is None:
                break
            bearing[node] = bearing.get(node, 0) + 1
            node = node.getparent()
    same_tag_bearing: dict[tuple[object, str], int] = {}
    blocks: dict[object, ListBlock] = {}
    order: list[object] = []
    for a, absolute, title in candidates:
        node = a
        for _ in range(_MAX_CLIMB):
            parent = node.getparent()
            if parent is None:
                break
            key = (parent, node.tag)
            count = same_tag_bearing.get(key)
            if count is None:
                count = sum(1 for child in parent if child.tag == node.tag and child in bearing)
                same_tag_bearing[key] = count
            if count >= MIN_ROWS:
                block = blocks.get(parent)
                if block is None:
                    block = blocks[parent] = ListBlock(parent)
                    order.append(parent)
                if not block.rows or block.rows[-1] is not node:
                    if node in block.rows:
                        break
                    block.rows.append(node)
                    date, dated = row_date(_visible_text(node))
                    block.dated += dated
                    block.entries.append(ListItem(absolute, title, date))
                break
            node = parent
    out = []
    for key in order:
        block = blocks[key]
        if len(block.entries) >= MIN_ROWS:
            block.chrome = _is_chrome(block.container)
            out.append(block)
    return out



def entries_of(blocks: list[ListBlock]) -> list[ListItem]:
    """The entries of ``blocks`` that read as lists, in page order, each URL once."""
    items: list[ListItem] = []
    seen: set[str] = set()
    for block in blocks:
        if not block.is_list:
            continue
        for entry in block.entries:
            if entry.url not in seen:
                seen.add(entry.url)
                items.append(entry)
    return items


def block_items(url: str, doc) -> list[ListItem]:
    """List entries of a page known to be a list: its runs of rows, else its dated rows however few (a
    column holding one or two documents has no run of rows to find)."""
    return entries_of(list_blocks(url, doc)) or list_items(url, doc)
