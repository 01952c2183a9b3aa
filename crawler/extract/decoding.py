"""Bytes → text → lxml document for HTML pages, the one place a page body is decoded and parsed.

Many county sites declare ``gb2312`` and use GBK-only characters (镕, 喆). ``w3lib.encoding.html_to_unicode``
maps that declaration to gb18030 and weighs BOM, HTTP header and ``<meta charset>`` in the right order
(domain.md §8). A page that declares nothing is tried as strict UTF-8, then gb18030, the two encodings
these sites use. Bodies that are not text at all (a PDF served as text/html, an image) are recognised so
that callers skip parsing instead of producing mojibake.
"""

from __future__ import annotations

import codecs
import re

from lxml import etree
from w3lib.encoding import html_to_unicode

# Magic numbers of formats that are never an HTML page.
_BINARY_MAGIC = (
    b"%PDF",
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"Rar!",
    b"\x1f\x8b",
    b"7z\xbc\xaf",
)
_TEXT_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def is_binary(body: bytes) -> bool:
    """True for bodies that are clearly not text: a known binary magic number, or NUL bytes without a BOM."""
    head = body[:4096]
    if head.startswith(_TEXT_BOMS):
        return False
    return head.startswith(_BINARY_MAGIC) or b"\x00" in head


def _undeclared_encoding(body: bytes) -> str:
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def decode_html(body: bytes, content_type: str | None) -> tuple[str, str]:
    """Decode a page body; returns ``(text, encoding)`` with the encoding's canonical Python name."""
    encoding, text = html_to_unicode(
        content_type or None, body, auto_detect_fun=_undeclared_encoding
    )
    try:
        encoding = codecs.lookup(encoding).name
    except LookupError:
        pass
    return text, encoding


# Characters lxml refuses in text (C0 controls except tab/newline/return) and XML declarations it refuses
# in str input; both occur on real pages and must not abort extraction.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


_PARSER = etree.HTMLParser(recover=True, remove_blank_text=False)


def parse_html(text: str):
    """An lxml document for decoded page text, or None when there is nothing to parse.

    Plain ``lxml.etree`` elements, not ``lxml.html``'s: the HtmlElement class lookup costs more than the
    parse itself on a 50 KB page, and nothing here needs its extra methods.
    """
    text = _XML_DECLARATION.sub("", _XML_ILLEGAL.sub("", text), count=1)
    if not text.strip():
        return None
    try:
        return etree.fromstring(text, _PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
