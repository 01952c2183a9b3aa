"""The official Chinese working-day calendar the checks count with (weekends, statutory holidays, 调休).

A day is a working day when the State Council's holiday notice for its year says so: Monday–Friday unless
it is a holiday, plus the make-up working Saturdays/Sundays (调休上班). The data comes from
``chinesecalendar`` (years 2004–2026 in 1.11; its make-up days are ``chinese_calendar.workdays`` — its
``is_in_lieu`` means "a day off moved by 调休", not a make-up working day) and from an override file,
``data/calendar/overrides.yaml``, which takes precedence for every year it lists (a new year's notice, or a
correction). A year neither knows raises :class:`CalendarUnknown`: the checks turn it into
``could_not_assess`` — never a guess.

The override file is read once per process (cached); ``ZWGK_CALENDAR_OVERRIDES`` names another file.
Format (dates ``YYYY-MM-DD``; ``A..B`` is an inclusive range)::

    years:
      2027:
        source: 国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕N号）
        holidays: [2027-01-01, 2027-02-05..2027-02-11]
        workdays: [2027-02-13]        # make-up working weekend days (调休上班)
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import chinese_calendar
import yaml

OVERRIDES_ENV = "ZWGK_CALENDAR_OVERRIDES"


def _bundled_overrides() -> Path:
    """data/calendar/overrides.yaml in a checkout; zwgk_data/calendar/overrides.yaml when installed."""
    checkout = Path(__file__).resolve().parent.parent / "data" / "calendar" / "overrides.yaml"
    if checkout.exists():
        return checkout
    try:
        return Path(str(importlib.resources.files("zwgk_data") / "calendar" / "overrides.yaml"))
    except ModuleNotFoundError:
        return checkout


class _DatesAsStrings(yaml.SafeLoader):
    """Leaves dates as strings so that a bad date is reported with its entry, not as a YAML error."""


_DatesAsStrings.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class CalendarUnknown(Exception):
    """The calendar has no holiday schedule for a year the computation needs."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(f"日历数据不含 {year} 年的节假日安排，无法计算工作日")


class CalendarDataError(ValueError):
    """The override file is malformed (message in Chinese, naming the file and the entry)."""


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


def _parse_dates(path: Path, year: int, key: str, raw: Any) -> frozenset[dt.date]:
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


def load_overrides(path: Path) -> dict[int, YearOverride]:
    """Read and validate an override file; a missing file means no overrides."""
    path = Path(path)
    if not path.exists():
        return {}
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_DatesAsStrings)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CalendarDataError(f"日历覆盖文件 {path} 无法解析：{exc}") from None
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


@functools.lru_cache(maxsize=4)
def _calendar_for(path: str) -> WorkingCalendar:
    return WorkingCalendar(load_overrides(Path(path)))


def default_calendar() -> WorkingCalendar:
    """The calendar with the bundled override file (or the one ``ZWGK_CALENDAR_OVERRIDES`` names), cached."""
    return _calendar_for(os.environ.get(OVERRIDES_ENV) or str(_bundled_overrides()))


def is_working_day(d: dt.date) -> bool:
    """True when ``d`` is an official working day; CalendarUnknown when its year has no data."""
    return default_calendar().is_working_day(d)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Official working days in (start, end]; 0 when end <= start; CalendarUnknown for an unknown year."""
    return default_calendar().working_days_between(start, end)
