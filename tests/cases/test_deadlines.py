"""Deadline arithmetic over the seeded holiday calendar, and the idempotent sweep."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.services import system_user
from cases import deadlines, services
from cases.models import CaseEvent, DeadlineAlert, HolidayCalendar
from cases.tasks import sweep_deadlines_task
from tests.factories import CaseFactory

D = dt.date.fromisoformat


@pytest.mark.django_db
def test_holiday_calendar_is_seeded_for_2025_to_2027():
    years = {d.year for d in HolidayCalendar.objects.values_list("date", flat=True)}
    assert years == {2025, 2026, 2027}
    assert HolidayCalendar.objects.get(date=D("2026-02-14")).kind == "workday"
    assert HolidayCalendar.objects.get(date=D("2026-10-01")).kind == "holiday"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("2026-11-20", "2026-11-25"),  # Friday: Mon, Tue, Wed
        ("2026-02-13", "2026-02-25"),  # Sat 14th is a make-up working day, then the Spring Festival
        ("2026-09-30", "2026-10-10"),  # National Day week; Sat 10 Oct is a make-up working day
        ("2025-12-31", "2026-01-06"),  # New Year holiday 1-3 Jan, Sun 4 Jan worked
    ],
)
def test_working_days_skip_weekends_and_holidays(start, expected):
    assert deadlines.add_working_days(D(start), 3) == D(expected)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("2026-03-02", "2026-03-17"),  # plain 15 days, start day excluded
        ("2026-11-06", "2026-11-23"),  # ends on Saturday: next working day
        ("2026-09-20", "2026-10-08"),  # ends in the National Day holiday
        ("2026-02-13", "2026-02-28"),  # ends on a make-up working Saturday: stays
    ],
)
def test_calendar_day_periods_end_on_a_working_day(start, expected):
    assert deadlines.add_calendar_days(D(start), 15) == D(expected)


@pytest.mark.django_db
def test_mediation_due_counts_the_extension():
    assert deadlines.mediation_due_on(D("2026-03-02"), 10) == D("2026-03-27")


def _registered_days_ago(world, people, days: int):
    case = CaseFactory(organization=world.district, created_by=people.clerk)
    return services.case_register(case=case, actor=people.clerk, received_at=timezone.now() - dt.timedelta(days=days))


def test_register_sets_clocks_a_and_b(world, people):
    case = services.case_register(
        case=CaseFactory(organization=world.district, created_by=people.clerk),
        actor=people.clerk,
        received_at=dt.datetime(2026, 9, 30, 10, 0, tzinfo=dt.UTC),
    )
    assert case.acceptance_due_on == D("2026-10-10")
    assert case.arbitration_release_on == D("2026-10-15")


def test_accept_sets_clock_c_in_beijing_time(world, people):
    case = _registered_days_ago(world, people, 1)
    # 2026-03-01 17:30 UTC is already 2 March in Beijing.
    case = services.case_accept(
        case=case,
        actor=people.director,
        mediators=[people.mediator],
        accepted_at=dt.datetime(2026, 3, 1, 17, 30, tzinfo=dt.UTC),
    )
    assert case.mediation_due_on == D("2026-03-17")


def test_sweep_raises_alerts_once_and_resolves_them(world, people):
    overdue = _registered_days_ago(world, people, 20)
    fresh = _registered_days_ago(world, people, 0)
    first = services.deadlines_sweep(actor=system_user())
    assert first == {"created": 2, "resolved": 0}  # clocks A and B of the overdue case
    assert set(DeadlineAlert.objects.values_list("case_id", "clock")) == {(overdue.pk, "A"), (overdue.pk, "B")}
    assert not DeadlineAlert.objects.filter(case=fresh).exists()
    alert = DeadlineAlert.objects.get(case=overdue, clock="B")
    assert alert.history.get().history_user == system_user()
    assert CaseEvent.objects.filter(case=overdue, kind="alert").count() == 2

    assert services.deadlines_sweep(actor=system_user()) == {"created": 0, "resolved": 0}
    assert DeadlineAlert.objects.count() == 2
    assert CaseEvent.objects.filter(kind="alert").count() == 2

    services.case_reject(case=overdue, actor=people.director, reason_code="duplicate")
    assert services.deadlines_sweep(actor=system_user()) == {"created": 0, "resolved": 2}
    assert DeadlineAlert.objects.filter(resolved_at__isnull=True).count() == 0


def test_sweep_command_and_task_are_idempotent(world, people, capsys):
    _registered_days_ago(world, people, 20)
    call_command("sweep_deadlines")
    assert "alerts created: 2" in capsys.readouterr().out
    assert sweep_deadlines_task.delay().get() == {"created": 0, "resolved": 0}


def test_sweep_command_rejects_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("sweep_deadlines", today="2026-13-01")


def test_beat_schedules_the_nightly_sweep(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-deadlines-nightly"]
    assert entry["task"] == "cases.tasks.sweep_deadlines_task"
