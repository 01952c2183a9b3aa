"""Page records: what one fetched page *is* and *says*, extracted once when it is stored.

A page record is a pure function of (url, headers, body) plus the attachment texts — no Scrapy, no
database — so it can be rebuilt from a stored snapshot whenever the extractor improves
(``zwgk reextract``). Checks read page records only; they never parse HTML.

Dates are ISO ``YYYY-MM-DD`` strings (Asia/Shanghai calendar dates as the page states them).

Kind-specific fields live in ``extras`` under the kind's name (filled by page understanding):

- ``extras["service_guide"]`` = ``{"format": "table" | "prose" | "attachment", "elements": {ELEMENT: {"state":
  "present" | "empty" | "placeholder" | "image_only" | "missing", "label": str | None, "value": str | None}}}``
  with one entry for each of the 22 canonical elements (事项名称 … 监督电话).
- ``extras["annual_report"]`` = ``{"year": int | None, "format": "free" | "table_2019" | "table_2021",
  "stats": {"received": int | None, "overdue": int | None, "review_cases": int | None, "lawsuits": int | None}}``
  (the year the report covers; request statistics as evidence for 依申请公开).
- ``extras["policy"]`` = ``{"doc_number": str | None}`` (发文字号, e.g. 汨政发〔2017〕3号).
- ``extras["interpretation"]`` = ``{"policy_titles": [str], "policy_links": [url], "doc_numbers": [str]}``
  (what the interpretation says it interprets: 《titles》, 原文/相关文件 links, 文号).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Bump when extraction changes what a record holds; stored records with an older version are re-extracted.
EXTRACTOR_VERSION = 5  # 2: images in the main text are written as [图片] / [图片:alt]; 3: layout from the page; 4: real pagers, dead list rows, bulleted metadata; 5: records derived with their attachments' text, cms from the adapters

# Where a page's publication date came from, most to least trustworthy.
# info_bar: the line under the title (发布时间：… 来源：…); list_page: the date the column's list shows for the
# entry, carried to a document that states none.
DATE_SOURCES = ("meta", "table", "info_bar", "text", "list_page", "url")

# Structural roles a crawled URL plays in the crawl (root, a column's list page, a document, a file).
ROLES = ("root", "list", "detail", "attachment")

# What the page itself shows (crawler.extract.layout): a list of documents, a document, or both at once.
LAYOUTS = ("list", "document", "both")

# What a page is, for the checks (decided by page understanding; "other" when nothing matches).
PAGE_KINDS = (
    "disclosure_guide",  # 政府信息公开指南
    "annual_report",  # 政府信息公开工作年度报告
    "policy",  # 规范性文件 / documents with a 发文字号
    "interpretation",  # 政策解读, 答记者问, 一图读懂, 图解 …
    "service_guide",  # 办事指南
    "list",  # a column's list page
    "other",
)


@dataclass
class Link:
    url: str  # absolute
    text: str


@dataclass
class ListEntry:
    """One entry of a list page: the document it links to, its title and the date the list shows."""

    url: str  # absolute
    title: str
    date: str | None = None  # YYYY-MM-DD when the list shows a full date


@dataclass
class Attachment:
    url: str  # absolute
    name: str  # the link text (or file name when the text is empty)
    ext: str  # lowercase extension without the dot: pdf, doc, docx, xls, xlsx, wps, et, …
    # extracted | unreadable (no tool reads this format) | corrupt | too_large | not_fetched | error
    status: str = "not_fetched"
    text: str | None = None  # NFC-normalised text when extracted
    sha256: str | None = None  # of the attachment's bytes (its snapshot key)
    error: str | None = None  # Chinese, when status is not "extracted"


@dataclass
class PageRecord:
    url: str  # the URL requested
    final_url: str  # after redirects
    status: int
    content_type: str
    encoding: str  # what the body was decoded with
    body_sha256: str  # key of the raw snapshot
    role: str = "detail"  # one of ROLES
    layout: str = "document"  # one of LAYOUTS, read from the page
    layout_reasons: list[str] = field(default_factory=list)  # Chinese
    # Government meta tags (国办发〔2017〕47号): names lower-cased (sitename, siteidcode, columnname,
    # articletitle, pubdate, contentsource, …), values verbatim. Never trusted blindly.
    meta: dict[str, str] = field(default_factory=dict)
    # The 信息公开 metadata table: canonical Chinese labels (索引号, 发布机构, 发文字号, 成文日期, 发布日期,
    # 主题分类, 公开方式, 公开范围, …) → values verbatim.
    metadata: dict[str, str] = field(default_factory=dict)
    title: str = ""
    pub_date: str | None = None  # YYYY-MM-DD
    pub_date_source: str | None = None  # one of DATE_SOURCES
    breadcrumb: list[str] = field(default_factory=list)  # 当前位置 path, outermost first
    column: str | None = None  # the column the page belongs to (meta ColumnName or last breadcrumb step)
    main_text: str = ""  # text of the CMS body container
    links: list[Link] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    entries: list[ListEntry] = field(default_factory=list)  # list entries (layout list or both)
    cms: str | None = None  # trs | hanweb | yueyang | generic
    # page understanding (filled by crawler.understand; checks rely on it)
    kind: str = "other"  # one of PAGE_KINDS
    kind_confidence: float = 0.0
    kind_reasons: list[str] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)  # kind-specific fields, e.g. service-guide elements
    extractor_version: int = EXTRACTOR_VERSION

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "PageRecord":
        data = dict(data)
        data["links"] = [Link(**link) for link in data.get("links", [])]
        data["attachments"] = [Attachment(**a) for a in data.get("attachments", [])]
        data["entries"] = [ListEntry(**e) for e in data.get("entries", [])]
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})

    @property
    def full_text(self) -> str:
        """Main text plus the text of every extracted attachment (what content checks search)."""
        parts = [self.main_text] + [a.text for a in self.attachments if a.text]
        return "\n".join(p for p in parts if p)
