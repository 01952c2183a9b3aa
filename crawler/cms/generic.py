"""Any other site: pagers written as links — 下一页 (next), 尾页 / 末页 (last) — with page numbers in the
URL (``?page=N``, ``index_N.html``, ``list_3.htm`` …). The fallback adapter: it always detects.

When the next and the last link differ in exactly one number, the pages between them are a ``PageRange``
(described, made one at a time by the spider, however far the 尾页 link points); otherwise the next link
is followed one page at a time. A pager written by a script leaves no such links; some CMSs then link every
page from a hidden block for search engines (``index.html`` → ``index_958_1.html`` … ``index_958_199.html``,
with ``maxPageNum = 199`` in the script): a run of three or more such numbered copies of the list page in its
own folder is the range from the lowest number to the highest. List
entries are the page's list structure (``crawler.cms.blocks``: runs of dated rows, or of long titles on
document URLs).
"""

from __future__ import annotations

import re

from crawler.cms.base import ListPage, PageRange, anchors, parse_html
from crawler.cms.blocks import block_items

NAME = "generic"

NEXT_TEXTS = ("下一页", "下页", "后一页", "下一頁", "next", ">", "›", "»")
LAST_TEXTS = ("尾页", "末页", "最后一页", "尾頁", "last")
_TOTAL_PAGES = re.compile(r"共\s*(\d+)\s*页")
_NUMBER = re.compile(r"\d+")
_MAX_PAGE_NUM = re.compile(r"\bmaxPageNum\s*=\s*(\d+)\s*;")
_MIN_SIBLINGS = 3


def detect(url: str, text: str) -> bool:
    return True


def _pager_link(url: str, doc, texts: tuple[str, ...]) -> str | None:
    for absolute, text, a in anchors(url, doc):
        label = (text or a.get("title") or "").strip().lower()
        if label in texts and absolute.startswith(("http://", "https://")) and absolute != url:
            return absolute
    return None


def _numbered_range(next_url: str, last_url: str) -> PageRange | None:
    """URLs from ``next_url`` to ``last_url`` when they differ in exactly one number."""
    a, b = _NUMBER.split(next_url), _NUMBER.split(last_url)
    na, nb = _NUMBER.findall(next_url), _NUMBER.findall(last_url)
    if a != b or len(na) != len(nb):
        return None
    diff = [i for i, (x, y) in enumerate(zip(na, nb)) if x != y]
    if len(diff) != 1:
        return None
    i = diff[0]
    first, last = int(na[i]), int(nb[i])
    if last < first:
        return None

    def build(n: int) -> str:
        numbers = list(na)
        numbers[i] = str(n)
        return "".join(part + (numbers[k] if k < len(numbers) else "") for k, part in enumerate(a))

    return PageRange(range(first, last + 1), build)


def _sibling_pages(url: str, doc) -> PageRange | None:
    """Links to numbered copies of the list page in its own folder (``…/index_958_N.html``) as a range."""
    folder, _, name = url.split("#")[0].split("?")[0].rpartition("/")
    stem = name.rpartition(".")[0] if "." in name else (name or "index")
    shape = re.compile(re.escape(f"{folder}/{stem}") + r"((?:_\d+)*_)(\d+)(\.s?html?)$")
    runs: dict[tuple[str, str], set[int]] = {}
    for absolute, _text, _a in anchors(url, doc):
        match = shape.match(absolute)
        if match:
            runs.setdefault((match.group(1), match.group(3)), set()).add(int(match.group(2)))
    if not runs:
        return None
    (infix, ext), numbers = max(runs.items(), key=lambda run: len(run[1]))
    if len(numbers) < _MIN_SIBLINGS:
        return None
    return PageRange(range(min(numbers), max(numbers) + 1), lambda n: f"{folder}/{stem}{infix}{n}{ext}")


def parse_list(url: str, text: str, form: dict | None = None) -> ListPage:
    doc = parse_html(text)
    page = ListPage(items=block_items(url, doc))
    total = _TOTAL_PAGES.search(text or "")
    if total:
        page.page_count = int(total.group(1))
    else:  # the script starts from "maxPageNum=0;" and then sets the count
        declared = [int(n) for n in _MAX_PAGE_NUM.findall(text or "")]
        page.page_count = max(declared) if any(declared) else None
    next_url = _pager_link(url, doc, NEXT_TEXTS)
    if next_url is None:
        siblings = _sibling_pages(url, doc)
        if siblings is not None:
            page.next_requests = siblings
        return page
    last_url = _pager_link(url, doc, LAST_TEXTS)
    pages = _numbered_range(next_url, last_url) if last_url else None
    page.next_requests = pages or [next_url]
    return page
