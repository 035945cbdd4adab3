"""manage.py seed_demo: refuses without DEBUG, loads every state through the services,
changes nothing the second time, and its logins work."""

from __future__ import annotations

import datetime as dt
import io
import random
import re
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from stdnum.cn import ric, uscc

from accounts.models import Membership, Organization, PartnerAgency, User
from cases import demo_data
from cases.management.commands.seed_demo import DEFAULT_CASES, STATE_COUNTS, DemoLoader
from cases.models import Case, CaseEvent, CaseParty, ClaimItem, DeadlineAlert, Employer, Person
from cases.workflow import Status

SMALL = 15  # the first 15 planned cases take one state each


def seed(cases: int = SMALL) -> str:
    out = io.StringIO()
    call_command("seed_demo", cases=cases, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, int]:
    models = (Case, CaseEvent, CaseParty, ClaimItem, Person, Employer, User, Membership, Organization, PartnerAgency)
    counts = {model.__name__: model.objects.count() for model in models}
    counts |= {f"{model.__name__}.history": model.history.count() for model in models if model is not CaseEvent}
    counts["DeadlineAlert"] = DeadlineAlert.objects.count()
    return counts


@pytest.fixture
def debug(settings):
    settings.DEBUG = True
    return settings


@pytest.mark.django_db
def test_refuses_when_debug_is_off_and_creates_nothing(settings):
    settings.DEBUG = False
    before = snapshot()
    with pytest.raises(CommandError) as excinfo:
        seed()
    assert "refuses to run when DJANGO_DEBUG is off" in str(excinfo.value)
    assert "DJANGO_DEBUG 关闭时不能加载" in str(excinfo.value)
    assert snapshot() == before


@pytest.mark.django_db
def test_loads_every_state_through_the_services(debug):
    output = seed()
    assert set(Case.objects.values_list("status", flat=True)) == set(Status.values)
    assert Case.objects.count() == SMALL
    # Every case has a creation event and one transition event per state change.
    for case in Case.objects.all():
        events = list(case.events.order_by("created_at", "id"))
        assert events[0].kind == "created"
        transitions = [e for e in events if e.kind == "transition"]
        assert (transitions[-1].to_status if transitions else "draft") == case.status
        assert case.parties.filter(side="applicant").exists()
        assert case.parties.filter(side="respondent").exists()
        assert case.claims.exists()
    assert "demo_director" in output and demo_data.DEMO_URL in output


@pytest.mark.django_db
def test_second_run_changes_nothing(debug):
    seed()
    before = snapshot()
    output = seed()
    assert "already loaded" in output
    assert snapshot() == before


@pytest.mark.django_db
def test_organisations_agencies_and_memberships(debug):
    seed()
    district = Organization.objects.get(code="DX")
    assert (district.name, district.short_code, district.level, district.region_code) == (
        "大兴区总工会劳动争议调解中心",
        "京兴工调",
        "district",
        "110115",
    )
    assert district.seal_name and district.address and district.phone
    towns = {o.code: o for o in Organization.objects.filter(parent=district)}
    assert set(towns) == {"XHM", "JG", "YZ"}
    assert towns["XHM"].short_code == "京兴西工调" and towns["XHM"].level == "street_town"
    kinds = dict(PartnerAgency.objects.filter(district=district).values_list("kind", "name"))
    assert kinds["court"] == "北京市大兴区人民法院"
    assert set(kinds) == {"court", "arbitration", "labor_inspection", "legal_aid"}
    for staff in demo_data.STAFF:
        user = User.objects.get(username=staff.username)
        assert user.full_name == staff.full_name
        (membership,) = user.memberships.all()
        assert membership.role == staff.role
        if staff.role == "liaison":
            assert membership.organization is None and membership.agency.court_code == "京0115"
        else:
            assert membership.organization.code == staff.organization
    admin = User.objects.get(username="demo_admin")
    assert admin.is_staff and admin.is_superuser
    assert not User.objects.get(username="demo_clerk").is_superuser


@pytest.mark.django_db
def test_demo_users_log_in_with_the_demo_password(debug, client):
    seed()
    for username in ("demo_clerk", "demo_admin"):  # each login costs a full PBKDF2 run
        assert client.login(username=username, password="demo12345"), username
        client.logout()
    # The password is hashed once, so every demo user holds the same (checked) hash.
    hashes = set(
        User.objects.filter(username__in=[s.username for s in demo_data.STAFF]).values_list("password", flat=True)
    )
    assert len(hashes) == 1
    assert all(u.is_active for u in User.objects.filter(username__in=[s.username for s in demo_data.STAFF]))


@pytest.mark.django_db
def test_director_accepts_with_consecutive_case_numbers(debug):
    seed()
    director = User.objects.get(username="demo_director")
    accepted = Case.objects.filter(events__name="accept", events__actor=director)
    assert accepted.exists()
    by_year: dict[str, list[int]] = {}
    for case in accepted:
        match = re.fullmatch(r"（(\d{4})）京兴工调字第(\d{4})号", case.case_number)
        assert match, case.case_number
        assert match.group(1) == str(timezone.localtime(case.accepted_at).year)
        by_year.setdefault(match.group(1), []).append(int(match.group(2)))
    for numbers in by_year.values():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))
    assert any(c.case_number.endswith("字第0001号") for c in accepted)


@pytest.mark.django_db
def test_realistic_data_deadlines_and_alerts(debug):
    seed(40)
    for person in Person.objects.all():
        assert ric.is_valid(person.id_number), person.id_number
        assert re.fullmatch(r"1[3-9]\d{9}", person.phone)
    for employer in Employer.objects.all():
        assert uscc.is_valid(employer.uscc), employer.uscc
    for claim in ClaimItem.objects.all():
        assert claim.amount is None or (claim.amount > 0 and claim.amount == claim.amount.quantize(Decimal("0.01")))

    open_cases = Case.objects.filter(status__in=[Status.REGISTERED, Status.AWAITING_CONSENT])
    assert all(c.received_at and c.acceptance_due_on and c.registry_number for c in open_cases)
    assert DeadlineAlert.objects.filter(resolved_at__isnull=True, clock__in=["B", "C"]).exists()
    assert Case.objects.filter(is_collective=True, workers_involved__gte=10).exists()


def test_state_plan_covers_every_state_first_and_sums_to_the_default():
    assert sum(STATE_COUNTS.values()) == DEFAULT_CASES
    loader = DemoLoader.__new__(DemoLoader)
    loader.rng = random.Random(1)
    states = loader._states(DEFAULT_CASES)
    assert set(states[:SMALL]) == set(Status.values)
    assert Counter(states) == STATE_COUNTS
    assert len(loader._states(300)) == 300


def test_check_digits_agree_with_stdnum():
    rng = random.Random(7)
    taken: set[str] = set()
    for _ in range(50):
        number = demo_data.resident_id(rng, dt.date(1990, 5, 17), male=True, taken=taken)
        assert ric.is_valid(number) and int(number[16]) % 2 == 1
        code = demo_data.make_uscc(rng, entity_type="enterprise", address="北京市大兴区", taken=taken)
        assert uscc.is_valid(code) and code.startswith("91110115")
    assert demo_data.gb11643_check_digit("11010519491231002") == "X"


def test_service_years_follow_labour_contract_law_art_47():
    years = demo_data.service_years
    assert years(dt.date(2020, 3, 1), dt.date(2023, 3, 1)) == 3
    assert years(dt.date(2020, 3, 1), dt.date(2023, 10, 1)) == Decimal("4")
    assert years(dt.date(2020, 3, 1), dt.date(2023, 5, 1)) == Decimal("3.5")
