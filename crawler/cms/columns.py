"""Column discovery: what a link on a disclosure root or a list page points to, judged from its URL.

``link_kind(url, text)`` says ``attachment`` (a file), ``article`` (a platform's article URL), ``column``
(a list page: a folder, ``index.html`` / ``default.htm``, Hanweb ``/col/col{ID}/``, a link labelled 更多 or
信息公开目录) or ``page`` (anything else — the spider fetches it and decides from its content).
``page_links`` applies it to every anchor of a page. Scope is the spider's business, not this module's.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.cms import hanweb, trs, yueyang
from crawler.cms.base import anchors, parse_html

ATTACHMENT_EXTS = frozenset(
    "pdf doc docx xls xlsx wps et dps ppt pptx ofd zip rar 7z txt rtf csv".split()
)
_ATTACHMENT_PATH = re.compile(r"/downfile\.jsp$|/download\.(?:jsp|php|aspx?)$", re.I)
_COLUMN_LEAF = re.compile(r"^(?:index|default|list|more)(?:_\d+)?\.(?:s?html?|jsp|php|aspx?)$", re.I)
_COLUMN_PATH = re.compile(r"/col/col\d+/?(?:index\.html?)?$")
_ARTICLES = (trs.ARTICLE, hanweb.ARTICLE, yueyang.ARTICLE, re.compile(r"/gkmlpt/content/\d+/\d+/post_\d+\.html"))
# link labels that name a column (信息公开目录, 法定主动公开内容, more …)
COLUMN_WORDS = ("更多", "more", "信息公开目录", "公开目录", "主动公开", "公开内容", "栏目")


def extension(url: str) -> str:
    leaf = urlsplit(url).path.rsplit("/", 1)[-1]
    return leaf.rsplit(".", 1)[-1].lower() if "." in leaf else ""


def is_attachment(url: str) -> bool:
    return extension(url) in ATTACHMENT_EXTS or bool(_ATTACHMENT_PATH.search(urlsplit(url).path))


def link_kind(url: str, text: str = "") -> str:
    if is_attachment(url):
        return "attachment"
    parts = urlsplit(url)
    if any(p.search(parts.path) for p in _ARTICLES):
        return "article"
    leaf = parts.path.rsplit("/", 1)[-1]
    if not leaf or _COLUMN_LEAF.match(leaf) or _COLUMN_PATH.search(parts.path):
        return "column"
    label = (text or "").strip().lower()
    if any(w in label for w in COLUMN_WORDS):
        return "column"
    return "page"


def page_links(url: str, text: str) -> list[tuple[str, str, str]]:
    """(absolute URL, anchor text, kind) for each anchor of the page, in page order, first occurrence."""
    seen: set[str] = set()
    out = []
    for absolute, label, _a in anchors(url, parse_html(text)):
        if absolute in seen:
            continue
        seen.add(absolute)
        out.append((absolute, label, link_kind(absolute, label)))
    return out
