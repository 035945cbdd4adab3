"""Who sees which case (accounts.access via cases.selectors): district staff see the district
and its towns, town staff their town, liaisons and admins no case content; auditors read only."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.http import Http404

from accounts.models import Membership
from cases.selectors import case_get_for_user, case_list, case_queryset_for_user
from cases.workflow import Status
from core.exceptions import PermissionDeniedError

VISIBLE: dict[str, set[str]] = {
    "director": {"district", "town", "other_town"},
    "mediator": {"district", "town", "other_town"},
    "clerk": {"district", "town", "other_town"},
    "auditor": {"district", "town", "other_town"},
    "town_clerk": {"town"},
    "other_town_clerk": {"other_town"},
    "liaison": set(),
    "admin_user": set(),
}
WHERE = ["district", "town", "other_town"]


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cases(world, case_in) -> SimpleNamespace:
    """One registered case in the district centre and one in each town."""
    return SimpleNamespace(
        district=case_in(Status.REGISTERED, world.district),
        town=case_in(Status.REGISTERED, world.town),
        other_town=case_in(Status.REGISTERED, world.other_town),
    )


@pytest.mark.parametrize("persona", list(VISIBLE))
def test_queryset_holds_exactly_the_cases_in_scope(request, cases, persona):
    user = request.getfixturevalue(persona)

    visible = set(case_queryset_for_user(user).values_list("pk", flat=True))

    assert visible == {getattr(cases, where).pk for where in VISIBLE[persona]}


@pytest.mark.parametrize("persona", list(VISIBLE))
def test_get_for_user_answers_404_outside_scope(request, cases, persona):
    user = request.getfixturevalue(persona)

    for where in WHERE:
        case = getattr(cases, where)
        if where in VISIBLE[persona]:
            assert case_get_for_user(case_id=case.pk, user=user) == case
            assert case_get_for_user(case_id=str(case.pk), user=user) == case
        else:
            with pytest.raises(Http404):
                case_get_for_user(case_id=case.pk, user=user)
            with pytest.raises(Http404):
                case_get_for_user(case_id=case.pk, user=user, for_write=True)


@pytest.mark.parametrize("persona", ["director", "mediator", "clerk"])
def test_district_writers_may_write_everywhere_below(request, cases, persona):
    user = request.getfixturevalue(persona)

    for where in WHERE:
        case = getattr(cases, where)
        assert case_get_for_user(case_id=case.pk, user=user, for_write=True) == case


@pytest.mark.parametrize(("persona", "where"), [("town_clerk", "town"), ("other_town_clerk", "other_town")])
def test_town_clerk_may_write_own_town(request, cases, persona, where):
    user = request.getfixturevalue(persona)
    case = getattr(cases, where)

    assert case_get_for_user(case_id=case.pk, user=user, for_write=True) == case


def test_auditor_reads_but_may_not_write(auditor, cases):
    for where in WHERE:
        case = getattr(cases, where)

        assert case_get_for_user(case_id=case.pk, user=auditor) == case
        with pytest.raises(PermissionDeniedError) as exc:
            case_get_for_user(case_id=case.pk, user=auditor, for_write=True)

        assert exc.value.message == "您的角色只能查看，不能修改案件。"
        assert exc.value.status_code == 403


def test_bad_or_missing_id_is_404(director, cases):
    for case_id in ["abc", "", None, "1.0", f"{cases.district.pk} OR 1=1", [cases.district.pk], 10**9]:
        with pytest.raises(Http404):
            case_get_for_user(case_id=case_id, user=director)


def test_inactive_membership_gives_no_scope(town_clerk, cases):
    Membership.objects.filter(user=town_clerk).update(active=False)
    town_clerk._active_memberships = None  # drop the per-request cache

    assert not case_queryset_for_user(town_clerk).exists()
    with pytest.raises(Http404):
        case_get_for_user(case_id=cases.town.pk, user=town_clerk)


def test_deactivated_user_sees_nothing(director, cases):
    director.is_active = False
    director.save()
    director._active_memberships = None

    assert not case_queryset_for_user(director).exists()


def test_anonymous_user_sees_nothing(cases):
    from django.contrib.auth.models import AnonymousUser

    assert not case_queryset_for_user(AnonymousUser()).exists()
    with pytest.raises(Http404):
        case_get_for_user(case_id=cases.district.pk, user=AnonymousUser())


@pytest.mark.parametrize("persona", list(VISIBLE))
def test_case_list_is_scoped_too(request, cases, persona):
    user = request.getfixturevalue(persona)

    listed = {case.pk for case in case_list(user=user, filters={})}

    assert listed == {getattr(cases, where).pk for where in VISIBLE[persona]}


def test_case_list_search_does_not_leak_other_towns(town_clerk, cases):
    # The other town's registry number is an exact match, but it is outside the scope.
    other_number = cases.other_town.registry_number

    assert list(case_list(user=town_clerk, filters={"q": other_number})) == []
    assert [c.pk for c in case_list(user=town_clerk, filters={"q": cases.town.registry_number})] == [cases.town.pk]
