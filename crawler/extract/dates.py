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
_URL_DAY_FOLDER = re.compile(r"/((?:19|20)\d{2})-(\d{2})-(\d{2})/")  # /c/2018-09-26/3040316.shtml
_URL_DAY_PATH = re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})/")  # /nw12344/20230331/….html
_URL_MONTH_DAY = re.compile(r"/((?:19|20)\d{2})(\d{2})/(\d{2})/")  # /columns/…/202301/30/….html


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
# Between a label and its date: colons, brackets around the label or the date ([ 发布日期 ] 2022-04-18), the
# cell separators and bullets of flattened tables (发布日期: | 2019年04月01日 |, 发布日期：\n• 2020-11-02).
_GAP = r"[\s\]】)）|｜•·●▪]*"
_STRONG_LABEL = re.compile(rf"(?:发布|发表|发稿|公开)(?:时间|日期){_GAP}[:：]?{_GAP}[\[【(（]?\s*")
_WEAK_LABEL = re.compile(rf"(?<![\u4e00-\u9fff])(?:时间|日期){_GAP}[:：]{_GAP}[\[【(（]?\s*")
_DATE_AT_START = re.compile(f"(?:{NUMERIC_DATE}|{CHINESE_DATE})")


def find_labelled_date(text: str, *, strong_only: bool = False) -> str | None:
    """A date written right after a publication label (发布时间：2017-03-02, 日期:2017-01-12 17:08)."""
    labels = (_STRONG_LABEL,) if strong_only else (_STRONG_LABEL, _WEAK_LABEL)
    return _date_after(text.translate(_FULL_WIDTH), labels)


def _date_after(text: str, labels) -> str | None:
    """The first valid date written right after a match of one of ``labels`` (tried in order)."""
    for label in labels:
        for match in label.finditer(text):
            at = _DATE_AT_START.match(text, match.end())
            found = _from_match(at) if at else None
            if found:
                return found
    return None


# Times that are not the publication: when the page was archived, printed, visited, generated or signed,
# when a rule takes effect, when an event happens.
_NOT_PUBLICATION = re.compile(
    r"(?:归档|打印|访问|浏览|生成|成文|印发|签发|签署|实施|施行|有效|截止|截至|开始|结束|会议|活动|报名|办理|受理|"
    r"举办|举行|更新|修改|修订|录入|采集|抓取|统计|登记|培训|考试|申报|评审|公示期|起止)(?:时间|日期)"
)
_SOURCE_LINE = re.compile(r"(?:来源|來源|信息来源|文章来源|作者|发布机构|发布单位|编辑|责任编辑)\s*[:：]")
_DATE_ONLY_LINE = re.compile(
    rf"^[\s•·●▪]*[\[【(（]?\s*(?:{NUMERIC_DATE}\s*[日号]?|{CHINESE_DATE})(?:\s*\d{{1,2}}:\d{{2}}(?::\d{{2}})?)?\s*[\]】)）]?\s*$"
)
# A non-publication label with its date, removed before an info bar is read (归档时间:2018-11-21 …).
_NOT_PUBLICATION_VALUE = re.compile(
    _NOT_PUBLICATION.pattern + rf"\s*[:：]?\s*[\[【(（]?\s*(?:{NUMERIC_DATE}|{CHINESE_DATE})(?:\s*\d{{1,2}}:\d{{2}}(?::\d{{2}})?)?"
)
_RELATED = re.compile(r"^\s*(?:关联稿件|相关稿件|相关链接|相关文章|相关阅读|相关新闻|相关信息|相关文件|相关解读|延伸阅读|推荐阅读|"
                      r"上一篇|下一篇)")
# An info bar sits next to the title: this many lines before the main text and after its start.
INFO_BAR_LINES = 12


def _until_related(lines: list[str]) -> list[str]:
    for n, line in enumerate(lines):
        if _RELATED.match(line):
            return lines[:n]
    return lines


