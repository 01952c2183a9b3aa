"""TRS WCM (拓尔思): list pages ``index.html``, ``index_1.html`` … ``index_{N-1}.html``.

The page count is written into the page as a call of the pager function, ``createPageHTML(21, 0, "index",
"html")`` (count, current index from 0, page name, extension), or as ``var countPage = 21`` with
``currentPage``. The further pages are a ``PageRange`` (the count may be a lie: 100000). Articles are
``./YYYYMM/tYYYYMMDD_<id>.html`` beside the list (domain.md §6).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from crawler.cms.base import ListPage, PageRange, list_items, parse_html

NAME = "trs"

# a call with literal arguments, not the pager's own ``function createPageHTML(_nPageCount, …)``
_CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"']([\w-]+)[\"']\s*,\s*[\"'](\w+)[\"']\s*\)"
)
_COUNT_PAGE = re.compile(r"\bcountPage\s*=\s*(\d+)")
_CURRENT_PAGE = re.compile(r"\bcurrentPage\s*=\s*(\d+)")
ARTICLE = re.compile(r"/t(?:19|20)\d{6}_\d+\.s?html?(?:$|[?#])")
_URL_DATE = re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_\d+\.")
_FINGERPRINTS = ("/wcm/app/js", "0;URL=/wcm", "TRS_Editor", "trs_editor")


def detect(url: str, text: str) -> bool:
    text = text or ""
    return bool(
        _CREATE_PAGE.search(text)
        or _COUNT_PAGE.search(text)
        or any(f in text for f in _FINGERPRINTS)
        or ARTICLE.search(url)
    )


def _pager(url: str, text: str) -> tuple[int, int, str, str] | None:
    m = _CREATE_PAGE.search(text)
    if m:
        return int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
    m = _COUNT_PAGE.search(text)
    if not m:
        return None
    current = _CURRENT_PAGE.search(text)
    leaf = url.rsplit("/", 1)[-1].split("?")[0]
    stem = re.match(r"^([\w-]+?)(?:_\d+)?\.(\w+)$", leaf)
    name, ext = (stem.group(1), stem.group(2)) if stem else ("index", "html")
    return int(m.group(1)), int(current.group(1)) if current else 0, name, ext


def page_url(url: str, index: int, name: str = "index", ext: str = "html") -> str:
    """The list page with zero-based ``index`` of the column that ``url`` (any of its pages) belongs to."""
    leaf = f"{name}.{ext}" if index == 0 else f"{name}_{index}.{ext}"
    return urljoin(url, leaf)


def parse_list(url: str, text: str, form: dict | None = None) -> ListPage:
    doc = parse_html(text)
    # a column's own articles sit in month folders under it; sidebars link other columns' articles
    folder = urljoin(url, "./")
    page = ListPage(items=[i for i in list_items(url, doc, ARTICLE) if i.url.startswith(folder)])
    for item in page.items:  # lists often show only 月-日; the article URL carries the full date
        if item.date is None:
            m = _URL_DATE.search(item.url)
            item.date = f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else None
    pager = _pager(url, text or "")
    if pager is None:
        return page
    count, current, name, ext = pager
    page.page_count = count
    page.next_requests = PageRange(range(current + 1, count), lambda i: page_url(url, i, name, ext))
    return page
