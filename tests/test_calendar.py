import datetime as dt

import pytest

from checks.calendar import CalendarDataError, CalendarUnknown, WorkingCalendar
from zwgk.services import calendar as cal
from zwgk.services.calendar import load_overrides

D = dt.date

OVERRIDE_2027 = """
years:
  2027:
    source: 测试用安排（非真实通知）
    holidays: [2027-01-01, 2027-10-01..2027-10-07]
    workdays: [2027-09-26]
"""


@pytest.fixture
def override_file(tmp_path, monkeypatch):
    path = tmp_path / "overrides.yaml"
    path.write_text(OVERRIDE_2027, encoding="utf-8")
    monkeypatch.setenv(cal.OVERRIDES_ENV, str(path))
    yield path
    cal._calendar_for.cache_clear()


def test_make_up_saturday_is_a_working_day():
    assert D(2017, 9, 30).weekday() == 5
    assert cal.default_calendar().is_working_day(D(2017, 9, 30)) is True
    assert cal.default_calendar().is_working_day(D(2017, 9, 23)) is False  # an ordinary Saturday


def test_national_day_week_2017_is_off():
    for day in range(1, 9):
        assert cal.default_calendar().is_working_day(D(2017, 10, day)) is False, day
    assert cal.default_calendar().is_working_day(D(2017, 10, 9)) is True


def test_ordinary_week():
    # (Mon 21 Aug, Mon 28 Aug] = Tue–Fri + Mon
    assert cal.default_calendar().working_days_between(D(2017, 8, 21), D(2017, 8, 28)) == 5


def test_interval_over_national_day_counts_the_make_up_saturday():
    # (Fri 29 Sep, Mon 9 Oct]: Sat 30 Sep is a 调休 working day, 1–8 Oct off, 9 Oct a working day
    assert cal.default_calendar().working_days_between(D(2017, 9, 29), D(2017, 10, 9)) == 2
    assert cal.default_calendar().working_days_between(D(2017, 9, 30), D(2017, 10, 9)) == 1


def test_empty_and_reversed_intervals_are_zero():
    assert cal.default_calendar().working_days_between(D(2017, 8, 21), D(2017, 8, 21)) == 0
    assert cal.default_calendar().working_days_between(D(2017, 8, 28), D(2017, 8, 21)) == 0


def test_datetimes_count_by_their_date():
    calendar = cal.default_calendar()
    assert calendar.working_days_between(dt.datetime(2017, 8, 21, 23, 0), dt.datetime(2017, 8, 22, 1, 0)) == 1


def test_interval_across_new_year():
    # (Fri 29 Dec 2017, Tue 2 Jan 2018]: 1 Jan 2018 is a holiday, 2 Jan a working day
    assert cal.default_calendar().working_days_between(D(2017, 12, 29), D(2018, 1, 2)) == 1


def test_unknown_year_raises_with_a_chinese_message():
    with pytest.raises(CalendarUnknown) as info:
        cal.default_calendar().working_days_between(D(2026, 12, 30), D(2027, 1, 5))
    assert info.value.year == 2027
    assert "2027" in str(info.value) and "无法计算工作日" in str(info.value)
    with pytest.raises(CalendarUnknown):
        cal.default_calendar().is_working_day(D(2027, 3, 1))


def test_an_unknown_year_inside_a_reversed_interval_is_not_needed():
    assert cal.default_calendar().working_days_between(D(2027, 1, 5), D(2026, 12, 30)) == 0


def test_override_makes_2027_computable(override_file):
    cal._calendar_for.cache_clear()
    # (Wed 30 Dec 2026, Mon 4 Jan 2027]: 31 Dec working, 1 Jan holiday, 2–3 weekend, 4 Jan working
    assert cal.default_calendar().working_days_between(D(2026, 12, 30), D(2027, 1, 4)) == 2
    assert cal.default_calendar().is_working_day(D(2027, 9, 26)) is True  # a make-up Sunday
    assert cal.default_calendar().is_working_day(D(2027, 10, 4)) is False
    with pytest.raises(CalendarUnknown):
        cal.default_calendar().is_working_day(D(2028, 1, 3))


