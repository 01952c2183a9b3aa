"""Links and attachments of a page, as absolute URLs with their texts.

Attachments are links to documents (domain.md §6): a path ending in a document extension
(``./201703/P020170302….pdf``, ``/uploadfiles/201703/x.docx``), or a download script naming the file in
its query (Hanweb ``/module/download/downfile.jsp?classid=0&filename=x.pdf``). They start as
``not_fetched``; the crawler fetches them and ``crawler.attachments`` fills in their text.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import parse_qsl, unquote, urlsplit

from crawler.record import Attachment, Link
from crawler.urls import Resolver, page_base

from .text import BLOCK_TAGS, clean_inline, inline_text

ATTACHMENT_EXTENSIONS = frozenset(
    [
        "pdf",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "wps",
        "et",
        "ppt",
        "pptx",
        "zip",
        "rar",
        "txt",
    ]
)
# Query parameters download scripts use to name the file.
_FILE_PARAMS = ("filename", "fileName", "file", "name")
_FILE_PARAM_HINT = re.compile(r"(?:^|&)(?:file|name)", re.I)


def page_resolver(doc, page_url: str) -> Resolver:
    """The resolver of the page's hrefs (against its ``<base href>`` when it sets one)."""
    return Resolver(page_base(doc, page_url))


def absolute_url(base: str, href: str) -> str | None:
    """``href`` resolved against ``base``; None for non-http(s) targets (javascript:, mailto:, #…)."""
    return Resolver(base)(href)


def _link_text(a) -> str:
    """The text before the link's first block child when there is some, else all of it.

    An unclosed ``<a>`` swallows the following paragraphs in libxml2; browsers end its text at the next
    paragraph, and so does this. A link wrapping blocks (``<a><div>标题</div></a>``) keeps their text.
    """
    head = [a.text or ""]
    for child in a:
        if isinstance(child.tag, str) and child.tag in BLOCK_TAGS and child.tag != "br":
            break
        head.append(inline_text(child) if isinstance(child.tag, str) else "")
        head.append(child.tail or "")
    text = clean_inline("".join(head)) or inline_text(a)
    if text:
        return text
    if a.get("title"):
        return a.get("title").strip()
    for img in a.iter("img"):
        if img.get("alt"):
            return img.get("alt").strip()
    return ""


def page_links(doc, page_url: str, resolve: Resolver | None = None) -> list[Link]:
    """Every http(s) link in document order; repeated (url, text) pairs kept once. ``resolve``: the page's
    resolver (``page_resolver``), shared with the other readers of its hrefs."""
    resolve = resolve or page_resolver(doc, page_url)
    seen: set[tuple[str, str]] = set()
    links = []
    for a in doc.iter("a"):
        url = resolve(a.get("href") or "")
        if url is None:
            continue
        link = Link(url=url, text=_link_text(a))
        if (link.url, link.text) not in seen:
            seen.add((link.url, link.text))
            links.append(link)
    return links


def attachment_file_name(url: str) -> tuple[str, str] | None:
    """``(file name, extension)`` when ``url`` points at a document, else None."""
    path, _, query = url.partition("?")
    leaf = path.rsplit("/", 1)[-1]
    if leaf.rpartition(".")[2].lower() in ATTACHMENT_EXTENSIONS:
        name = unquote(posixpath.basename(urlsplit(url).path))
        ext = posixpath.splitext(name)[1][1:].lower()
        if ext in ATTACHMENT_EXTENSIONS:
            return name, ext
    if not _FILE_PARAM_HINT.search(query):
        return None  # most links: decided without parsing the URL
    for key, value in parse_qsl(query.partition("#")[0], keep_blank_values=False):
        if key in _FILE_PARAMS:
            name = posixpath.basename(value.replace("\\", "/"))
            ext = posixpath.splitext(name)[1][1:].lower()
            if ext in ATTACHMENT_EXTENSIONS:
                return name, ext
    return None


def page_attachments(links: list[Link]) -> list[Attachment]:
    """One attachment per document URL; its name is the link text, or the file name when the text is empty."""
    by_url: dict[str, Attachment] = {}
    for link in links:
        found = attachment_file_name(link.url)
        if found is None:
            continue
        file_name, ext = found
        existing = by_url.get(link.url)
        if existing is None:
            by_url[link.url] = Attachment(
                url=link.url, name=link.text or file_name, ext=ext
            )
        elif link.text and existing.name == file_name:
            existing.name = link.text
    return list(by_url.values())
