"""The official Chinese working-day calendar the checks count with (weekends, statutory holidays, 调休).

A day is a working day when the State Council's holiday notice for its year says so: Monday–Friday unless
it is a holiday, plus the make-up working Saturdays/Sundays (调休上班). The data comes from
``chinesecalendar`` (years 2004–2026 in 1.11; its make-up days are ``chinese_calendar.workdays`` — its
``is_in_lieu`` means "a day off moved by 调休", not a make-up working day) and from overrides, which take
precedence for every year they list (a new year's notice, or a correction). A year neither knows raises
:class:`CalendarUnknown`: the checks turn it into ``could_not_assess`` — never a guess.

Pure: the checks get a :class:`WorkingCalendar` on their context (``CheckContext.calendar``). The
application reads the override file (``zwgk.services.calendar``: the bundled one, or the one
``ZWGK_CALENDAR_OVERRIDES`` names) and hands its parsed document to :func:`parse_overrides`, which
validates it. A context built without a calendar counts with ``chinesecalendar`` alone (``STATUTORY``).
Format (dates ``YYYY-MM-DD``; ``A..B`` is an inclusive range; dates are read as strings, not YAML dates)::

    years:
      2027:
        source: 国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕N号）
        holidays: [2027-01-01, 2027-02-05..2027-02-11]
        workdays: [2027-02-13]        # make-up working weekend days (调休上班)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import chinese_calendar


class CalendarUnknown(Exception):
    """The calendar has no holiday schedule for a year the computation needs."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(f"日历数据不含 {year} 年的节假日安排，无法计算工作日")


class CalendarDataError(ValueError):
    """The override data is malformed (message in Chinese, naming the file and the entry)."""


@dataclass(frozen=True)
class YearOverride:
    year: int
    source: str
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]  # make-up working weekend days

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


def _parse_dates(path: str, year: int, key: str, raw: Any) -> frozenset[dt.date]:
    where = f"日历覆盖文件 {path} 中 {year} 年的 {key}"
    if raw is None:
        return frozenset()
    if not isinstance(raw, list):
        raise CalendarDataError(f"{where} 应为日期列表")
    days: set[dt.date] = set()
    for item in raw:
        if not isinstance(item, str):
            raise CalendarDataError(f"{where} 含无法识别的条目：{item!r}（应为 YYYY-MM-DD 或 YYYY-MM-DD..YYYY-MM-DD）")
        try:
            if ".." in item:
                a, b = item.split("..", 1)
                first, last = dt.date.fromisoformat(a.strip()), dt.date.fromisoformat(b.strip())
            else:
                first = last = dt.date.fromisoformat(item.strip())
        except ValueError:
            raise CalendarDataError(
                f"{where} 含无法识别的条目：{item!r}（应为 YYYY-MM-DD 或 YYYY-MM-DD..YYYY-MM-DD）"
            ) from None
        if last < first:
            raise CalendarDataError(f"{where} 的日期区间 {item!r} 起止颠倒")
        day = first
        while day <= last:
            if day.year != year:
                raise CalendarDataError(f"{where} 含不属于该年的日期 {day.isoformat()}")
            days.add(day)
            day += dt.timedelta(days=1)
    return frozenset(days)


def parse_overrides(doc: Any, path: str) -> dict[int, YearOverride]:
    """Validate an override document (YAML parsed with its dates left as strings); ``path`` names its file
    in the messages. ``None`` (an empty file) means no overrides."""
    if doc is None:
        return {}
    if not isinstance(doc, dict) or not isinstance(doc.get("years", {}), (dict, type(None))):
        raise CalendarDataError(f"日历覆盖文件 {path} 格式有误：顶层应为含 years 映射的字典")
    result: dict[int, YearOverride] = {}
    for year, entry in (doc.get("years") or {}).items():
        if not isinstance(year, int) or not 1949 <= year <= 2200:
            raise CalendarDataError(f"日历覆盖文件 {path} 中的年份 {year!r} 无效（应为四位整数年份）")
        if not isinstance(entry, dict):
            raise CalendarDataError(f"日历覆盖文件 {path} 中 {year} 年的条目应为字典（source、holidays、workdays）")
        unknown = set(entry) - {"source", "holidays", "workdays"}
        if unknown:
            raise CalendarDataError(f"日历覆盖文件 {path} 中 {year} 年的条目含未知字段：{'、'.join(sorted(map(str, unknown)))}")
        source = entry.get("source")
        if not isinstance(source, str) or not source.strip():
            raise CalendarDataError(f"日历覆盖文件 {path} 中 {year} 年的条目缺少 source（数据来源说明）")
        holidays = _parse_dates(path, year, "holidays", entry.get("holidays"))
        workdays = _parse_dates(path, year, "workdays", entry.get("workdays"))
        both = sorted(holidays & workdays)
        if both:
            raise CalendarDataError(
                f"日历覆盖文件 {path} 中 {year} 年的 {both[0].isoformat()} 同时列为节假日和调休上班日"
            )
        weekday_makeups = sorted(d for d in workdays if d.weekday() < 5)
        if weekday_makeups:
            raise CalendarDataError(
                f"日历覆盖文件 {path} 中 {year} 年的调休上班日 {weekday_makeups[0].isoformat()} 不是周末"
            )
        result[year] = YearOverride(year, source.strip(), holidays, workdays)
    return result


class WorkingCalendar:
    """chinesecalendar plus overrides (which win for the years they list)."""

    def __init__(self, overrides: dict[int, YearOverride] | None = None):
        self.overrides = dict(overrides or {})

    def is_working_day(self, day: dt.date) -> bool:
        day = _as_date(day)
        override = self.overrides.get(day.year)
        if override is not None:
            return override.is_working_day(day)
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            raise CalendarUnknown(day.year) from None

    def knows_year(self, year: int) -> bool:
        if year in self.overrides:
            return True
        try:
            chinese_calendar.is_workday(dt.date(year, 1, 1))
        except NotImplementedError:
            return False
        return True

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        start, end = _as_date(start), _as_date(end)
        if end <= start:
            return 0
        first = start + dt.timedelta(days=1)
        for year in range(first.year, end.year + 1):
            if not self.knows_year(year):
                raise CalendarUnknown(year)
        count = 0
        day = first
        while day <= end:
            count += self.is_working_day(day)
            day += dt.timedelta(days=1)
        return count


def _as_date(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


STATUTORY = WorkingCalendar()  # chinesecalendar alone: the calendar of a context given no overrides
