"""Policies and interpretations: 发文字号 parsing and what an interpretation says it interprets.

A 发文字号 is an issuing-body abbreviation, a year in brackets and a serial: 汨政发〔2017〕3号,
岳政办发[2017]2号, 湘政发（2017）12号, 南政发【2014】7号. The normalised form uses 〔〕 and drops leading zeros and
spaces: ``汨政发〔2017〕3号``. Numbers without brackets (国发201252号, as mirrors print them) are not read:
the year cannot be told from the serial.
"""

from __future__ import annotations

import re

from crawler.record import PageRecord

from .text import normalize, normalized_head

# After NFKC: （） → (), ［］ → [], 【】 and 〔〕 stay.
_DOC_NUMBER = re.compile(
    r"([\u4e00-\u9fffA-Za-z]{1,16}?)\s*[〔\[(【〖]\s*((?:19|20)\d{2})\s*[〕\])】〗]\s*第?\s*(\d{1,5})\s*号"
)
# Words that precede a 文号 in running text but are not part of its prefix.
_LEADING_NOISE = re.compile(
    r"^(?:[\u4e00-\u9fff]*?(?:根据|依据|按照|参照|依照|对照|遵照|贯彻|落实|执行|印发|转发|关于|通知|文件|意见|办法|规定|精神|要求|以及)|和|及|与|的)+"
)
_FULL_DOC_NUMBER = re.compile(r"^\s*" + _DOC_NUMBER.pattern + r"\s*$")


def _format(prefix: str, year: str, serial: str) -> str:
    return f"{prefix}〔{year}〕{int(serial)}号"


def parse_doc_number(value: str) -> str | None:
    """A 发文字号 field's value (the whole string) → normalised form; None when it is not one."""
    if not value:
        return None
    match = _FULL_DOC_NUMBER.match(normalize(value))
    if not match:
        return None
    return _format(match.group(1), match.group(2), match.group(3))


def find_doc_numbers(text: str) -> list[str]:
    """Every 发文字号 in running text, normalised, in order of appearance, without repeats."""
    found: list[str] = []
    for match in _DOC_NUMBER.finditer(normalize(text)):
        prefix = _LEADING_NOISE.sub("", match.group(1))
        if len(prefix) < 2:
            continue
        number = _format(prefix, match.group(2), match.group(3))
        if number not in found:
            found.append(number)
    return found


_STANDALONE_LINE = re.compile(r"^\s*" + _DOC_NUMBER.pattern + r"\s*$", re.M)
# The number of a 令 (a regulation promulgated by order) on a line of its own: 中华人民共和国教育部令第49号,
# 湖南省人民政府令 第283号. The country's name is not part of the number.
ORDER_LINE = re.compile(r"^\s*(?:中华人民共和国)?([\u4e00-\u9fff]{2,20}?令)\s*第\s*(\d{1,5})\s*号\s*$", re.M)
_LABELLED = re.compile(r"(?<![\u4e00-\u9fff])(?:发文字号|发文文号|发布文号|文件编号|文号)[\s:|｜]*" + _DOC_NUMBER.pattern)


def policy_fields(record: PageRecord) -> dict:
    """``extras["policy"]``: the 发文字号 from the metadata table or a labelled one near the top of the text
    (文号：…, 发文字号 | …: info bars and tables the extractor did not read as a table), else the title, else a
    line of its own near the top of the text (where 红头 documents print it). ``doc_number_source`` says which."""
    raw = record.metadata.get("发文字号") or record.metadata.get("文号") or ""
    number = parse_doc_number(raw)
    if number:
        return {"doc_number": number, "doc_number_source": "metadata"}
    head = normalized_head(record.main_text, 1500)
    labelled = _LABELLED.search(head)
    if labelled:
        return {"doc_number": _format(labelled.group(1), labelled.group(2), labelled.group(3)),
                "doc_number_source": "metadata"}
    in_title = find_doc_numbers(record.title)
    if in_title:
        return {"doc_number": in_title[0], "doc_number_source": "title"}
    line = _STANDALONE_LINE.search(head)
    if line:
        return {"doc_number": _format(line.group(1), line.group(2), line.group(3)), "doc_number_source": "text"}
    order = ORDER_LINE.search(head[:600])
    if order:
        return {"doc_number": f"{order.group(1)}第{int(order.group(2))}号", "doc_number_source": "text"}
    return {"doc_number": None, "doc_number_source": None}


# ---------------------------------------------------------------- interpretations

_BOOK_TITLE = re.compile(r"《([^《》]{2,120})》")
_INTERPRETATION_AFFIXES = re.compile(
    r"(?:^(?:关于|对|一图读懂|一图速览|图解|图说|解读)+)|(?:(?:的)?(?:政策)?(?:解读|答记者问|问答|一图读懂|图解|图说)(?:材料)?$)"
)
_ORIGINAL_LINK = re.compile(r"原文|相关文件|政策文件|文件下载|相关政策|政策依据")
# A bracketed tag before an interpretation's title: 【图解】, 【答记者问】, 【新闻发布会】.
_TITLE_TAG = re.compile(r"^\s*【[^】]{1,10}】\s*")
# A policy's own title, as an interpretation often repeats it on its first line.
_POLICY_TITLE_LINE = re.compile(r"^\S{0,40}关于\S{2,80}的(?:通知|意见|决定|办法|规定|方案|通告|公告|批复|实施意见|指导意见)$")
# Laws every interpretation may cite; never the document interpreted.
_GENERIC_TITLE = re.compile(r"^中华人民共和国|^条例$")


def interpretation_fields(record: PageRecord) -> dict:
    """``extras["interpretation"]``: what the interpretation says it interprets.

    - ``policy_titles``: the 《titles》 in the page title; when the title has none, the title with its
      interpretation affixes and tags removed (关于…的解读 → …, 【图解】… → …), the 《titles》 in the first 300
      characters of text (laws such as 《中华人民共和国…》 left out) and a first line of text that is a
      policy's title (关于…的通知).
    - ``policy_links``: links labelled 原文 / 文件原文 / 政策原文 / 相关文件 …, or whose text is one of the titles.
    - ``doc_numbers``: 发文字号 in the title and the first 500 characters of text.
    """
    title = normalize(record.title)
    titles = [t.strip() for t in _BOOK_TITLE.findall(title)]
    if not titles:
        bare = _INTERPRETATION_AFFIXES.sub("", _TITLE_TAG.sub("", title)).strip(" :-—")
        if len(bare) >= 4 and bare != title:
            titles.append(bare)
        head = normalized_head(record.main_text, 300)
        titles.extend(t.strip() for t in _BOOK_TITLE.findall(head) if not _GENERIC_TITLE.search(t.strip()))
        first = head.split("\n", 1)[0].strip()
        if first != title and _POLICY_TITLE_LINE.match(first):
            titles.append(first)
    titles = list(dict.fromkeys(t for t in titles if t))

    links: list[str] = []
    for link in record.links:
        text = normalize(link.text).strip()
        if _ORIGINAL_LINK.search(text) or (text and any(t in text for t in titles)):
            if link.url not in links:
                links.append(link.url)

    numbers = find_doc_numbers(record.title + "\n" + record.main_text[:500])
    return {"policy_titles": titles, "policy_links": links, "doc_numbers": numbers}


__all__ = ["find_doc_numbers", "interpretation_fields", "parse_doc_number", "policy_fields"]
