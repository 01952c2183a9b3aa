"""Government meta tags (国办发〔2017〕47号): SiteName, SiteIDCode, ColumnName, ArticleTitle, PubDate, ….

Names are matched case-insensitively and stored lower-cased (``pubdate``, ``sitename`` …); values are kept
verbatim, because they are evidence and often wrong (a Chongqing page naming 齐齐哈尔 as its SiteName,
domain.md §1): judging them is for the checks. The first tag of a name wins.
"""

from __future__ import annotations


def meta_tags(doc) -> dict[str, str]:
    """``{lower-cased name: content}`` for every ``<meta name=… content=…>`` of the page."""
    found: dict[str, str] = {}
    for meta in doc.iter("meta"):
        name = (meta.get("name") or "").strip().lower()
        content = meta.get("content")
        if name and content is not None and name not in found:
            found[name] = content
    return found
