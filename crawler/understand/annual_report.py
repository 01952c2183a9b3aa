"""政府信息公开工作年度报告: the year covered, the format, and the request statistics.

- ``year``: from the title (``2016年度…``, ``2016年…年度报告``, ``二〇一六年…``), else from the text's own title
  line or its statistics period (``统计期限自2016年1月1日``). None when neither says.
- ``format``: ``table_2021`` (国办公开办函〔2021〕30号: 本年制发件数 / 本年废止件数 / 现行有效件数 …),
  ``table_2019`` (〔2019〕60号: 本年新制作数量 / 本年新公开数量 / 对外公开总数量 / 上一年项目数量 …), else ``free``.
  Without table markers, a report that cites the notice's 文号 takes its format; a report on 2019 or later
  with the shared heading 收到和处理政府信息公开申请情况 (tables lost to images) takes its year's format.
- ``stats`` (each None when the report does not say — never a guess):
  - ``received``: the 总计 column of 本年新收政府信息公开申请数量 in the tables (the row's 7th number; all
    zeros → 0), or prose such as 共受理/收到…申请12件; 未收到…申请 → 0.
  - ``overdue``: prose 超期/逾期…N件; 未出现超期 / 均在法定期限内答复 → 0; a report that received no request → 0.
    The 2019/2021 tables have no overdue row.
  - ``review_cases`` / ``lawsuits``: the 15 numbers of the 行政复议/行政诉讼 table (复议 总计 = 5th; 诉讼 = 未经复议
    直接起诉 总计 + 复议后起诉 总计 = 10th + 15th), or prose 行政复议N件 / 行政诉讼N件; 未发生…行政复议/诉讼 → 0.
"""

from __future__ import annotations

import re

from crawler.record import PageRecord

from .text import CN_YEAR, cn_year, normalize, normalized_head

_REPORT_WORDS = r"(?:政府信息公开|信息公开|政务公开)(?:工作)?(?:年度)?(?:工作)?(?:报告|年报)"
_REPORT = re.compile(_REPORT_WORDS)
_YEAR_IN_TITLE = (
    re.compile(r"((?:19|20)\d{2})\s*年度"),
    re.compile(rf"((?:19|20)\d{{2}})\s*年[^。;,\n]{{0,40}}?{_REPORT_WORDS}"),
    re.compile(rf"{_REPORT_WORDS}\s*\(\s*((?:19|20)\d{{2}})\s*年?(?:度)?\s*\)"),
    re.compile(rf"({CN_YEAR})\s*年(?:度)?"),
)
_PERIOD = re.compile(r"(?:统计(?:期限|时限|时间|区间|数据)|数据统计期限)[^。\n]{0,12}?((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日")
_OVERVIEW_YEAR = re.compile(r"(?:总体情况|概述|基本情况)\s*\n\s*((?:19|20)\d{2})\s*年\s*[,，度以来]")
_FULL_YEAR = re.compile(r"((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日\s*(?:起)?\s*(?:至|到|-|—)\s*(?:\1\s*年\s*)?12\s*月\s*31\s*日")

_T2021 = re.compile(r"本年制发件数|本年废止件数|现行有效件数|本年制发件|本年处理决定数量")
_T2019 = re.compile(r"本年新制作数量|本年新公开数量|对外公开总数量|上一年项目数量")
_NOTICE_2021 = re.compile(r"国办公开办函\s*〔\s*2021\s*〕\s*30\s*号")
_NOTICE_2019 = re.compile(r"国办公开办函\s*〔\s*2019\s*〕\s*60\s*号")

# The section heading both post-2019 formats share (their tables may be lost to images or scripts).
_HEADING_2019 = re.compile(r"收到和处理政府信息公开申请情况")

_INT = re.compile(r"(?<![\d.])\d{1,7}(?![\d.])")
_RECEIVED_ROW = re.compile(r"本年新收(?:政府信息公开)?申请(?:数量)?")
_REVIEW_SECTION = re.compile(
    r"[四4][、.]\s*因?政府信息公开(?:工作)?(?:被申请)?(?:申请)?行政复议[、和及]?\s*(?:提起)?行政诉讼(?:的)?情况"
)
_SECTION_END = re.compile(r"\n\s*[五六七][、.]")

