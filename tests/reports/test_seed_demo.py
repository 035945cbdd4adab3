"""manage.py seed_demo: refuses without DEBUG, loads every state through the services
(the mediation work too: sessions, transcripts, agreements, payments, follow-ups, service;
the linkage: transfers at every stage, the liaisons' inboxes, money recovered through the
court, results reported to referring courts), changes nothing the second time, and its
logins work."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import random
import re
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Q, Sum
from django.utils import timezone
from stdnum.cn import ric, uscc

from accounts.models import Membership, Organization, PartnerAgency, User
from cases import deadlines, online, selectors
from cases.consultations import consultation_stats
from cases.models import (
    Case,
    CaseEvent,
    CaseParty,
    ClaimItem,
    Consultation,
    DeadlineAlert,
    Employer,
    OnlineApplication,
    Person,
    PlatformClient,
)
from cases.selectors import case_queryset_for_user
from cases.workflow import Status
from linkage import vocab as lv
from linkage.models import ReferralReport, Transfer
from mediation import vocab as mv
from mediation.models import (
    Agreement,
    FollowUp,
    MediationSession,
    Obligation,
    PaymentRecord,
    Room,
    ServiceRecord,
    SessionMediator,
    Transcript,
)
from reports import demo_data
from reports.management.commands.seed_demo import (
    CONVERTED_CONSULTATIONS,
    DEFAULT_CASES,
    MIN_CONSULTATIONS,
    ONLINE_APPLICATIONS,
    STATE_COUNTS,
    DemoLoader,
)

SMALL = 15  # the first 15 planned cases take one state each


def seed(cases: int = SMALL) -> str:
    out = io.StringIO()
    call_command("seed_demo", cases=cases, stdout=out)
    return out.getvalue()


def intake_cases():
    """The drafts the intake channels made: consultations converted into cases and online
    applications (seed_demo._intake), apart from the planned cases."""
    return Case.objects.filter(Q(consultation__isnull=False) | Q(online_application__isnull=False))


def planned_cases():
    return Case.objects.exclude(pk__in=intake_cases().values("pk"))


def snapshot() -> dict[str, int]:
    models = (Case, CaseEvent, CaseParty, ClaimItem, Person, Employer, User, Membership, Organization, PartnerAgency)
    models += (Room, MediationSession, Transcript, Agreement, Obligation, PaymentRecord, FollowUp, ServiceRecord)
    models += (Transfer, ReferralReport)
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
    assert set(planned_cases().values_list("status", flat=True)) == set(Status.values)
    assert planned_cases().count() == SMALL
    assert intake_cases().count() == CONVERTED_CONSULTATIONS + len(ONLINE_APPLICATIONS)
    # Every case has a creation event and one transition event per state change.
    for case in planned_cases():
        events = list(case.events.order_by("created_at", "id"))
        assert events[0].kind == "created"
        transitions = [e for e in events if e.kind == "transition"]
        assert (transitions[-1].to_status if transitions else "draft") == case.status
        assert case.parties.filter(side="applicant").exists()
        assert case.parties.filter(side="respondent").exists()
        assert case.claims.exists()
    assert "demo_director" in output and demo_data.DEMO_URL in output


def recovered(agreement: Agreement, channel: str | None = None) -> Decimal:
    payments = PaymentRecord.objects.filter(obligation__agreement=agreement)
    if channel is not None:
        payments = payments.filter(channel=channel)
    total = payments.aggregate(total=Sum("amount"))["total"]
    return (total or Decimal(0)).quantize(Decimal("0.01"))


def agreed(agreement: Agreement) -> Decimal:
    total = agreement.obligations.filter(kind=mv.ObligationKind.PAYMENT).aggregate(total=Sum("amount"))["total"]
    return (total or Decimal(0)).quantize(Decimal("0.01"))


def outcome_of(case: Case) -> str:
    """The outcome state a closing / closed / archived case was submitted from."""
    event = case.events.filter(name="submit_closure").order_by("created_at", "id").first()
    return event.from_status if event else case.status


@pytest.mark.django_db
def test_mediation_work_behind_every_state(debug):
    seed(40)
    today = timezone.localdate()
    closure = [Status.CLOSING, Status.CLOSED, Status.ARCHIVED]
    settled = {Status.AGREEMENT_EFFECTIVE, Status.PERFORMED, Status.NOT_PERFORMED}
    checked = Counter()
    for case in Case.objects.all():
        outcome = outcome_of(case) if case.status in closure else case.status
        effective = list(case.agreements.filter(status=mv.AgreementStatus.EFFECTIVE))
        if outcome in settled:
            checked[outcome] += 1
            (agreement,) = effective
            assert agreement.sealed_at and agreement.mediator_signed_at and agreement.effective_at
            parties = set(case.parties.exclude(side="third_party").values_list("pk", flat=True))
            assert set(agreement.signatures.values_list("party_id", flat=True)) == parties
            assert agreement.terms.count() >= 5
            effective_on = timezone.localdate(agreement.effective_at)
            for obligation in agreement.obligations.all():
                assert obligation.due_on and obligation.due_on >= effective_on
            assert agreed(agreement) > 0
            assert agreed(agreement) <= sum((c.amount or 0 for c in case.claims.all()), Decimal(0))
            for payment in PaymentRecord.objects.filter(obligation__agreement=agreement):
                assert effective_on <= payment.paid_on <= today
        else:
            assert not effective, case
        if outcome == Status.PERFORMED:
            assert recovered(effective[0]) == agreed(effective[0]), case
            assert case.follow_ups.filter(done_at__isnull=False).exists()
        if outcome == Status.NOT_PERFORMED:  # the employer did not pay all (a court may have made it)
            assert recovered(effective[0], mv.RecoveryChannel.AGREEMENT) < agreed(effective[0]), case
            reminder = case.follow_ups.get(purpose=mv.FollowUpPurpose.REMINDER)
            overdue = effective[0].obligations.filter(due_on__lt=timezone.localdate(reminder.done_at))
            assert overdue.exists()
        if case.status == Status.AGREEMENT_PENDING:
            assert case.agreements.get().status == mv.AgreementStatus.DRAFT
        if case.status == Status.IN_MEDIATION:
            assert case.sessions.exists(), case
        if case.status in closure:
            assert not case.service_records.filter(status=mv.ServiceStatus.PENDING).exists(), case
            checked["closure"] += 1
        if case.events.filter(name="draft_agreement").exists():
            assert Transcript.objects.filter(session__case=case, completed_at__isnull=False).exists()
    assert checked[Status.PERFORMED] and checked[Status.NOT_PERFORMED] and checked["closure"]
    # No payment exceeds what its obligation asks.
    for obligation in Obligation.objects.annotate(paid=Sum("payments__amount")).filter(paid__isnull=False):
        assert obligation.paid <= obligation.amount, obligation
    # Sessions: on working days within office hours, 60-120 minutes, held ones with a complete
    # transcript signed by everyone present; no mediator in two sessions at once.
    calendar = deadlines.WorkCalendar(today - dt.timedelta(days=500), today + dt.timedelta(days=60))
    for session in MediationSession.objects.select_related("case"):
        start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
        assert calendar.is_working_day(start.date()) and dt.time(9) <= start.time() and end.time() <= dt.time(17)
        assert 60 <= (end - start).total_seconds() / 60 <= 120
        assert session.room is not None or session.place or session.kind in ("phone", "video")
        if session.status == mv.SessionStatus.HELD:
            assert session.ends_at <= timezone.now()
            transcript = session.transcript
            assert transcript.completed_at and transcript.read_back_at
            kinds = set(transcript.blocks.values_list("kind", flat=True))
            assert {"rights_notice", "result"} <= kinds
            assert not session.attendances.filter(signature=mv.SignatureStatus.PENDING).exists()
    slots = list(SessionMediator.objects.filter(active=True).order_by("mediator_id", "starts_at"))
    for before, after in itertools.pairwise(slots):
        if before.mediator_id == after.mediator_id:
            assert before.ends_at <= after.starts_at
    # Served documents say how; served on a past date.
    for record in ServiceRecord.objects.filter(status=mv.ServiceStatus.SERVED):
        assert record.method and record.served_on and record.served_on <= today
        assert record.method != "postal" or re.fullmatch(r"\d{13}", record.tracking_number)


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
    assert district.court_listed and district.agreements_confirmable  # on the court's roster
    assert all(town.agreements_confirmable for town in towns.values())
    kinds = dict(PartnerAgency.objects.filter(district=district).values_list("kind", "name"))
    assert kinds["court"] == "北京市大兴区人民法院"
    assert set(kinds) == {"court", "arbitration", "labor_inspection", "legal_aid"}
    for staff in demo_data.STAFF:
        user = User.objects.get(username=staff.username)
        assert user.full_name == staff.full_name
        (membership,) = user.memberships.all()
        assert membership.role == staff.role
        if staff.role == "liaison":
            assert membership.organization is None and membership.agency.code == staff.agency
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
    # Every person has a valid ID number and a mobile number, except the callers named in the
    # consultations converted into drafts: a consultation records only a name.
    converted = Consultation.objects.filter(converted_case__isnull=False)
    callers = set(CaseParty.objects.filter(case__consultation__in=converted).values_list("person_id", flat=True))
    assert len(callers) == CONVERTED_CONSULTATIONS
    for person in Person.objects.exclude(pk__in=callers):
        assert ric.is_valid(person.id_number), person.id_number
        assert re.fullmatch(r"1[3-9]\d{9}", person.phone)
    assert not Person.objects.filter(pk__in=callers).exclude(id_number="").exists()
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


LINKAGE_CASES = 40  # enough recent agreements, unperformed and failed cases for each stage
TS = lv.TransferStatus
CLOSURE = (Status.CLOSING, Status.CLOSED, Status.ARCHIVED)


@pytest.mark.django_db
def test_transfers_liaison_inboxes_court_money_and_referral_reports(debug):
    seed(LINKAGE_CASES)
    today = timezone.localdate()
    statuses = Counter(Transfer.objects.values_list("status", flat=True))
    for status in (TS.SENT, TS.ACKNOWLEDGED, TS.OUTCOME_RECORDED, TS.RETURNED):
        assert statuses[status], status
    assert statuses[TS.DRAFT] + statuses[TS.APPROVED]  # awaiting the director, or to be sent
    types = set(Transfer.objects.values_list("transfer_type", flat=True))
    assert {"judicial_confirmation", "payment_order", "labor_inspection", "arbitration"} <= types
    # Each liaison sees exactly the cases whose transfer to their agency has left the centre.
    for staff in (s for s in demo_data.STAFF if s.role == "liaison"):
        liaison = User.objects.get(username=staff.username)
        agency = PartnerAgency.objects.get(code=staff.agency)
        sent = Transfer.objects.filter(agency=agency, status__in=lv.VISIBLE_TO_AGENCY)
        visible = set(case_queryset_for_user(liaison).values_list("pk", flat=True))
        assert visible and visible == set(sent.values_list("case_id", flat=True)), staff.username
    court = PartnerAgency.objects.get(code="dx-court")
    # The court liaison has work on login: transfers waiting for an acknowledgement or an outcome.
    assert Transfer.objects.filter(agency=court, status__in=[TS.SENT, TS.ACKNOWLEDGED]).exists()
    for transfer in Transfer.objects.select_related("case", "agency"):
        case = transfer.case
        assert case.events.filter(kind="linkage", name="transfer_draft").exists()
        assert transfer.agency.kind == lv.AGENCY_KIND_OF_TYPE[lv.TransferType(transfer.transfer_type)]
        if transfer.status != TS.DRAFT:
            assert transfer.approved_by.memberships.get().role == "director"
        if transfer.status in lv.VISIBLE_TO_AGENCY:
            assert transfer.sent_on and transfer.sent_on <= today and transfer.send_channel
        if transfer.status in (TS.ACKNOWLEDGED, TS.OUTCOME_RECORDED):
            assert transfer.handled_by.memberships.get().agency == transfer.agency
            assert transfer.sent_on <= timezone.localdate(transfer.acknowledged_at) <= today
            if transfer.transfer_type == "judicial_confirmation":
                assert re.fullmatch(r"（\d{4}）京0115民特\d+号", transfer.external_number), transfer.external_number
        if transfer.status == TS.OUTCOME_RECORDED:
            assert transfer.outcome and timezone.localdate(transfer.acknowledged_at) <= transfer.outcome_on <= today
            assert case.events.filter(kind="linkage", name="transfer_outcome").exists()
        if transfer.status == TS.RETURNED:
            assert transfer.returned_reason
        if transfer.transfer_type == "judicial_confirmation":
            agreement = case.agreements.get(status=mv.AgreementStatus.EFFECTIVE)
            assert case.organization.agreements_confirmable
            assert transfer.sent_on is None or transfer.sent_on <= agreement.judicial_confirmation_due_on
    confirmed = Transfer.objects.filter(transfer_type="judicial_confirmation", outcome="confirmed")
    assert confirmed.exists()
    # Money recovered through the court, booked under the court channel and the court, on the
    # day of the outcome of a transfer of that case.
    payments = PaymentRecord.objects.filter(channel=mv.RecoveryChannel.COURT, agency=court)
    assert payments.exists()
    for payment in payments.select_related("obligation__agreement"):
        case_id = payment.obligation.agreement.case_id
        assert Transfer.objects.filter(case_id=case_id, agency=court, outcome_on=payment.paid_on).exists()
    assert not PaymentRecord.objects.exclude(channel=mv.RecoveryChannel.AGREEMENT).filter(agency__isnull=True).exists()
    # Referred cases closed only after their result was reported to the referring body.
    referred = Case.objects.filter(source__in=lv.REFERRAL_SOURCES, status__in=CLOSURE)
    assert referred.exists()
    for case in referred:
        report = case.referral_report
        submitted = case.events.filter(name="submit_closure").order_by("created_at", "id").first()
        assert report.reported_on <= timezone.localdate(submitted.created_at), case
        assert report.summary.startswith(("贵院", "贵委")) and case.source_reference in report.summary
        assert case.events.filter(kind="linkage", name="referral_report").exists()
    # Only referred cases report back.
    assert not ReferralReport.objects.exclude(case__source__in=lv.REFERRAL_SOURCES).exists()


@pytest.mark.django_db
def test_consultations_and_online_applications_for_the_clerks(debug):
    output = seed()
    # Consultations over several channels and organisations, the newest named ones converted.
    assert Consultation.objects.count() == MIN_CONSULTATIONS
    assert Consultation.objects.values("channel").distinct().count() >= 3
    assert Consultation.objects.values("organization").distinct().count() >= 2
    converted = Consultation.objects.filter(converted_case__isnull=False).select_related("converted_case")
    assert converted.count() == CONVERTED_CONSULTATIONS
    for consultation in converted:
        case = consultation.converted_case
        assert (case.status, case.organization_id) == (Status.DRAFT, consultation.organization_id)
        assert case.parties.get(side="applicant").person.name == consultation.caller_name
    today = timezone.localdate()
    stats = consultation_stats(
        organization=Organization.objects.get(code="DX"),
        date_from=today - dt.timedelta(days=366),
        date_to=today,
        include_children=True,
    )
    assert (stats["consultations"], stats["converted_to_cases"]) == (MIN_CONSULTATIONS, CONVERTED_CONSULTATIONS)

    # Online applications: drafts on the work lists, one from the platform with its number,
    # one already registered by the clerk; each with its applicant, employer and claims.
    applications = OnlineApplication.objects.select_related("case__organization", "platform")
    assert applications.count() == len(ONLINE_APPLICATIONS)
    expected = sorted((org, platform, registered) for org, _s, platform, registered in ONLINE_APPLICATIONS)
    found = sorted(
        (a.case.organization.code, a.platform is not None, a.case.status == Status.REGISTERED) for a in applications
    )
    assert found == expected
    (from_platform,) = [a for a in applications if a.platform is not None]
    assert from_platform.platform == PlatformClient.objects.get()
    assert re.fullmatch(r"WSPT-\d{8}-\d{4}", from_platform.reference)
    assert from_platform.case.source_reference == from_platform.reference
    for application in applications:
        case = application.case
        assert case.status in (Status.DRAFT, Status.REGISTERED)
        assert case.source == "online_platform" and case.channel == "online"
        assert case.parties.filter(side="applicant").exists() and case.parties.filter(side="respondent").exists()
        assert case.claims.exists()
    town_clerk = User.objects.get(username="demo_town_clerk")
    sections = {s.title: s.cases for s in selectors.worklist(user=town_clerk)}
    assert [c.organization.code for c in sections["网上申请待处理"]] == ["XHM"]

    # The printed tracking code answers the status lookup.
    match = re.search(r"tracking code \(/apply/status/\): ([A-Z0-9-]+)，电话后4位 / phone: (\d{4})", output)
    assert match, output
    answer = online.online_application_status(tracking_code=match.group(1), phone_last4=match.group(2))
    assert answer is not None and answer.state == "已收到，待登记"