def test_override_takes_precedence_over_chinesecalendar(tmp_path):
    path = tmp_path / "o.yaml"
    path.write_text("years:\n  2017:\n    source: 更正测试\n    holidays: [2017-08-22]\n", encoding="utf-8")
    calendar = WorkingCalendar(load_overrides(path))
    assert calendar.is_working_day(D(2017, 8, 22)) is False
    assert calendar.is_working_day(D(2017, 9, 30)) is False  # the override lists no make-up day for 2017
    assert calendar.working_days_between(D(2017, 8, 21), D(2017, 8, 28)) == 4


def test_bundled_override_file_is_valid():
    bundled = cal.bundled_overrides()
    assert bundled.exists()
    assert isinstance(load_overrides(bundled), dict)


def test_missing_override_file_means_no_overrides(tmp_path):
    assert load_overrides(tmp_path / "absent.yaml") == {}


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("years:\n  2027:\n    holidays: [2027-01-01]\n", "缺少 source"),
        ("years:\n  2027:\n    source: x\n    holidays: [2028-01-01]\n", "不属于该年"),
        ("years:\n  2027:\n    source: x\n    holidays: [2027-13-01]\n", "无法识别"),
        ("years:\n  2027:\n    source: x\n    holidays: 2027-01-01\n", "应为日期列表"),
        ("years:\n  2027:\n    source: x\n    workdays: [2027-01-04]\n", "不是周末"),
        ("years:\n  2027:\n    source: x\n    holidays: [2027-01-02]\n    workdays: [2027-01-02]\n", "同时列为"),
        ("years:\n  2027:\n    source: x\n    holiday: [2027-01-02]\n", "未知字段"),
        ("years:\n  '27':\n    source: x\n", "年份"),
        ("years:\n  2027:\n    source: x\n    holidays: [2027-01-05..2027-01-01]\n", "起止颠倒"),
        ("years: [1, 2\n", "无法解析"),
        ("- 2027\n", "顶层"),
    ],
)
def test_malformed_override_file_names_file_and_entry(tmp_path, text, fragment):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CalendarDataError) as info:
        load_overrides(path)
    assert str(path) in str(info.value)
    assert fragment in str(info.value)


def test_default_calendar_is_loaded_once(override_file):
    cal._calendar_for.cache_clear()
    first = cal.default_calendar()
    assert cal.default_calendar() is first
    assert 2027 in first.overrides


def test_the_interpretation_check_counts_on_the_calendar_of_its_context(tmp_path):
    """The checks read no file: the calendar (overrides included) comes on the context."""
    from checks import interpretation
    from checks.base import CheckContext
    from checks.registry import get_rubric
    from crawler.record import PageRecord

    def page(url, kind, date, extras):
        return PageRecord(url=url, final_url=url, status=200, content_type="text/html", encoding="utf-8",
                          body_sha256="0", kind=kind, pub_date=date, title="关于加强校园安全管理的意见", extras=extras)

    policy = page("http://a/p", "policy", "2017-08-21", {"policy": {"doc_number": "汨教发〔2017〕21号"}})
    reading = page("http://a/i", "interpretation", "2017-08-25",
                   {"interpretation": {"doc_numbers": ["汨教发〔2017〕21号"], "policy_titles": [], "policy_links": []}})
    path = tmp_path / "o.yaml"
    path.write_text("years:\n  2017:\n    source: 更正测试\n    holidays: [2017-08-22]\n", encoding="utf-8")
    unit = {"id": "edu", "name": "市教育局", "kind": "department", "subunits": []}

    def late(calendar):
        ctx = CheckContext(unit=unit, period=2017, rubric=get_rubric("department-2017"), records=[policy, reading],
                           crawl_status="complete", **({"calendar": calendar} if calendar else {}))
        return [f for f in interpretation.CHECK(ctx) if f.evidence.get("lag_working_days") is not None]

    [plain] = late(None)  # chinesecalendar alone: (Mon 21 Aug, Fri 25 Aug] is 4 working days
    assert (plain.outcome.value, plain.evidence["lag_working_days"]) == ("fail", 4)
    [corrected] = late(WorkingCalendar(load_overrides(path)))  # 22 Aug a holiday: 3 working days
    assert (corrected.outcome.value, corrected.evidence["lag_working_days"]) == ("pass", 3)
