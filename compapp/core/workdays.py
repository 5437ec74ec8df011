"""Count working days for publication (公示) periods: weekends, public holidays, 调休.

Pure. A publication of results for grade recognition lasts at least 5 working days
(003_a0dee99659bd7bcf.txt:3520). compapp reads "5 个工作日" as the day of publication
plus the following working days: a notice published on a working day counts that day as
day 1; one published on a rest day starts counting on the next working day. The other
common reading — the publication day is not counted (民法典第二百零一条: 开始的当日不计入)
— is available as ``count_start_day=False``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from types import MappingProxyType

from compapp.policy.reading import PolicyFileError, load_toml_strict

DEFAULT_HOLIDAYS_FILE = Path(__file__).resolve().parent.parent / "promotion" / "holidays.toml"

_ONE_DAY = timedelta(days=1)


class CalendarNotCovered(LookupError):
    """A count reached a year whose holidays are not configured."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(
            f"{year} 年的节假日安排尚未录入：请按国务院办公厅当年的节假日安排通知"
            f"在工作日历中录入后再计算公示期。"
        )


def is_working_day(
    day: date,
    holidays: frozenset[date] = frozenset(),
    extra_workdays: frozenset[date] = frozenset(),
) -> bool:
    """Return True when ``day`` is a working day.

    A 调休 Saturday or Sunday in ``extra_workdays`` is a working day; a date in
    ``holidays`` is not; otherwise Monday to Friday are.
    """
    if day in extra_workdays:
        return True
    if day in holidays:
        return False
    return day.weekday() < 5


def add_working_days(
    start: date,
    days: int,
    holidays: frozenset[date] = frozenset(),
    extra_workdays: frozenset[date] = frozenset(),
    *,
    count_start_day: bool = True,
) -> date:
    """Return the last day of a period of ``days`` working days beginning on ``start``.

    ``start`` counts as day 1 when it is a working day (``count_start_day=False``: counting
    begins the day after). ``add_working_days(Monday, 5)`` is that Friday.
    """
    if type(days) is not int or days < 1:
        raise ValueError(f"days must be a positive integer, not {days!r}")
    day = start if count_start_day else start + _ONE_DAY
    counted = 0
    while True:
        if is_working_day(day, holidays, extra_workdays):
            counted += 1
            if counted == days:
                return day
        day += _ONE_DAY


@dataclass(frozen=True)
class HolidayCalendar:
    """The configured public holidays and 调休 working days, year by year."""

    years: frozenset[int]
    holidays: frozenset[date]
    extra_workdays: frozenset[date]
    sources: Mapping[int, str]
    digest: str

    def is_working_day(self, day: date) -> bool:
        """Return True when ``day`` is a working day; refuse a year not configured."""
        self._check_covered(day)
        return is_working_day(day, self.holidays, self.extra_workdays)

    def add_working_days(self, start: date, days: int, *, count_start_day: bool = True) -> date:
        """Return the end of a ``days``-working-day period from ``start`` (see module doc)."""
        end = add_working_days(
            start, days, self.holidays, self.extra_workdays, count_start_day=count_start_day
        )
        # Refuse rather than guess: an unconfigured year may hold a holiday in the period.
        for year in range(start.year, end.year + 1):
            if year not in self.years:
                raise CalendarNotCovered(year)
        return end

    def _check_covered(self, day: date) -> None:
        if day.year not in self.years:
            raise CalendarNotCovered(day.year)


def load_holiday_calendar(path: Path | None = None) -> HolidayCalendar:
    """Load the holiday calendar file (default ``compapp/promotion/holidays.toml``)."""
    path = Path(path) if path is not None else DEFAULT_HOLIDAYS_FILE
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    data = load_toml_strict(path)
    for key in data:
        if key != "years":
            _fail(path, key, "unknown key (a typo?)")
    years_raw = data.get("years")
    if not isinstance(years_raw, dict) or not years_raw:
        _fail(path, "years", "missing: add a [years.YYYY] table per year")

    holidays: set[date] = set()
    workdays: set[date] = set()
    sources: dict[int, str] = {}
    for name, entry in years_raw.items():
        year, source = _read_year(path, name, entry)
        for key, into in (("holidays", holidays), ("workdays", workdays)):
            into |= _read_dates(path, f"years.{name}.{key}", entry.get(key), year, key)
        sources[year] = source

    both = holidays & workdays
    if both:
        _fail(path, "years", f"{min(both)} is both a holiday and a working day")
    return HolidayCalendar(
        years=frozenset(sources),
        holidays=frozenset(holidays),
        extra_workdays=frozenset(workdays),
        sources=MappingProxyType(sources),
        digest=digest,
    )


def _fail(path: Path, key: str, message: str):
    raise PolicyFileError(f"{path.name}: {key}: {message}")


def _read_year(path: Path, name: str, entry) -> tuple[int, str]:
    """Check one [years.YYYY] table's name and keys; return its year and source."""
    where = f"years.{name}"
    if not name.isdigit() or len(name) != 4:
        _fail(path, where, "the table name must be a four-digit year")
    if not isinstance(entry, dict):
        _fail(path, where, "must be a table")
    for key in entry:
        if key not in ("source", "holidays", "workdays"):
            _fail(path, f"{where}.{key}", "unknown key (a typo?)")
    source = entry.get("source")
    if not isinstance(source, str) or not source.strip():
        _fail(path, f"{where}.source", "missing: name the notice these dates come from")
    return int(name), source


def _read_dates(path: Path, where: str, values, year: int, key: str) -> set[date]:
    """Check one year's list of holidays (or 调休 working days) and return its dates."""
    if not isinstance(values, list):
        _fail(path, where, "missing: give a list of dates (may be empty)")
    found: set[date] = set()
    for i, value in enumerate(values):
        if not isinstance(value, date) or isinstance(value, datetime):
            _fail(path, f"{where}[{i}]", "must be a TOML date like 2026-10-01")
        if value.year != year:
            _fail(path, f"{where}[{i}]", f"{value} is not in {year}")
        if value in found:
            _fail(path, f"{where}[{i}]", f"{value} is listed twice")
        if key == "workdays" and value.weekday() < 5:
            _fail(path, f"{where}[{i}]", f"{value} is a weekday, not a 调休 weekend day")
        found.add(value)
    return found
