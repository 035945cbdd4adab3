"""Case and registry numbers: one counter per organisation, Beijing year and series."""

from __future__ import annotations

from django.db import transaction

from cases import services
from cases.models import CaseNumberSequence
from cases.workflow import Status
from tests.cases.services.helpers import beijing


def test_series_and_years_are_counted_separately(world, clerk):
    def allocate(organization, series, when):
        return services.number_allocate(organization=organization, series=series, when=when, actor=clerk)

    with transaction.atomic():
        numbers = [
            allocate(world.district, "registry", beijing(2026, 3, 2)),
            allocate(world.district, "registry", beijing(2026, 3, 2)),
            allocate(world.district, "case", beijing(2026, 3, 2)),
            allocate(world.district, "case", beijing(2027, 1, 1, 0, 5)),
            allocate(world.other_town, "case", beijing(2026, 3, 2)),
        ]

    assert numbers == [
        "（2026）京兴工调登字第0001号",
        "（2026）京兴工调登字第0002号",
        "（2026）京兴工调字第0001号",
        "（2027）京兴工调字第0001号",
        "（2026）京兴旧工调字第0001号",
    ]
    assert sorted(CaseNumberSequence.objects.values_list("organization__code", "year", "series", "last_value")) == [
        ("DX", 2026, "case", 1),
        ("DX", 2026, "registry", 2),
        ("DX", 2027, "case", 1),
        ("JG", 2026, "case", 1),
    ]


def test_the_organisations_template_is_used(world, clerk):
    world.district.case_number_template = "{short_code}〔{year}〕{seq}号"
    world.district.save()

    with transaction.atomic():
        number = services.number_allocate(
            organization=world.district, series="case", when=beijing(2026, 3, 2), actor=clerk
        )

    assert number == "京兴工调〔2026〕1号"


def test_counter_history_names_the_actor(case_in, clerk, director, mediator):
    """CONVENTIONS §10: every history row of a historised model names who caused it."""
    case = case_in(Status.DRAFT)

    services.case_register(case=case, actor=clerk)
    services.case_accept(case=case, actor=director, mediators=[mediator])

    registry = CaseNumberSequence.objects.get(series="registry")
    numbers = CaseNumberSequence.objects.get(series="case")
    assert {user for (user,) in registry.history.values_list("history_user_id")} == {clerk.pk}
    assert {user for (user,) in numbers.history.values_list("history_user_id")} == {director.pk}