_NUM = r"(\d{1,7}|[零〇一二两三四五六七八九十]{1,3})"
_RECEIVED_PROSE = (
    re.compile(rf"(?:共|累计|全年|本年度?|年内)?(?:受理|收到|接到|接收)[^。;\n]{{0,24}}?(?:公开)?申请(?:共|总计|合计)?\s*{_NUM}\s*(?:件|份|条|次|宗)"),
    re.compile(rf"(?:依申请公开|政府信息公开申请)[^。;\n]{{0,6}}?(?:共|总计|合计)\s*{_NUM}\s*(?:件|份|条|次|宗)"),
)
_RECEIVED_NONE = re.compile(r"(?:未|没有|无)(?:收到|受理|接到|接收)[^。;\n]{0,12}?(?:公开)?(?:申请|请求)|依申请公开[^。;\n]{0,4}?(?:为零|为0|0件)")
_OVERDUE = (
    re.compile(rf"(?:超期|逾期|超时|超过法定期限)[^。;\n]{{0,10}}?{_NUM}\s*(?:件|份|次|条)"),
    re.compile(rf"{_NUM}\s*(?:件|份|次|条)[^。;,\n]{{0,4}}?(?:超期|逾期)"),
)
_OVERDUE_NONE = re.compile(
    r"(?:未|没有|无|不存在)(?:出现|发生)?[^。;\n]{0,4}?(?:超期|逾期|超时)|(?:均|全部|都|全)(?:已)?(?:在|于)(?:法定|规定)(?:期限|时限)(?:内)?"
    r"|(?:均|全部)已?(?:按时|按期|依法按时)(?:答复|办结|办理)"
)
_REVIEW = re.compile(rf"行政复议(?:案件|申请)?[^。;\n、,和及与]{{0,8}}?{_NUM}\s*(?:件|起|宗|次)")
_LAWSUIT = re.compile(rf"行政诉讼(?:案件)?[^。;\n、,和及与]{{0,8}}?{_NUM}\s*(?:件|起|宗|次)")
_BOTH_ZERO = re.compile(
    r"(?:未|没有|无)(?:发生|出现|收到)?[^。;\n]{0,30}?行政复议[^。;\n]{0,3}?(?:或|和|及|、|与)?[^。;\n]{0,6}?行政诉讼"
    r"|行政复议[^。;\n]{0,3}?(?:或|和|及|、|与)[^。;\n]{0,6}?行政诉讼[^。;\n]{0,10}?(?:均为|为|均)\s*(?:零|0|〇)"
)
_REVIEW_NONE = re.compile(r"(?:未|没有|无)(?:发生|出现|收到)?[^。;\n]{0,30}?行政复议|行政复议[^。;\n]{0,6}?(?:为零|为0|0件)")
_LAWSUIT_NONE = re.compile(r"(?:未|没有|无)(?:发生|出现)?[^。;\n]{0,30}?行政诉讼|行政诉讼[^。;\n]{0,6}?(?:为零|为0|0件)")

_CN_SMALL = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _number(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    if token == "十":
        return 10
    if "十" in token:
        tens, _, ones = token.partition("十")
        return _CN_SMALL.get(tens, 1 if tens == "" else -100) * 10 + (_CN_SMALL.get(ones, -100) if ones else 0)
    return _CN_SMALL.get(token) if len(token) == 1 else None


def _first_number(pattern: re.Pattern, text: str) -> int | None:
    match = pattern.search(text)
    if not match:
        return None
    token = next(g for g in match.groups() if g)
    value = _number(token)
    return value if value is not None and value >= 0 else None


def report_year(title: str, text: str) -> int | None:
    for source in (normalize(title), normalized_head(text, 400)):
        for pattern in _YEAR_IN_TITLE:
            for match in pattern.finditer(source):
                token = match.group(1)
                year = int(token) if token.isdigit() else cn_year(token)
                if year and 2000 <= year <= 2100 and (pattern is not _YEAR_IN_TITLE[0] or _REPORT.search(source)):
                    return year
    head = normalized_head(text, 3000)
    for pattern in (_PERIOD, _FULL_YEAR):
        match = pattern.search(head)
        if match:
            return int(match.group(1))
    # The report's first section opens with its year: 一、总体情况 / 2021年，某某区政府办公室……
    match = _OVERVIEW_YEAR.search(head[:1500])
    return int(match.group(1)) if match else None


def report_format(text: str, year: int | None) -> str:
    if _T2021.search(text):
        return "table_2021"
    if _T2019.search(text):
        return "table_2019"
    if _NOTICE_2021.search(text):
        return "table_2021"
    if _NOTICE_2019.search(text):
        return "table_2019"
    if year and year >= 2019 and _HEADING_2019.search(text):
        return "table_2021" if year >= 2021 else "table_2019"
    return "free"


def _table_received(text: str) -> int | None:
    match = _RECEIVED_ROW.search(text)
    if not match:
        return None
    following = text[match.end() : match.end() + 200]
    stop = re.search(r"[\u4e00-\u9fff]", following)
    numbers = [int(n) for n in _INT.findall(following[: stop.start()] if stop else following)]
    if len(numbers) == 7:
        return numbers[-1]
    if numbers and all(n == 0 for n in numbers):
        return 0
    if len(numbers) == 1:
        return numbers[0]
    return None


def _table_review(text: str) -> tuple[int | None, int | None]:
    match = _REVIEW_SECTION.search(text)
    if not match:
        return None, None
    body = text[match.end() :]
    end = _SECTION_END.search(body)
    numbers = [int(n) for n in _INT.findall(body[: end.start()] if end else body[:1500])]
    if len(numbers) < 15:
        return None, None
    return numbers[4], numbers[9] + numbers[14]


def annual_report_fields(record: PageRecord) -> dict:
    """``extras["annual_report"]`` for a record already judged to be an annual report."""
    text = normalize(record.full_text)
    year = report_year(record.title, record.main_text or text)
    fmt = report_format(text, year)

    received = _table_received(text) if fmt != "free" else None
    if received is None:
        received = 0 if _RECEIVED_NONE.search(text) else _first_number(_RECEIVED_PROSE[0], text)
        if received is None:
            received = _first_number(_RECEIVED_PROSE[1], text)

    overdue = _first_number(_OVERDUE[0], text)
    if overdue is None:
        overdue = _first_number(_OVERDUE[1], text)
    if overdue is None and (_OVERDUE_NONE.search(text) or received == 0):
        overdue = 0

    review, lawsuits = _table_review(text) if fmt != "free" else (None, None)
    if review is None:
        review = _first_number(_REVIEW, text)
    if lawsuits is None:
        lawsuits = _first_number(_LAWSUIT, text)
    both_zero = bool(_BOTH_ZERO.search(text))
    if review is None and (both_zero or _REVIEW_NONE.search(text)):
        review = 0
    if lawsuits is None and (both_zero or _LAWSUIT_NONE.search(text)):
        lawsuits = 0
    return {
        "year": year,
        "format": fmt,
        "stats": {"received": received, "overdue": overdue, "review_cases": review, "lawsuits": lawsuits},
    }
