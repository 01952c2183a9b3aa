"""``extract_page``: one fetched response → one ``PageRecord``, as a pure function of (url, headers, body).

No Scrapy and no database: the same function builds records at crawl time and re-builds them from stored
snapshots (``zwgk reextract``). Bad input never raises: an empty, binary or malformed body gives a record
with whatever could be found (at least the URL, status, content type and body hash).
"""

from __future__ import annotations

import hashlib

from crawler.record import PageRecord

from .breadcrumb import breadcrumb, page_column
from .cms import detect_cms
from .dates import date_from_url, find_labelled_date, parse_date_value
from .decoding import decode_html, is_binary, parse_html
from .links import page_attachments, page_links
from .main_text import main_element
from .meta_tags import meta_tags
from .metadata_table import metadata_table
from .text import block_text, selector_index
from .title import page_title

# Meta tags that carry a publication date, most explicit first (Maketime: older TRS templates).
_PUBDATE_METAS = ("pubdate", "publishdate", "firstpublishedtime", "maketime")


def _publication_date(meta, metadata, doc, main, url) -> tuple[str | None, str | None]:
    for name in _PUBDATE_METAS:
        found = parse_date_value(meta.get(name, ""))
        if found:
            return found, "meta"
    found = parse_date_value(metadata.get("发布日期", ""))
    if found:
        return found, "table"
    # Page text: the chrome around the body first (the info bar under the title), the body last and only
    # with an explicit label, so a meeting's "时间：" inside the text is not taken for the page's date.
    chrome = block_text(
        doc, skip=frozenset([main]) if main is not None else frozenset()
    )
    found = find_labelled_date(chrome)
    if not found and main is not None:
        found = find_labelled_date(block_text(main), strong_only=True)
    if found:
        return found, "text"
    found = date_from_url(url)
    return (found, "url") if found else (None, None)


def extract_page(
    url: str,
    headers: dict[str, str],
    body: bytes,
    *,
    role: str = "detail",
    final_url: str | None = None,
    status: int = 200,
) -> PageRecord:
    """Build the page record of one response. ``headers`` has lower-cased names (first value of each)."""
    final = final_url or url
    content_type = headers.get("content-type", "")
    record = PageRecord(
        url=url,
        final_url=final,
        status=status,
        content_type=content_type,
        encoding="",
        body_sha256=hashlib.sha256(body).hexdigest(),
        role=role,
    )
    if not body or is_binary(body):
        return record
    text, record.encoding = decode_html(body, content_type)
    doc = parse_html(text)
    if doc is None:
        return record
    record.cms = detect_cms(final, text)
    record.meta = meta_tags(doc)
    index = selector_index(doc)
    main = main_element(doc, index)
    record.metadata = metadata_table(doc, exclude=[main] if main is not None else [])
    record.title = page_title(doc, index, record.meta, record.metadata)
    record.pub_date, record.pub_date_source = _publication_date(
        record.meta, record.metadata, doc, main, final
    )
    record.breadcrumb = breadcrumb(doc, index)
    record.column = page_column(record.meta, record.breadcrumb, record.title, role=role)
    record.main_text = block_text(main, images=True) if main is not None else ""
    record.links = page_links(doc, final)
    record.attachments = page_attachments(record.links)
    return record
