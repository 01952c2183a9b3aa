"""A page's title, from the most to the least deliberate place a site writes it.

Order: meta ArticleTitle; the article heading (``h1.content_title``/``.content_title``, ``h2.xxgk_view``,
other title classes, then a plain ``h1`` that is not the site logo); the metadata table's 标题/名称; and
last ``<title>`` with the site-name suffix cut off ("关于…的通知_汨罗市人民政府" → "关于…的通知").
"""

from __future__ import annotations

import re

from .text import inline_text, raw_text

# Title elements, most specific first; "h2.xxgk_view" only counts on an h2.
_HEADING_SELECTORS = (
    ".content_title",
    ".xxgk_view",
    ".article-title",
    ".article_title",
    "#ivs_title",
    "#title",
)
# Separators between an article title and the site or column name in <title>. A double dash (——) is
# part of many real titles and is not a separator.
_TITLE_SUFFIX = re.compile(r"\s*(?:_|\||｜|\s[-–—－]\s|(?<!—)—(?!—)|--)\s*")
_MAX_TITLE_CHARS = 300


def _heading_title(doc, index: dict[str, list], site_name: str) -> str:
    for selector in _HEADING_SELECTORS + ("h1",):
        elements = doc.iter("h1") if selector == "h1" else index.get(selector, ())
        for el in elements:
            if selector == ".xxgk_view" and el.tag != "h2":
                continue
            text = inline_text(el)
            if text and text != site_name and len(text) <= _MAX_TITLE_CHARS:
                return text
    return ""


def strip_site_suffix(title: str, site_name: str = "") -> str:
    """ "标题_汨罗市人民政府" → "标题"; a title without a separator is returned whole."""
    parts = [p for p in _TITLE_SUFFIX.split(title.strip()) if p.strip()]
    if site_name:
        parts = [p for p in parts if p.strip() != site_name] or parts
    return parts[0].strip() if parts else ""


def page_title(
    doc, index: dict[str, list], meta: dict[str, str], metadata: dict[str, str]
) -> str:
    site_name = meta.get("sitename", "").strip()
    candidates = (
        meta.get("articletitle", "").strip(),
        _heading_title(doc, index, site_name),
        metadata.get("标题", ""),
    )
    for candidate in candidates:
        if candidate:
            return candidate
    title_el = doc.find(".//title")
    return (
        strip_site_suffix(inline_text_of_title(title_el), site_name)
        if title_el is not None
        else ""
    )


def inline_text_of_title(title_el) -> str:
    """``<title>`` text (block_text skips <title> as invisible, so read it directly)."""
    return " ".join(raw_text(title_el).split())
