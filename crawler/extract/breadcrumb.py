"""The 当前位置 path (首页 > 政务公开 > 政策文件) and the column a page belongs to.

The breadcrumb is found by its marker text (当前位置 / 您现在的位置 / 所在位置 …), else by a container
class (``.position``, ``.breadcrumb``, ``.location``, ``.crumb``, ``.dqwz``, ``.path``). Steps are split on
the separators sites use (> >> » → / ＞ ›). The column is meta ColumnName when present, else the last step
that is not the page's own title or a generic word like 正文.
"""

from __future__ import annotations

import re

from .text import inline_text

_MARKER = re.compile(
    r"(?:您现在的位置|您当前的位置|您的当前位置|您的位置|当前位置|所在位置|现在位置)\s*[:：]?"
)
_CONTAINER_NAMES = (
    "position",
    "breadcrumb",
    "location",
    "crumb",
    "dqwz",
    "path",
    "weizhi",
)
_SEPARATORS = re.compile(r"\s*(?:>+|＞+|»|›|→|/)\s*")
_BLOCKS = ("td", "div", "p", "li", "nav", "span", "dd", "section")
_GENERIC_STEPS = frozenset(
    {"正文", "详情", "详细信息", "内容", "正文内容", "浏览文章", "文章内容"}
)
_MAX_BREADCRUMB_CHARS = 200


def _steps(text: str) -> list[str]:
    marker = _MARKER.search(text)
    if marker:
        text = text[marker.end() :]
    return [
        step
        for step in (s.strip(" :：\u3000") for s in _SEPARATORS.split(text))
        if step
    ]


def _marker_block(doc):
    for node in doc.xpath("//body//text()[contains(., '位置')]"):
        if not _MARKER.search(node):
            continue
        el = node.getparent()
        while el is not None and (
            el.tag not in _BLOCKS or len(_steps(inline_text(el))) < 1
        ):
            el = el.getparent()
        if el is not None:
            return el
    return None


def breadcrumb(doc, index: dict[str, list]) -> list[str]:
    """Breadcrumb steps, outermost first; empty when the page shows none (``index``: ``text.selector_index``)."""
    candidates = [_marker_block(doc)]
    for name in _CONTAINER_NAMES:
        candidates += index.get("." + name, []) + index.get("#" + name, [])
    for el in candidates:
        if el is None:
            continue
        text = inline_text(el)
        if len(text) > _MAX_BREADCRUMB_CHARS:
            continue
        steps = _steps(text)
        if steps:
            return steps
    return []


def _names_the_page(step: str, title: str) -> bool:
    """A detail page's breadcrumb often ends with its own title, whole or cut short with "..."."""
    if step == title or step in _GENERIC_STEPS:
        return True
    stem = step.rstrip(".…")
    return bool(title) and stem != step and len(stem) >= 4 and title.startswith(stem)


def page_column(
    meta: dict[str, str], steps: list[str], title: str, *, role: str = "detail"
) -> str | None:
    """meta ColumnName, else the last breadcrumb step; on detail pages, skipping steps that name the page."""
    column = meta.get("columnname", "").strip()
    if column:
        return column
    for step in reversed(steps):
        if role in ("list", "root") or not _names_the_page(step, title):
            return step
    return None
