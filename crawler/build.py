"""From stored bytes to what checks read: extraction followed by page understanding.

One place that wires ``crawler.extract`` (structure: title, dates, metadata, text, links) to
``crawler.understand`` (kind and kind-specific fields), used while crawling, by ``zwgk reextract``
and by ``zwgk inspect``.
"""

from __future__ import annotations

from crawler.attachments import extract_attachment
from crawler.extract import extract_page
from crawler.extract.links import attachment_file_name
from crawler.record import PageRecord
from crawler.understand import understand


def build_record(url: str, headers: dict[str, str], body: bytes, *, role: str = "detail",
                 final_url: str | None = None, status: int = 200) -> PageRecord:
    return understand(extract_page(url, headers, body, role=role, final_url=final_url, status=status))


def build_attachment_text(url: str, content_type: str | None, body: bytes, *, truncated: bool = False):
    found = attachment_file_name(url)  # Hanweb downfile.jsp?filename=x.pdf → x.pdf
    name = found[0] if found else url
    return extract_attachment(name, content_type, body, truncated=truncated)