# Dates a document is written or signed with (成文日期, 发文日期): its date when it states no other.
_WRITTEN_LABEL = re.compile(rf"(?:成文|发文|签发|生成)(?:日期|时间){_GAP}[:：]?{_GAP}[\[【(（]?\s*")


def written_date(lines: list[str]) -> str | None:
    """A 成文日期 / 发文日期 stated in the info bar's lines (info bars and tables the extractor did not read as
    a metadata table)."""
    return _date_after("\n".join(line.translate(_FULL_WIDTH) for line in lines), (_WRITTEN_LABEL,))


def info_bar_date(before: list[str], top: list[str]) -> str | None:
    """The publication date stated in an info bar: the lines just ``before`` a page's main text and at its
    ``top``, strongest form first: an explicit publication label (发布时间：…), a bare 时间/日期 label (日期：
    2017-01-12 17:08), a date on the 来源/作者 line (来源：某某局 2020-12-11 14:34), a line that is only a date.
    Archive, print, visit and event times (归档时间, 打印时间 …) are never taken, nor the dates of related
    articles (关联稿件, 相关阅读 … and what follows them)."""
    lines = _until_related(before) + _until_related(top)
    text = "\n".join(_NOT_PUBLICATION_VALUE.sub("", line.translate(_FULL_WIDTH)) for line in lines)
    found = find_labelled_date(text)
    if found:
        return found
    for line in text.split("\n"):
        if _SOURCE_LINE.search(line):
            found = find_date(line)
            if found:
                return found
    for line in text.split("\n"):
        match = _DATE_ONLY_LINE.match(line)
        if match:
            found = _from_match(match)
            if found:
                return found
    return None


# The 附注 under an issuing notice's signature: "（此件公开发布）".
_ANNOTATION_LINE = re.compile(r"^\s*[(（]此件[^()（）]{2,8}[)）]\s*$")


def _line_date(pattern: re.Pattern, line: str) -> str | None:
    """The valid date of ``line`` when ``pattern`` (one holding NUMERIC_DATE or CHINESE_DATE) matches it."""
    match = pattern.match(line.translate(_FULL_WIDTH))
    return _from_match(match) if match else None


def signature_date(lines: list[str]) -> str | None:
    """The date a document is signed with (落款): a line that is only a date among its last lines, or the
    date line over the 附注 of an issuing notice (its signature, followed by the document it issues)."""
    over_annotation = (line for i, line in enumerate(lines[:-1]) if _ANNOTATION_LINE.match(lines[i + 1]))
    for line in (*over_annotation, *reversed(lines[-6:])):
        found = _line_date(_DATE_ONLY_LINE, line)
        if found:
            return found
    return None


# The line under the title of a law, a plan or a party or congress document: "（2025年12月12日中国共产党湘阴县
# 第十三届委员会第十一次全体会议通过）", "（2019年4月15日…常务委员会第十次会议修订）".
_ADOPTION_LINE = re.compile(
    rf"^\s*[(（]\s*(?:{NUMERIC_DATE}\s*[日号]?|{CHINESE_DATE})[^()（）]{{0,80}}?(?:通过|修订|修正|批准|公布|发布)\s*[)）]\s*$"
)


def adoption_date(lines: list[str]) -> str | None:
    """The date a document was adopted, from its adoption line among the first lines of its text."""
    return next((found for line in lines[:4] if (found := _line_date(_ADOPTION_LINE, line))), None)


def date_from_url(url: str) -> str | None:
    """A publication date encoded in a CMS URL (t20170302_…, /art/2017/3/2/, /2018-09-26/, /20230331/,
    /202301/30/). A month folder alone (/201703/) names no day: no date (a guessed day would be a wrong
    exact date, and a list page usually shows the real one)."""
    path = url.split("?", 1)[0]
    for pattern in (_URL_TRS, _URL_HANWEB, _URL_DAY_FOLDER, _URL_DAY_PATH, _URL_MONTH_DAY):
        match = pattern.search(path)
        if match:
            found = _valid(
                int(match.group(1)), int(match.group(2)), int(match.group(3))
            )
            if found:
                return found
    return None
