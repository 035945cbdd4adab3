"""T14 deadline computation (Asia/Shanghai): every calendar day 2024-01-01..2030-12-31,
received at three clock positions, against an independent reference built from the holiday
table (cases.holidays) rather than from the code under test.

Only 2025-2027 have a holiday calendar (docs/deadlines.md); the project does not invent
holiday dates, so for 2024 and 2028-2030 the rest days are the weekends alone, and the
tests say so explicitly (test_years_without_a_calendar_count_weekends_only).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from cases import deadlines, services
from cases.holidays import CALENDAR
from cases.models import CalendarDayKind, HolidayCalendar
from cases.workflow import Status

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")
FIRST, LAST = dt.date(2024, 1, 1), dt.date(2030, 12, 31)
DAYS = [FIRST + dt.timedelta(days=i) for i in range((LAST - FIRST).days + 1)]
CLOCK_POSITIONS = (dt.time(0, 0, 1), dt.time(12, 0), dt.time(23, 59, 59))
OVERRIDES = {dt.date.fromisoformat(day): kind for day, kind, _ in CALENDAR}
CALENDAR_YEARS = {day.year for day in OVERRIDES}


def ref_is_working_day(day: dt.date) -> bool:
    kind = OVERRIDES.get(day)
    if kind is not None:
        return kind == CalendarDayKind.WORKDAY
    return day.weekday() < 5


def ref_calendar_days(start: dt.date, days: int) -> dt.date:
    due = start + dt.timedelta(days=days)
    while not ref_is_working_day(due):
        due += dt.timedelta(days=1)
    return due


def ref_working_days(start: dt.date, days: int) -> dt.date:
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        counted += ref_is_working_day(day)
    return day


def test_the_database_calendar_is_the_reference_calendar():
    stored = dict(HolidayCalendar.objects.values_list("date", "kind"))
    assert stored == OVERRIDES
    assert CALENDAR_YEARS == {2025, 2026, 2027}


def test_receipt_instants_map_to_their_beijing_day_whatever_the_utc_day():
    """Three receipt times per day; 00:00:01 Beijing is the previous day in UTC, so a
    deadline taken from the UTC date would be a day early for it."""
    shifted = 0
    for day in DAYS:
        for position in CLOCK_POSITIONS:
            instant = dt.datetime.combine(day, position, tzinfo=BEIJING).astimezone(dt.UTC)
            assert timezone.localdate(instant) == day
            assert instant.utcoffset() == dt.timedelta(0)
            assert dt.datetime.combine(day, position, tzinfo=BEIJING).utcoffset() == dt.timedelta(hours=8)  # no DST
            shifted += instant.date() != day
    assert shifted == len(DAYS)  # exactly the 00:00:01 receipts cross UTC midnight


def test_every_day_matches_the_reference_and_its_properties():
    mismatches = []
    for day in DAYS:
        a = deadlines.arbitration_release_on(day)
        b = deadlines.acceptance_due_on(day)
        c = deadlines.mediation_due_on(day)
        expected = (ref_calendar_days(day, 15), ref_working_days(day, 3), ref_calendar_days(day, 15))
        if (a, b, c) != expected:
            mismatches.append((day, (a, b, c), expected))
            continue
        # Calendar-day clocks: start day excluded, exactly +15 unless day 15 is a rest day,
        # then the first working day after it (every day in between is a rest day).
        for due in (a, c):
            assert due >= day + dt.timedelta(days=15)
            assert ref_is_working_day(due)
            gap = [day + dt.timedelta(days=15 + i) for i in range((due - day).days - 15)]
            assert not any(ref_is_working_day(d) for d in gap)
            if ref_is_working_day(day + dt.timedelta(days=15)):
                assert due == day + dt.timedelta(days=15)
        # Working-day clock: the due day is a working day and the 3rd one after the start.
        assert ref_is_working_day(b)
        between = [day + dt.timedelta(days=i) for i in range(1, (b - day).days + 1)]
        assert sum(ref_is_working_day(d) for d in between) == 3
    assert mismatches == []


def test_extensions_add_calendar_days():
    day = dt.date(2026, 9, 10)
    for extra in range(16):
        assert deadlines.mediation_due_on(day, extra) == ref_calendar_days(day, 15 + extra)


def test_years_without_a_calendar_count_weekends_only():
    """2024 and 2028-2030 have no State Council notice in the table: their national
    holidays are not known to the system and only weekends are rest days. The deadline for
    2028-10-01 (a Sunday) rolls to Monday 2028-10-02, the Spring Festival of 2024 is a
    working period. Load the notice in the admin to change this (docs/deadlines.md)."""
    assert not HolidayCalendar.objects.filter(date__year__in=[2024, 2028, 2029, 2030]).exists()
    assert deadlines.arbitration_release_on(dt.date(2028, 9, 16)) == dt.date(2028, 10, 2)
    assert deadlines.acceptance_due_on(dt.date(2024, 2, 9)) == dt.date(2024, 2, 14)
    # Where the calendar is known, the same arithmetic skips the holidays.
    assert deadlines.arbitration_release_on(dt.date(2026, 9, 16)) == dt.date(2026, 10, 8)
    assert deadlines.acceptance_due_on(dt.date(2026, 2, 13)) == dt.date(2026, 2, 25)


# --- the clock of the process: registration with no explicit receipt time ------------------------

FROZEN = [
    dt.datetime(2026, 9, 30, 0, 30, tzinfo=BEIJING),  # 2026-09-29 16:30 UTC, eve of 国庆
    dt.datetime(2026, 2, 13, 7, 59, tzinfo=BEIJING),  # 2026-02-12 23:59 UTC, before 春节
    dt.datetime(2025, 12, 31, 23, 59, 59, tzinfo=BEIJING),  # year rollover in UTC vs Beijing
    dt.datetime(2027, 1, 1, 0, 0, 1, tzinfo=BEIJING),
]


@pytest.mark.parametrize("process_tz", ["Asia/Shanghai", "UTC"])
def test_registration_dates_come_from_the_beijing_clock(service_case, people, monkeypatch, process_tz):
    monkeypatch.setenv("TZ", process_tz)
    time.tzset()
    try:
        for frozen in FROZEN:
            monkeypatch.setattr(timezone, "now", lambda f=frozen: f.astimezone(dt.UTC))
            case = service_case(Status.DRAFT)
            case = services.case_register(case=case, actor=people.clerk)
            received = frozen.date()
            assert timezone.localdate(case.received_at) == received
            assert case.arbitration_release_on == ref_calendar_days(received, 15)
            assert case.acceptance_due_on == ref_working_days(received, 3)
            case = services.case_accept(case=case, actor=people.director, mediators=[people.mediator])
            assert case.mediation_due_on == ref_calendar_days(received, 15)
            assert case.case_number.startswith(f"（{received.year}）")
    finally:
        monkeypatch.undo()
        time.tzset()


def test_no_utc_dates_in_the_code():
    """The static half of T14: dates come from timezone.localdate(), never from the UTC
    date of timezone.now() or the process-local date.today()/datetime.now()."""
    root = Path(__file__).resolve().parents[2]
    pattern = re.compile(r"now\(\)\.date\(\)|date\.today\(\)|datetime\.now\(\)|\.utcnow\(\)")
    offenders = [
        f"{path.relative_to(root)}:{n}"
        for app in ("accounts", "cases", "mediation", "linkage", "documents", "reports", "core", "config")
        for path in (root / app).rglob("*.py")
        if "migrations" not in path.parts
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []
    assert os.environ.get("TZ", "Asia/Shanghai") in ("Asia/Shanghai", "UTC")
