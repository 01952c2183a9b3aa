"""Readable text out of an lxml tree: block elements become line breaks, scripts and styles vanish.

``lxml``'s ``text_content()`` glues paragraphs together ("…通知各乡镇…"), which breaks label and date
searches that rely on line ends. Every extractor that needs an element's visible text uses ``block_text``.
"""

from __future__ import annotations

import re

from lxml import etree

# Elements whose start and end break a line when rendered.
BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "center",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tfoot",
        "tr",
        "ul",
    ]
)
# Elements whose content is never visible text.
INVISIBLE_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "head",
        "title",
        "object",
        "embed",
        "select",
        "option",
    ]
)

_SPACES = re.compile(r"[ \t\r\f\v\xa0]+")


def raw_text(el) -> str:
    """All text under ``el`` glued together (scripts included): a fast length or keyword pre-filter only."""
    return "".join(el.itertext())


def short_raw_text(el, limit: int) -> str | None:
    """``raw_text(el)`` when it is at most ``limit`` characters, else None — read only until the limit is
    passed, so asking it of every nested wrapper of a page does not re-read the whole page at each level."""
    parts: list[str] = []
    size = 0
    for piece in el.itertext():
        size += len(piece)
        if size > limit:
            return None
        parts.append(piece)
    return "".join(parts)


def clean_inline(text: str) -> str:
    """Collapse runs of spaces (incl. no-break spaces and newlines) and trim, keeping ideographic spaces inside."""
    return _SPACES.sub(" ", text.replace("\n", " ")).strip(" \u3000")


def block_text(root, skip: frozenset = frozenset(), *, images: bool = False) -> str:
    """Visible text of ``root``: one line per block, each line trimmed, empty lines dropped.

    ``skip`` holds elements whose subtrees are left out (e.g. the main body when searching the page chrome).
    ``images`` writes each ``<img>`` as ``[图片]`` or ``[图片:alt]``, so page understanding can tell a value
    shown only as a picture (a scanned table cell) from a missing one.
    Iterative, so deeply nested malformed pages cannot exhaust the recursion limit.
    """
    return _texts(root, skip, None, images)[0]


def page_texts(doc, main) -> tuple[str, str, str]:
    """(text before ``main``, ``main``'s text with image markers, text after it) of the whole page, in one
    pass (``block_text`` three times costs three walks of a 100 KB page)."""
    if main is None:
        return block_text(doc), "", ""
    return _texts(doc, frozenset(), main, False)


def _texts(root, skip, main, images: bool) -> tuple[str, ...]:
    buffers: list[list[str]] = [[]]
    parts = buffers[0]
    marking = images  # image markers: everywhere (block_text) or inside ``main`` only
    # Stack of (element, phase): phase 0 = emit start + text + children, phase 1 = emit end (+ tail).
    stack: list[tuple[object, int]] = [(root, 0)]
    while stack:
        el, phase = stack.pop()
        tag = el.tag if isinstance(el.tag, str) else None
        if phase == 1:
            if tag in BLOCK_TAGS:
                parts.append("\n")
            if el is main:
                parts = []
                buffers.append(parts)
                marking = images
            if el is not root and el.tail:
                parts.append(el.tail)
            continue
        if el in skip or tag is None or tag in INVISIBLE_TAGS:
            # Comments, processing instructions and invisible elements still have visible tails.
            if tag in BLOCK_TAGS:
                parts.append("\n")
            if el is not root and el.tail:
                parts.append(el.tail)
            continue
        if el is main:
            parts = []
            buffers.append(parts)
            marking = True
        if tag in BLOCK_TAGS:
            parts.append("\n")
        if marking and tag == "img":
            alt = clean_inline(el.get("alt") or "")
            parts.append(f"[图片:{alt}]" if alt else "[图片]")
        if el.text:
            parts.append(el.text)
        stack.append((el, 1))
        for child in reversed(el):
            stack.append((child, 0))
    out = []
    for buffer in buffers:
        lines = (clean_inline(line) for line in "".join(buffer).split("\n"))
        out.append("\n".join(line for line in lines if line))
    while len(out) < 3:
        out.append("")
    return tuple(out)


def has_text(el) -> bool:
    """Whether ``el`` shows any visible text (cheaper than ``block_text`` when only that is asked)."""
    for node in el.iter():
        tag = node.tag if isinstance(node.tag, str) else None
        if tag is not None and tag not in INVISIBLE_TAGS and node.text and node.text.strip():
            return True
        if node is not el and node.tail and node.tail.strip():
            return True
    return False


def inline_text(el) -> str:
    """An element's visible text on one line (for labels, titles, link texts, table cells)."""
    return clean_inline(" ".join(block_text(el).split("\n")))


def selector_index(doc) -> dict[str, list]:
    """``{".class": [elements], "#id": [elements]}`` in document order, built in one pass.

    Extractors look up many class and id names (body containers, breadcrumbs, title classes); one
    dictionary lookup each is far cheaper than an XPath ``contains(concat(...))`` scan of the page each.
    """
    index: dict[str, list] = {}
    for el in doc.iter(etree.Element):
        classes = el.get("class")
        if classes:
            for token in classes.split():
                index.setdefault("." + token, []).append(el)
        ident = el.get("id")
        if ident:
            index.setdefault("#" + ident.strip(), []).append(el)
    return index
