"""``extract_page``: one fetched response → one ``PageRecord``, as a pure function of (url, headers, body).

No Scrapy and no database: the same function builds records at crawl time and re-builds them from stored
snapshots (``zwgk reextract``). Bad input never raises: an empty, binary or malformed body gives a record
with whatever could be found (at least the URL, status, content type and body hash).
"""

from __future__ import annotations

import hashlib
import re

from crawler.cms import detect_cms
from crawler.record import PageRecord

from .breadcrumb import breadcrumb, page_column
from .dates import (
    INFO_BAR_LINES, adoption_date, date_from_url, find_labelled_date, info_bar_date, parse_date_value, signature_date,
    written_date,
)
from .layout import page_layout
from .decoding import decode_html, is_binary, parse_html
from .links import page_attachments, page_links, page_resolver
from .main_text import main_element
from .meta_tags import meta_tags
from .metadata_table import metadata_table
from .text import page_texts, selector_index
from .title import page_title

# A 信息公开 table at the top of the main text: two of its labels in the first characters.
_CATALOGUE_LABEL = re.compile(r"索\s*引\s*号|发\s*文\s*字\s*号|成\s*文\s*日\s*期|发\s*布\s*机\s*构|发\s*文\s*机\s*关")
_CATALOGUE_HEAD = 400
# Meta tags that carry a publication date, most explicit first (Maketime: older TRS templates).
_PUBDATE_METAS = ("pubdate", "publishdate", "firstpublishedtime", "maketime")


def _publication_date(meta, metadata, texts: tuple[str, str, str], title: str, url) -> tuple[str | None, str | None]:
    """(date, source) as the page states it, what a reader sees first: the metadata table's 发布日期, the info
    bar, the table's 成文日期 when it states no other; then the meta tags (some platforms rewrite PubDate
    whenever they regenerate a page, so a visible date wins), a labelled date elsewhere on the page, the
    signature, the URL."""
    found = parse_date_value(metadata.get("发布日期", ""))
    if found:
        return found, "table"
    before, main_text, after = texts
    main_lines = main_text.split("\n") if main_text else []
    if main_text:  # the info bar sits just before the main text or at its top (templates differ)
        bar = (before.split("\n")[-INFO_BAR_LINES:], main_lines[:INFO_BAR_LINES])
    else:  # no main text: the lines under the title
        lines = before.split("\n")
        at = next((n for n, line in enumerate(lines) if title and title in line), None)
        bar = ([], lines[at + 1: at + 1 + INFO_BAR_LINES] if at is not None else [])
    found = info_bar_date(*bar)
    if found:
        return found, "info_bar"
    found = parse_date_value(metadata.get("成文日期", ""))
    if found:
        return found, "table"
    found = written_date(bar[0] + bar[1])
    if found:
        return found, "info_bar"
    for name in _PUBDATE_METAS:
        found = parse_date_value(meta.get(name, ""))
        if found:
            return found, "meta"
    # Elsewhere: a labelled date outside the body (a meeting's "时间：" inside the text is not the page's
    # date), a publication label inside it, the signature date at its end, the adoption line under the title.
    found = (find_labelled_date(before + "\n" + after) or find_labelled_date(main_text, strong_only=True)
             or signature_date(main_lines) or adoption_date(main_lines))
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
    texts = page_texts(doc, main)
    record.main_text = texts[1]
    record.metadata = metadata_table(doc, exclude=[main] if main is not None else [])
    if not record.metadata and len(_CATALOGUE_LABEL.findall(record.main_text[:_CATALOGUE_HEAD])) >= 2:
        # the table sits at the top of the main element (templates whose body container holds it)
        record.metadata = metadata_table(doc)
    record.title = page_title(doc, index, record.meta, record.metadata)
    resolve = page_resolver(doc, final)
    layout = page_layout(final, doc, main, text, resolve)
    record.layout, record.layout_reasons = layout.layout, layout.reasons
    record.entries = layout.entries
    if record.layout != "list":  # a list page's dates are its entries'
        record.pub_date, record.pub_date_source = _publication_date(record.meta, record.metadata, texts,
                                                                    record.title, final)
    record.breadcrumb = breadcrumb(doc, index)
    record.column = page_column(record.meta, record.breadcrumb, record.title, role=role)
    record.links = page_links(doc, final, resolve)
    record.attachments = page_attachments(record.links)
    return record
