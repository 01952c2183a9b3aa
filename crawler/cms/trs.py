"""TRS WCM (拓尔思): list pages ``index.html``, ``index_1.html`` … ``index_{N-1}.html``.

The page count is written into the page as a call of the pager function, in one of three forms seen on
real sites:

- ``createPageHTML(21, 0, "index", "html")``: count, current index from 0, page name, extension; page ``i``
  (from 0) is ``index_i.html`` (the classic WCM template);
- ``createPageHTML('page_div', 20, 1, 'xwzx_list', 'shtml', 383)``: the pager's element, count, current
  page from 1, name, extension, records; page ``n`` (from 1) is ``xwzx_list_n.shtml`` (the Sichuan
  intensive platform, edu.sc.gov.cn);
- ``Pager({size: 3, current: 0, prefix: 'index', suffix: 'html'})``: like the first (jls.jlforestry.gov.cn);

or as ``var countPage = 21`` with ``currentPage``. The further pages are a ``PageRange`` (the count may be a
lie: 100000). Articles are ``./YYYYMM/tYYYYMMDD_<id>.html`` beside the list (domain.md §6).
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
_CREATE_PAGE_IN = re.compile(
    r"createPageHTML\(\s*[\"'][\w-]+[\"']\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"']([\w/-]+)[\"']\s*,\s*[\"'](\w+)[\"']"
)
# Patterns start with their literal (no leading \b: it would make each search scan the page character by
# character); ``_word`` checks the word boundary on the match.
_PAGER_CALL = re.compile(r"Pager\(\s*\{([^{}]*)\}\s*\)")
_PAGER_FIELD = re.compile(r"(\w+)\s*:\s*[\"']?([\w-]+)")
_COUNT_PAGE = re.compile(r"countPage\s*=\s*(\d+)")
_CURRENT_PAGE = re.compile(r"currentPage\s*=\s*(\d+)")

ARTICLE = re.compile(r"/t(?:19|20)\d{6}_\d+\.s?html?(?:$|[?#])")
_URL_DATE = re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_\d+\.")
_FINGERPRINTS = ("/wcm/app/js", "0;URL=/wcm", "WCM置标", "TRS_Editor", "trs_editor", "TRS_UEDITOR")


def _word(pattern: re.Pattern, text: str) -> re.Match | None:
    """The first match of ``pattern`` that starts a word (not ``myPager(``, ``xcountPage``)."""
    for m in pattern.finditer(text):
        if m.start() == 0 or not (text[m.start() - 1].isalnum() or text[m.start() - 1] == "_"):
            return m
    return None


def detect(url: str, text: str) -> bool:
    text = text or ""
    return bool(
        _CREATE_PAGE.search(text)
        or _CREATE_PAGE_IN.search(text)
        or _word(_PAGER_CALL, text)
        or _word(_COUNT_PAGE, text)
        or any(f in text for f in _FINGERPRINTS)
        or ARTICLE.search(url)
    )


def _pager(url: str, text: str) -> tuple[int, int, str, str, int] | None:
    """(page count, current index from 0, page name, extension, number of page index 1 minus 1)."""
    m = _CREATE_PAGE.search(text)
    if m:
        return int(m.group(1)), int(m.group(2)), m.group(3), m.group(4), 0
    m = _CREATE_PAGE_IN.search(text)
    if m:
        current = max(int(m.group(2)) - 1, 0)
        return int(m.group(1)), current, m.group(3).rsplit("/", 1)[-1], m.group(4), 1
    m = _word(_PAGER_CALL, text)
    if m:
        fields = dict(_PAGER_FIELD.findall(m.group(1)))
        if fields.get("size", "").isdigit():
            current = int(fields["current"]) if fields.get("current", "").isdigit() else 0
            return int(fields["size"]), current, fields.get("prefix", "index"), fields.get("suffix", "html"), 0
    m = _word(_COUNT_PAGE, text)
    if not m:
        return None
    current = _word(_CURRENT_PAGE, text)
    leaf = url.rsplit("/", 1)[-1].split("?")[0]
    stem = re.match(r"^([\w-]+?)(?:_\d+)?\.(\w+)$", leaf)
    name, ext = (stem.group(1), stem.group(2)) if stem else ("index", "html")
    return int(m.group(1)), int(current.group(1)) if current else 0, name, ext, 0


def page_url(url: str, index: int, name: str = "index", ext: str = "html", shift: int = 0) -> str:
    """The list page with zero-based ``index`` of the column that ``url`` (any of its pages) belongs to;
    ``shift`` 1 where the second page is ``name_2`` rather than ``name_1``."""
    leaf = f"{name}.{ext}" if index == 0 else f"{name}_{index + shift}.{ext}"
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
    count, current, name, ext, shift = pager
    page.page_count = count
    page.next_requests = PageRange(range(current + 1, count), lambda i: page_url(url, i, name, ext, shift))
    return page
