"""Page extraction: pure functions from (url, headers, body) to a ``crawler.record.PageRecord``.

One module per thing a page says: ``decoding`` (bytes → text), ``meta_tags``, ``metadata_table``
(信息公开 table), ``title``, ``dates``, ``breadcrumb``, ``main_text``, ``links`` (links and attachments);
``page`` puts them together, with the platform that built the page from ``crawler.cms.detect_cms``.
"""

from .page import extract_page

__all__ = ["extract_page"]
