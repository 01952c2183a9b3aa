"""Text helpers the checks share: normalising titles, matching page records, telling whose page it is."""

from __future__ import annotations

import re
from collections.abc import Iterable

from crawler.record import PageRecord

_SPACE = re.compile(r"\s+")
_BRACKETS = str.maketrans({"[": "〔", "]": "〕", "［": "〔", "］": "〕", "(": "（", ")": "）", "【": "〔", "】": "〕"})
_PLACE_SUFFIX = re.compile(r"(人民政府|政府|管委会|管理委员会|街道办事处|办事处)$")


def norm(text: str | None) -> str:
    """Whitespace removed, brackets unified (〔〕 for 文号, full-width parentheses)."""
    return _SPACE.sub("", text or "").translate(_BRACKETS)


def label(r: PageRecord) -> str:
    """Title, column and breadcrumb of a page: where a page says what it is."""
    return " ".join([r.title or "", r.column or "", *r.breadcrumb])


def matching(records: Iterable[PageRecord], pattern: re.Pattern[str], *, text: bool = False) -> list[PageRecord]:
    """Pages whose title/column/breadcrumb (and, with ``text``, main text and attachments) match."""
    out = []
    for r in records:
        if pattern.search(label(r)) or (text and pattern.search(r.full_text)):
            out.append(r)
    return out


def place_of(unit_name: str) -> str:
    """新市镇人民政府 → 新市镇: the place prefix department names usually start with."""
    return _PLACE_SUFFIX.sub("", unit_name or "")


def owner(r: PageRecord, unit_name: str, subunits: list[str]) -> str | None:
    """The subunit a page belongs to (by title, 发布机构, column or breadcrumb), or None for the unit itself."""
    where = " ".join([r.title or "", r.metadata.get("发布机构", ""), r.column or "", *r.breadcrumb])
    place = place_of(unit_name)
    for sub in subunits:
        short = sub[len(place):] if place and sub.startswith(place) else sub
        if sub in where or (len(short) >= 2 and short in where):
            return sub
    return None


def latest(records: Iterable[PageRecord]) -> PageRecord | None:
    dated = [r for r in records if r.pub_date]
    return max(dated, key=lambda r: r.pub_date) if dated else None
