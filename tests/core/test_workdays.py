"""Working days for the publication (公示) of promotion results (003_a0dee99659bd7bcf.txt:3520)."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from compapp.core.workdays import (
    DEFAULT_HOLIDAYS_FILE,
    CalendarNotCovered,
    add_working_days,
    is_working_day,
    load_holiday_calendar,
)
from compapp.policy.strict_toml import PolicyFileError

CALENDAR = load_holiday_calendar()


def test_five_days_from_a_monday_end_that_friday():
    """The day of publication counts as day 1 when it is a working day."""
    assert add_working_days(date(2026, 11, 23), 5) == date(2026, 11, 27)


def test_period_across_a_weekend_skips_saturday_and_sunday():
    """Published Thursday 2026-11-26: Thu, Fri, Mon, Tue, Wed → ends 2026-12-02."""
    assert add_working_days(date(2026, 11, 26), 5) == date(2026, 12, 2)


def test_publication_on_a_sunday_starts_counting_on_monday():
    """A rest day is not a working day of the period."""
    assert add_working_days(date(2026, 11, 29), 5) == date(2026, 12, 4)


def test_not_counting_the_start_day_moves_the_end_one_working_day():
    """民法典第二百零一条 reading: the day of publication is not counted."""
    assert add_working_days(date(2026, 11, 23), 5, count_start_day=False) == date(2026, 11, 30)


def test_period_across_national_day_skips_the_holiday_week():
    """2026: 10月1日至7日放假; 9月28日 Mon → 28, 29, 30, 10-08, 10-09."""
    assert CALENDAR.add_working_days(date(2026, 9, 28), 5) == date(2026, 10, 9)


def test_period_across_mid_autumn_and_national_day_2026():
    """2026: 中秋 9月25日–27日, 国庆 10月1日–7日: Thu 9-24 → 24, 28, 29, 30, 10-08."""
    assert CALENDAR.add_working_days(date(2026, 9, 24), 5) == date(2026, 10, 8)


def test_adjusted_working_sunday_counts():
    """2025: 9月28日 (周日) 上班: Fri 9-26 → 26, Sun 28, 29, 30, then 10-09 after the 8-day break."""
    assert CALENDAR.add_working_days(date(2025, 9, 26), 5) == date(2025, 10, 9)


def test_adjusted_working_saturday_counts():
    """2026: 10月10日 (周六) 上班: Thu 10-08 → 8, 9, Sat 10, 12, 13."""
    assert CALENDAR.add_working_days(date(2026, 10, 8), 5) == date(2026, 10, 13)


def test_spring_festival_2026_with_its_two_working_saturdays():
    """2026 春节 2月15日–23日, 2月14日 (周六) and 2月28日 (周六) 上班."""
    assert CALENDAR.add_working_days(date(2026, 2, 12), 5) == date(2026, 2, 25)
    assert CALENDAR.is_working_day(date(2026, 2, 14))
    assert CALENDAR.is_working_day(date(2026, 2, 28))
    assert not CALENDAR.is_working_day(date(2026, 2, 23))


@pytest.mark.parametrize(
    ("day", "working"),
    [(date(2026, 10, 1), False), (date(2026, 10, 10), True), (date(2026, 10, 11), False),
     (date(2026, 1, 4), True), (date(2026, 1, 2), False), (date(2025, 1, 1), False),
     (date(2025, 1, 26), True), (date(2025, 4, 27), True), (date(2025, 6, 2), False),
     (date(2026, 11, 26), True)],
)  # fmt: skip
def test_calendar_knows_holidays_and_adjusted_workdays(day, working):
    """Dates from the State Council notices for 2025 and 2026."""
    assert CALENDAR.is_working_day(day) is working


def test_plain_function_takes_holidays_and_extra_workdays():
    """Without a calendar: weekends off, listed holidays off, listed 调休 days on."""
    holidays = frozenset({date(2026, 10, 1)})
    extra = frozenset({date(2026, 10, 3)})
    assert not is_working_day(date(2026, 10, 1), holidays, extra)
    assert is_working_day(date(2026, 10, 3), holidays, extra)
    assert not is_working_day(date(2026, 10, 4), holidays, extra)
    # Wed 9-30 (1), Thu 10-1 off, Fri 10-2 (2), Sat 10-3 调休 (3).
    assert add_working_days(date(2026, 9, 30), 3, holidays, extra) == date(2026, 10, 3)


@pytest.mark.parametrize("days", [0, -1, True])
def test_days_must_be_a_positive_integer(days):
    """A 0-day publication period is a mistake, not 'today'."""
    with pytest.raises(ValueError):
        add_working_days(date(2026, 11, 23), days)


def test_period_reaching_an_unconfigured_year_is_refused():
    """2027's holidays are not configured: refuse rather than guess (元旦 falls in the period)."""
    with pytest.raises(CalendarNotCovered, match="2027"):
        CALENDAR.add_working_days(date(2026, 12, 28), 5)


def test_calendar_covers_2025_and_2026_with_sources():
    """Each year names the notice its dates come from."""
    assert CALENDAR.years == frozenset({2025, 2026})
    assert "2025年部分节假日安排" in CALENDAR.sources[2025]
    assert "2026年部分节假日安排" in CALENDAR.sources[2026]
    assert len(CALENDAR.holidays) == 28 + 33
    assert CALENDAR.digest == hashlib.sha256(DEFAULT_HOLIDAYS_FILE.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('[years.2027]\nsource = "x"\nholidays = [2026-01-01]\nworkdays = []\n', "not in 2027"),
        ('[years.2027]\nsource = "x"\nholidays = []\nworkdays = [2027-01-04]\n', "is a weekday"),
        ('[years.2027]\nholidays = []\nworkdays = []\n', "years.2027.source"),
        ('[years.2027]\nsource = "x"\nholidays = [1.5]\nworkdays = []\n', "float"),
        ('[years.2027]\nsource = "x"\nholiday = []\nworkdays = []\n', "years.2027.holiday"),
        ('[years.2027]\nsource = "x"\nholidays = [2027-01-02]\nworkdays = [2027-01-02]\n',
         "both a holiday and a working day"),
        ('[years.27]\nsource = "x"\nholidays = []\nworkdays = []\n', "four-digit year"),
    ],
)  # fmt: skip
def test_calendar_loader_refuses_bad_files(tmp_path, text, fragment):
    """The calendar is configurable data, checked as strictly as policy files."""
    path = tmp_path / "holidays.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyFileError, match="holidays.toml") as info:
        load_holiday_calendar(path)
    assert fragment in str(info.value)
