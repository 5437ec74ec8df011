"""The shipped working-day calendar agrees with a maintained one, for the years both cover.

Test-only: chinese-calendar (PyPI, pinned in setup.cfg's test extras) is kept up to date by
its maintainers from the State Council's notices; a typo in holidays.toml (a holiday left out,
a 调休 Saturday on the wrong week) shows here as a difference on a named day.
"""

from __future__ import annotations

from datetime import date

from chinese_calendar.constants import holidays as maintained_holidays
from chinese_calendar.constants import workdays as maintained_workdays

from compapp.core.workdays import DEFAULT_HOLIDAYS_FILE, HolidayCalendar, load_holiday_calendar


def differences(calendar: HolidayCalendar) -> dict[str, list[date]]:
    """Days on which ``calendar`` and chinese-calendar disagree, in the years both cover."""
    common = calendar.years & {day.year for day in maintained_holidays}
    found = {}
    for name, ours, theirs in (
        ("holidays", calendar.holidays, maintained_holidays),
        ("调休 working days", calendar.extra_workdays, maintained_workdays),
    ):
        mine = {d for d in ours if d.year in common}
        other = {d for d in theirs if d.year in common}
        if mine ^ other:
            found[name] = sorted(mine ^ other)
    return found


def test_shipped_years_match_the_maintained_calendar_day_by_day():
    shipped = load_holiday_calendar()
    assert shipped.years & {d.year for d in maintained_holidays}, "no year covered by both"
    assert differences(shipped) == {}


def test_the_cross_check_catches_a_typo(tmp_path):
    """A 调休 Saturday moved by one week in a copy of the file is found on both days."""
    broken = tmp_path / "holidays.toml"
    broken.write_text(DEFAULT_HOLIDAYS_FILE.read_text().replace("2026-10-10,", "2026-10-17,"))
    assert differences(load_holiday_calendar(broken)) == {
        "调休 working days": [date(2026, 10, 10), date(2026, 10, 17)]
    }
