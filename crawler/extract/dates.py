"""Dates as Chinese government pages write them, parsed by a small regex set.

Formats: 2017年03月01日, 2017年3月1日, 2017/3/1, 2017-03-01 10:20, 2017.03.01, full-width digits, and
Chinese numerals (二〇一七年三月一日, 二○一七年三月一日 — both zero glyphs, also 零/O). ``dateparser`` fails
on most of these and is ~1000× slower (domain.md §8), so it is only a last resort for short values such
as a meta tag that no pattern matches. Results are ISO ``YYYY-MM-DD`` strings; impossible dates
(2017-02-30) are skipped, never "corrected".
"""

from __future__ import annotations

import re
from datetime import date

# Years outside this range are page furniture (copyright lines, phone numbers), not publication dates.
MIN_YEAR, MAX_YEAR = 1949, 2100

_FULL_WIDTH = str.maketrans("０１２３４５６７８９／－．：", "0123456789/-.:")

NUMERIC_DATE = r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?:年|[-/.])\s*(?P<m>\d{1,2})\s*(?:月|[-/.])\s*(?P<d>\d{1,2})(?!\d)"
_CN_DIGIT = "〇○零Oo0一二三四五六七八九"
CHINESE_DATE = (
    rf"(?P<cy>[{_CN_DIGIT}]{{4}})\s*年\s*(?P<cm>十[一二]?|[元一二三四五六七八九])\s*月"
    r"\s*(?P<cd>三十[一]?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九])\s*[日号]"
)
_ANY_DATE = re.compile(f"{NUMERIC_DATE}|{CHINESE_DATE}")

_CN_VALUES = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {
    "○": 0,
    "零": 0,
    "O": 0,
    "o": 0,
    "0": 0,
}

# Compact dates inside URLs: TRS t20170302_, Hanweb /art/2017/3/2/, month folders /201703/.
_URL_TRS = re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_\d+")
_URL_HANWEB = re.compile(r"/art/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/")
_URL_MONTH = re.compile(r"/((?:19|20)\d{2})(\d{2})/")


def _cn_number(text: str) -> int:
    """一 → 1, 十二 → 12, 二十 → 20, 三十一 → 31, 元 → 1 (元月 = January)."""
    if text == "元":
        return 1
    if "十" not in text:
        return _CN_VALUES[text]
    tens, _, units = text.partition("十")
    return (_CN_VALUES[tens] if tens else 1) * 10 + (_CN_VALUES[units] if units else 0)


def _valid(y: int, m: int, d: int) -> str | None:
    if not MIN_YEAR <= y <= MAX_YEAR:
        return None
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def _from_match(match: re.Match) -> str | None:
    if match.group("y"):
        return _valid(
            int(match.group("y")), int(match.group("m")), int(match.group("d"))
        )
    year = int("".join(str(_CN_VALUES[c]) for c in match.group("cy")))
    return _valid(year, _cn_number(match.group("cm")), _cn_number(match.group("cd")))


def find_date(text: str) -> str | None:
    """The first valid date written anywhere in ``text``, as ``YYYY-MM-DD``; None when there is none."""
    for match in _ANY_DATE.finditer(text.translate(_FULL_WIDTH)):
        found = _from_match(match)
        if found:
            return found
    return None


def parse_date_value(value: str) -> str | None:
    """A date from a short field value (a meta tag, a table cell); dateparser only when no pattern matches."""
    found = find_date(value)
    if found or not value.strip() or len(value) > 40 or not re.search(r"\d", value):
        return found
    import dateparser  # slow to import and to run: only for odd values like "Thu, 02 Mar 2017"

    parsed = dateparser.parse(
        value, languages=["zh", "en"], settings={"STRICT_PARSING": True}
    )
    return _valid(parsed.year, parsed.month, parsed.day) if parsed else None


# Labels that introduce a publication date in page text. Strong labels name publication explicitly; the
# bare 时间/日期 counts only when it is not the tail of another word (归档时间, 成文日期, 生成日期 …).
_STRONG_LABEL = re.compile(
    r"(?:发布|发表|发稿|公开)(?:时间|日期)\s*[:：]?\s*[\[【(（]?\s*"
)
_WEAK_LABEL = re.compile(r"(?<![\u4e00-\u9fff])(?:时间|日期)\s*[:：]\s*[\[【(（]?\s*")
_DATE_AT_START = re.compile(f"(?:{NUMERIC_DATE}|{CHINESE_DATE})")


def find_labelled_date(text: str, *, strong_only: bool = False) -> str | None:
    """A date written right after a publication label (发布时间：2017-03-02, 日期:2017-01-12 17:08)."""
    text = text.translate(_FULL_WIDTH)
    labels = (_STRONG_LABEL,) if strong_only else (_STRONG_LABEL, _WEAK_LABEL)
    for label in labels:
        for match in label.finditer(text):
            at = _DATE_AT_START.match(text, match.end())
            found = _from_match(at) if at else None
            if found:
                return found
    return None


def date_from_url(url: str) -> str | None:
    """A publication date encoded in a CMS URL; a month folder alone (/201703/) gives the month's first day."""
    path = url.split("?", 1)[0]
    for pattern in (_URL_TRS, _URL_HANWEB):
        match = pattern.search(path)
        if match:
            found = _valid(
                int(match.group(1)), int(match.group(2)), int(match.group(3))
            )
            if found:
                return found
    match = _URL_MONTH.search(path)
    return _valid(int(match.group(1)), int(match.group(2)), 1) if match else None
