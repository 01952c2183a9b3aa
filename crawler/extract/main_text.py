"""The page's main text: the CMS body container when there is one, else the densest text block.

CMS containers (domain.md §6, §8) are more reliable than generic boilerplate removal, which keeps sidebar
link lists on typical gov templates. The first container with text wins, in ``BODY_SELECTORS`` order
(specific before generic: ``#content_box`` before ``.content``). Without one, the block with the most
non-link text outside navigation, header and footer (by tag, class/id, or 版权所有/ICP备 text) is taken.
"""

from __future__ import annotations

import re

from .text import INVISIBLE_TAGS, has_text

BODY_SELECTORS = (
    ".TRS_Editor",
    ".TRS_UEDITOR",
    "#zoom",
    "#Zoom",
    "#content_box",
    "#UCAP-CONTENT",
    ".article-content",
    ".bt_content",
    ".wznr",
    ".zw",
    "#content",
    ".content",
)

# Page chrome: never the main text.
_CHROME_TAGS = frozenset({"nav", "header", "footer", "aside", "form"})
_CHROME_NAME = re.compile(
    r"nav|menu|header|footer|foot|banner|copyright|sidebar|breadcrumb|position|crumb",
    re.IGNORECASE,
)
_SCORED_BLOCKS = frozenset({"div", "td", "article", "section", "main", "body"})
_MIN_FALLBACK_CHARS = 20
# Footer blocks carry these; a block whose own text has one is the site footer, not the page's text.
_FOOTER_TEXT = re.compile(r"版权所有|ICP备|Copyright|©")
_FOOTER_MAX_CHARS = 500


def body_container(index: dict[str, list]):
    """The CMS body element holding the page's text, or None (``index``: ``text.selector_index``)."""
    for selector in BODY_SELECTORS:
        for el in index.get(selector, ()):
            if has_text(el):
                return el
    return None


def _is_chrome(el) -> bool:
    if el.tag in _CHROME_TAGS:
        return True
    names = f"{el.get('class', '')} {el.get('id', '')}"
    return bool(names.strip()) and bool(_CHROME_NAME.search(names))


def densest_block(doc):
    """The block element owning the most visible non-link text outside page chrome, or None."""
    body = doc.find(".//body")
    if body is None:
        return None
    scores: dict[object, int] = {}
    # Walk with the nearest scored block and whether we are inside chrome or a link.
    stack = [(body, body, False)]
    while stack:
        el, block, excluded = stack.pop()
        if not isinstance(el.tag, str) or el.tag in INVISIBLE_TAGS:
            continue
        excluded = excluded or _is_chrome(el)
        in_link = el.tag == "a"
        if el.tag in _SCORED_BLOCKS:
            block = el
        if not excluded and not in_link and el.text and el.text.strip():
            scores[block] = scores.get(block, 0) + len(el.text.strip())
        for child in el:
            if not excluded and child.tail and child.tail.strip():
                scores[block] = scores.get(block, 0) + len(child.tail.strip())
            stack.append((child, block, excluded or in_link))
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    for block, score in ranked:
        if score < _MIN_FALLBACK_CHARS:
            break
        own = _own_text(block)
        # a footer is short; a long block that ends with the footer lines (old one-table layouts) is the text
        if len(own) >= _FOOTER_MAX_CHARS or not _FOOTER_TEXT.search(own):
            return block
    return None


def _own_text(block) -> str:
    """Text of ``block`` outside its nested scored blocks (what its score counted)."""
    parts = [block.text or ""]
    for el in block.iterdescendants():
        if el.tag in _SCORED_BLOCKS:
            continue
        parts.append(el.text or "")
        parts.append(el.tail or "")
    return "".join(parts)


def main_element(doc, index: dict[str, list]):
    """The element whose text is the page's main text (container first, densest block second)."""
    container = body_container(index)
    return container if container is not None else densest_block(doc)
