"""CMS adapters: list pages and their pagination, one module per platform, plus this registry.

``ADAPTERS`` is tried in order; the first whose ``detect`` accepts a page parses it, and ``generic``
(which always accepts) comes last. The spider asks ``adapter_for`` once per list page and remembers the
answer for the column, so later pages (e.g. Hanweb's XML groups) use the same adapter.

The adapters' ``detect`` is the one CMS detector: ``detect_cms`` names the platform of any page (the page
record's ``cms``, a hint for reports and ``zwgk inspect``, not a fact checks rely on) the same way.
"""

from __future__ import annotations

from types import ModuleType

from crawler.cms import generic, hanweb, trs, yueyang
from crawler.cms.base import ListItem, ListPage, PostRequest, parse_html
from crawler.cms.blocks import block_items

ADAPTERS: tuple[ModuleType, ...] = (hanweb, trs, yueyang, generic)
BY_NAME: dict[str, ModuleType] = {a.NAME: a for a in ADAPTERS}

__all__ = ["ADAPTERS", "BY_NAME", "ListItem", "ListPage", "PostRequest", "adapter_for", "detect_cms", "parse_list"]


def adapter_for(url: str, text: str) -> ModuleType:
    for adapter in ADAPTERS:
        if adapter.detect(url, text):
            return adapter
    return generic


def detect_cms(url: str, text: str) -> str:
    """``hanweb`` | ``trs`` | ``yueyang`` | ``generic``: the platform that made a page (its URL and decoded HTML)."""
    return adapter_for(url, text).NAME


def parse_list(url: str, text: str, form: dict | None = None, cms: str | None = None) -> tuple[str, ListPage]:
    """(adapter name, parsed list page); ``cms`` forces an adapter by name (the column's earlier answer).

    A platform adapter that finds neither items nor further pages hands the page to ``generic``. When the
    adapter's article-URL patterns find no entries (templates whose articles live elsewhere, newer TRS
    templates), the entries are the page's list structure (``crawler.cms.blocks``) and the pager stays
    the adapter's.
    """
    adapter = BY_NAME.get(cms) if cms else adapter_for(url, text)
    adapter = adapter or generic
    page = adapter.parse_list(url, text, form)
    if adapter is not generic and not page.items and not page.next_requests:
        fallback = generic.parse_list(url, text, form)
        if fallback.items or fallback.next_requests:
            return generic.NAME, fallback
    if not page.items and adapter is not generic:
        page.items = block_items(url, parse_html(text))
    return adapter.NAME, page

