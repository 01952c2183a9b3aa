"""A page's layout from the page itself: a list of documents, a document, or both.

The spider used to decide from the request (a link from a column is a document, a pager's target a list);
real templates break that: a column page may show its only article inline, a portal page is a list of
lists, a 指南 column shows the guide and lists older versions. ``page_layout`` reads the page:

- **list structure**: runs of sibling rows of document links (``crawler.cms.blocks``: ``ul/li``,
  ``table/tr``, ``dl/dd``, ``div`` rows, dates in the link's cell or a sibling cell), and the platforms'
  own list markers — a Hanweb ``<datastore>`` of records, a TRS ``createPageHTML(N, …)`` call, the
  Yueyang ``else if(num>N)`` page jump;
- **document text**: the visible text of the page's main element (``main_text.main_element``) outside
  links and outside the list rows.

A page with list structure and little document text is a ``list``; with both a ``both``; without list
structure a ``document``. The spider follows the entries of a list or both; the checks see the document of
a document or both, and never take a list page for a guide, report or policy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from crawler.cms.base import ListItem, list_items
from crawler.cms.blocks import entries_of, list_blocks

from .decoding import parse_html
from .main_text import main_element
from .text import INVISIBLE_TAGS, selector_index, short_raw_text

LAYOUTS = ("list", "document", "both")
# Visible characters of body text (outside links and list rows) that make a page a document.
DOCUMENT_MIN_CHARS = 150
# A list beside a document makes the page "both" when it is this long or sits inside the main element;
# shorter lists beside a document are its sidebar (相关文章, 热点).
BOTH_MIN_ENTRIES = 8
# A sibling of a list's rows, of their tag and at most this long, is one more row (an entry without a live link).
_ROW_MAX_CHARS = 200

_HANWEB_RECORDS = re.compile(r"<datastore>.*?<record>", re.S | re.I)
# two patterns, each starting with a literal (an alternation would scan the page character by character)
_TRS_PAGERS = (re.compile(r"createPageHTML\(\s*(?:[\"'][\w-]+[\"']\s*,\s*)?\d+\s*,\s*\d+\s*,"),
               re.compile(r"Pager\(\s*\{\s*size\s*:"))
_YUEYANG_PAGER = re.compile(r"else\s+if\s*\(\s*num\s*>\s*\d+\s*\)")
# A Hanweb column address: its list is written by the platform's script (jpage), not into the page.
_HANWEB_COLUMN = re.compile(r"/col/col\d+/(?:index\.html?)?$")


@dataclass
class Layout:
    layout: str  # one of LAYOUTS
    entries: list[ListItem] = field(default_factory=list)  # list entries (list and both)
    document_chars: int = 0
    reasons: list[str] = field(default_factory=list)  # Chinese, for ``zwgk inspect`` and kind reasons


def _inside(el, ancestor) -> bool:
    while el is not None:
        if el is ancestor:
            return True
        el = el.getparent()
    return False


def document_chars(main, skip: set) -> int:
    """Visible characters in ``main`` outside links, invisible elements and the ``skip`` subtrees."""
    if main is None:
        return 0
    total = 0
    stack = [main]
    while stack:
        el = stack.pop()
        tag = el.tag if isinstance(el.tag, str) else ""
        if el in skip or tag in INVISIBLE_TAGS or not tag:
            if el is not main and el.tail:
                total += len("".join(el.tail.split()))
            continue
        if tag != "a" and el.text:
            total += len("".join(el.text.split()))
        if el is not main and el.tail:
            total += len("".join(el.tail.split()))
        if tag != "a":
            stack.extend(el)
    return total


def page_layout(url: str, doc, main, text: str, resolve=None) -> Layout:
    """The layout of a parsed page (``doc``), its main element (``main``) and its decoded ``text``;
    ``resolve``: the page's href resolver (``crawler.extract.links.page_resolver``)."""
    blocks = [b for b in list_blocks(url, doc, resolve) if b.is_list]
    markers = []
    if _HANWEB_RECORDS.search(text):
        markers.append("大汉栏目数据（datastore）")
    if any(pager.search(text) for pager in _TRS_PAGERS):
        markers.append("TRS 分页脚本（createPageHTML）")
    if _YUEYANG_PAGER.search(text):
        markers.append("分页跳转脚本")
    if _HANWEB_COLUMN.search(url.split("?", 1)[0]):
        markers.append("大汉栏目页网址（/col/col…/）")
    rows = {row for b in blocks for row in b.rows}
    # a list's rows whose link is dead (href="javascript:;") are still rows, not document text
    rows.update(child for b in blocks for child in b.container
                if child.tag == b.rows[0].tag and child not in rows and short_raw_text(child, _ROW_MAX_CHARS) is not None)
    chars = document_chars(main, rows)
    entries = entries_of(blocks)
    if not blocks and not markers:
        few = list_items(url, doc) if chars < DOCUMENT_MIN_CHARS else []
        if few:  # a column holding one or two documents: dated rows and no text of its own
            return Layout("list", few, chars, [f"{len(few)} 条带日期的列表项，正文仅 {chars} 字"])
        return Layout("document", [], chars, [f"无列表结构，正文约 {chars} 字"])
    found = []
    if blocks:
        found.append(f"{len(entries)} 条列表项（{len(blocks)} 组重复的链接行）")
    found += markers
    listed = "、".join(found)
    if chars < DOCUMENT_MIN_CHARS:
        return Layout("list", entries, chars, [f"{listed}，正文仅 {chars} 字"])
    # A pager script on a page with a document and no list rows pages the document itself (long articles,
    # related-article widgets): the page is that document.
    if not blocks:
        return Layout("document", [], chars, [f"正文约 {chars} 字（页面有{listed}，但没有列表行）"])
    biggest = max(len(b.entries) for b in blocks)
    in_main = main is not None and any(_inside(b.container, main) for b in blocks)
    if in_main or biggest >= BOTH_MIN_ENTRIES:
        return Layout("both", entries, chars, [f"{listed}，另有正文约 {chars} 字"])
    return Layout("document", [], chars, [f"正文约 {chars} 字，旁边的 {len(entries)} 条链接为侧栏"])


def layout_of(url: str, text: str) -> Layout:
    """``page_layout`` of a decoded page that is not parsed yet (the spider's question: follow its entries?)."""
    doc = parse_html(text)
    if doc is None:
        return Layout("document", [], 0, ["页面为空"])
    return page_layout(url, doc, main_element(doc, selector_index(doc)), text)
