"""The Yueyang-area platform (miluo.gov.cn, pingjiang.gov.cn): numeric column paths.

Lists are ``…/25221/25222/default.htm`` (or ``index.htm``), further pages ``default_{n}.htm``; the page
count sits in the page-jump script as ``else if(num>N)``. Articles are ``content_<id>.html``
(domain.md §6); an article page off the numeric paths is recognised by its uploads
(``/uploadfiles/YYYYMM/``) or Miluo's article markup (``wznr_mess``, ``xxgk_view``). Which number the second
page carries is not verified on a live site: a page that links ``default_1.htm`` numbers from 1 (second
page = ``_1``), otherwise the second page is ``_2``.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from crawler.cms.base import ListPage, PageRange, list_items, parse_html

NAME = "yueyang"

_PAGE_COUNT = re.compile(r"else\s+if\s*\(\s*num\s*>\s*(\d+)\s*\)")
_LIST_LEAF = re.compile(r"^(default|index)(?:_(\d+))?\.html?$")
ARTICLE = re.compile(r"/content_\d+\.html?(?:$|[?#])")
_NUMERIC_PATH = re.compile(r"^/(?:\d+/)+(?:(?:default|index)(?:_\d+)?\.html?|content_\d+\.html?)?$")
_UPLOADS = re.compile(r"/uploadfiles/\d{6}/")
_ARTICLE_MARKUP = ("wznr_mess", "xxgk_view")


def detect(url: str, text: str) -> bool:
    text = text or ""
    path = urlsplit(url).path
    numeric = bool(_NUMERIC_PATH.match(path))
    article = ARTICLE.search(path) is not None
    return (
        bool(_PAGE_COUNT.search(text))
        or (numeric and ("content_" in text or article))
        or (article and (_UPLOADS.search(text) is not None or any(m in text for m in _ARTICLE_MARKUP)))
    )


def parse_list(url: str, text: str, form: dict | None = None) -> ListPage:
    text = text or ""
    doc = parse_html(text)
    page = ListPage(items=list_items(url, doc, ARTICLE))
    m = _PAGE_COUNT.search(text)
    if not m:
        return page
    count = int(m.group(1))
    page.page_count = count
    leaf = urlsplit(url).path.rsplit("/", 1)[-1]
    lm = _LIST_LEAF.match(leaf)
    stem = lm.group(1) if lm else "default"
    ext = leaf.rsplit(".", 1)[-1] if lm else "htm"
    from_one = re.search(rf"{stem}_1\.{ext}\b", text) is not None
    current = int(lm.group(2)) if lm and lm.group(2) else (0 if from_one else 1)
    # page number p (1-based) lives at stem_{p-1} when numbering from 1, else stem_{p}
    first = current + 1 if from_one else max(current, 1) + 1
    numbers = range(first, count) if from_one else range(first, count + 1)
    page.next_requests = PageRange(numbers, lambda n: urljoin(url, f"{stem}_{n}.{ext}"))
    return page
