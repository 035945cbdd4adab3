"""Deadline arithmetic (DESIGN.md §5): calendar days in Asia/Shanghai, start day excluded; a
calendar-day period ending on a rest day ends on the next working day (民诉法 Art 85);
working days skip weekends and holidays and include make-up working days (调休上班日)."""

from __future__ import annotations

import datetime as dt

from cases.models import CalendarDayKind, HolidayCalendar

ARBITRATION_RELEASE_DAYS = 15  # clock A, LDMAL Art 14
ACCEPTANCE_WORKING_DAYS = 3  # clock B
MEDIATION_DAYS = 15  # clock C
MAX_EXTENSION_DAYS = 15


class WorkCalendar:
    """Working-day questions over a span of dates, answered from one query."""

    def __init__(self, start: dt.date, end: dt.date) -> None:
        self.overrides = dict(
            HolidayCalendar.objects.filter(date__gte=start, date__lte=end).values_list("date", "kind")
        )

    def is_working_day(self, day: dt.date) -> bool:
        kind = self.overrides.get(day)
        if kind == CalendarDayKind.WORKDAY:
            return True
        if kind == CalendarDayKind.HOLIDAY:
            return False
        return day.weekday() < 5


def _calendar_for(start: dt.date, days: int) -> WorkCalendar:
    # Long holidays are at most 9 days, so a generous margin covers any roll-forward.
    return WorkCalendar(start, start + dt.timedelta(days=days * 2 + 30))


def roll_to_working_day(day: dt.date, calendar: WorkCalendar | None = None) -> dt.date:
    calendar = calendar or _calendar_for(day, 0)
    while not calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def add_calendar_days(start: dt.date, days: int) -> dt.date:
    """`days` calendar days after `start` (start excluded), rolled to a working day."""
    calendar = _calendar_for(start, days)
    return roll_to_working_day(start + dt.timedelta(days=days), calendar)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The `days`-th working day after `start` (start excluded)."""
    calendar = _calendar_for(start, days)
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if calendar.is_working_day(day):
            counted += 1
    return day


def arbitration_release_on(received: dt.date) -> dt.date:
    return add_calendar_days(received, ARBITRATION_RELEASE_DAYS)


def acceptance_due_on(received: dt.date) -> dt.date:
    return add_working_days(received, ACCEPTANCE_WORKING_DAYS)


def mediation_due_on(accepted: dt.date, extension_days: int = 0) -> dt.date:
    return add_calendar_days(accepted, MEDIATION_DAYS + extension_days)
