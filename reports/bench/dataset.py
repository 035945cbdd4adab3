"""The bench data set: a district centre BENCH with four towns, its staff, N synthetic cases
written in bulk, and one fully worked case created through the real services.

Synthetic cases are inserted with bulk_create: the status is given to the constructor (a new
row, not a change of state: django-fsm protects assignment after load, and the state rules of
tests/test_static_rules.py hold here too). Each case gets its parties, claims, an effective
agreement with payments when it settled, one history row per created object, and the events
of the path it took, chained as CaseEvent.save chains them (reports.imports._insert_chained),
so `verify_audit` and the invariant checks read these cases like any other.

The data set is recognised by the organisation code BENCH and reused when it already holds
N cases (more are added when it holds fewer).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import Membership, Organization, OrganizationLevel, Role, User
from cases import deadlines, services
from cases.models import Case, CaseParty, ClaimItem, Employer, EventKind, Person
from cases.workflow import Status
from core import crypto
from core.history import save_with_history
from mediation import services as mediation_services
from mediation import vocab as mediation_vocab
from mediation.models import Agreement, MediationSession, Obligation, PaymentRecord
from mediation.services.agreements import live_agreement, obligation_remove, obligation_set_due
from reports.bench.registers import credit_code, resident_id
from reports.imports import _insert_chained

BENCH_CODE = "BENCH"
TOWN_CODES = ("BENCH-T1", "BENCH-T2", "BENCH-T3", "BENCH-T4")
DETAIL_REFERENCE = "BENCH-DETAIL"  # source_reference of the case created through the services
CHUNK = 2000
#: Employers shared by the synthetic cases; USCC serials far from the register generator's.
EMPLOYER_POOL = 1500
EMPLOYER_SERIAL_BASE = 3_000_000

Progress = Callable[[int, int], None]

# (status, weight, path of transitions). Closed cases keep their outcome in pre_closure_status.
_REGISTER = ("register",)
_ACCEPT = ("register", "accept", "start")
_SETTLE = (*_ACCEPT, "draft_agreement", "make_effective")
_CLOSE = ("submit_closure", "approve_closure")
PROFILES: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("draft", 3, ()),
    ("registered", 5, _REGISTER),
    ("in_mediation", 8, _ACCEPT),
    ("agreement_effective", 5, _SETTLE),
    ("performed", 5, (*_SETTLE, "confirm_performance")),
    ("terminated", 5, (*_ACCEPT, "terminate")),
    ("withdrawn", 3, (*_REGISTER, "withdraw")),
    ("rejected", 2, (*_REGISTER, "reject")),
    ("closed/performed", 30, (*_SETTLE, "confirm_performance", *_CLOSE)),
    ("closed/terminated", 18, (*_ACCEPT, "terminate", *_CLOSE)),
    ("closed/withdrawn", 10, (*_REGISTER, "withdraw", *_CLOSE)),
    ("closed/rejected", 6, (*_REGISTER, "reject", *_CLOSE)),
)
_TARGETS = {
    "register": Status.REGISTERED,
    "accept": Status.ACCEPTED,
    "start": Status.IN_MEDIATION,
    "draft_agreement": Status.AGREEMENT_PENDING,
    "make_effective": Status.AGREEMENT_EFFECTIVE,
    "confirm_performance": Status.PERFORMED,
    "terminate": Status.TERMINATED,
    "withdraw": Status.WITHDRAWN,
    "reject": Status.REJECTED,
    "submit_closure": Status.CLOSING,
    "approve_closure": Status.CLOSED,
}
#: Days after receipt at which each step happens.
_DAY_OF = {
    "register": 0,
    "accept": 1,
    "start": 3,
    "draft_agreement": 9,
    "make_effective": 10,
    "terminate": 12,
    "withdraw": 2,
    "reject": 2,
    "confirm_performance": 20,
    "submit_closure": 24,
    "approve_closure": 25,
}
_DISPUTES = [
    ("PAY", "WAGE"),
    ("PAY", "OT"),
    ("TER", "ECON_COMP"),
    ("TER", "DAMAGES"),
    ("SOC", "SOC_LOSS"),
    ("INJ", "INJURY_MED"),
    ("TIM", "ANNUAL_LEAVE_PAY"),
    ("CON", "DOUBLE_WAGE"),
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂"


@dataclass
class BenchWorld:
    district: Organization
    towns: list[Organization]
    director: User
    clerk: User
    mediator: User
    system: User

    @property
    def org_ids(self) -> list[int]:
        return [self.district.pk, *(t.pk for t in self.towns)]

    def case_count(self) -> int:
        return Case.objects.filter(organization_id__in=self.org_ids).count()


def _organization(
    code: str, name: str, short: str, level: str, parent: Organization | None, actor: User
) -> Organization:
    org = Organization.objects.filter(code=code).first()
    if org is None:
        org = Organization(code=code, name=name, short_code=short, level=level, parent=parent)
        save_with_history(org, actor=actor, reason="bench")
    return org


def _user(username: str, full_name: str, role: str, organization: Organization, actor: User) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, full_name=full_name, password=make_password(None))
        save_with_history(user, actor=actor, reason="bench")
    if not Membership.objects.filter(user=user, organization=organization, role=role).exists():
        save_with_history(Membership(user=user, organization=organization, role=role), actor=actor, reason="bench")
    return user


def world_get_or_create(*, system: User) -> BenchWorld:
    with transaction.atomic():
        district = _organization(BENCH_CODE, "基准测试区总工会劳动争议调解中心", "基准工调", "district", None, system)
        towns = [
            _organization(
                code, f"基准测试第{i}街道调解分中心", f"基准{i}工调", OrganizationLevel.STREET_TOWN, district, system
            )
            for i, code in enumerate(TOWN_CODES, start=1)
        ]
        return BenchWorld(
            district=district,
            towns=towns,
            director=_user("bench_director", "基准主任", Role.DIRECTOR, district, system),
            clerk=_user("bench_clerk", "基准书记员", Role.CLERK, district, system),
            mediator=_user("bench_mediator", "基准调解员", Role.MEDIATOR, district, system),
            system=system,
        )


# --- synthetic cases in bulk -----------------------------------------------------------------


def _employers(world: BenchWorld) -> list[Employer]:
    usccs = [credit_code(EMPLOYER_SERIAL_BASE + i) for i in range(EMPLOYER_POOL)]
    existing = {e.uscc: e for e in Employer.objects.filter(uscc__in=usccs)}
    new = [
        Employer(
            name=f"北京基准第{i}号科技有限公司", uscc=uscc, legal_rep_name="赵某", registered_address="北京市大兴区"
        )
        for i, uscc in enumerate(usccs)
        if uscc not in existing
    ]
    if new:
        bulk_create_with_history(new, Employer, default_user=world.system, default_change_reason="bench")
    existing.update({e.uscc: e for e in Employer.objects.filter(uscc__in=usccs)})
    return [existing[u] for u in usccs]


@dataclass
class _Plan:
    case: Case
    path: tuple[str, ...]
    received: dt.datetime
    applicants: int
    claims: list[tuple[str, Decimal]]
    employer: Employer


class _Generator:
    def __init__(self, world: BenchWorld, rng: random.Random, serial: int) -> None:
        self.world, self.rng, self.serial = world, rng, serial
        self.employers = _employers(world)
        self.orgs = [world.district, world.district, *world.towns]
        self.profiles = [(p[0], p[2]) for p in PROFILES]
        self.weights = [p[1] for p in PROFILES]
        self.now = timezone.now()
        self.days = 3 * 365  # receipts spread over the last three years

    def plan(self, status: str | None = None) -> _Plan:
        rng = self.rng
        self.serial += 1
        if status is None:
            status, path = rng.choices(self.profiles, self.weights)[0]
        else:
            path = dict(self.profiles)[status]
        org = rng.choice(self.orgs)
        received = self.now - dt.timedelta(days=rng.randrange(30, self.days), minutes=rng.randrange(600))
        collective = rng.random() < 0.03
        dispute, claim_type = rng.choice(_DISPUTES)
        claims = [(claim_type, Decimal(rng.randrange(2000, 120000)))]
        claims += [(rng.choice(_DISPUTES)[1], Decimal(rng.randrange(500, 40000))) for _ in range(rng.randrange(3))]
        at = {
            step: received + dt.timedelta(days=_DAY_OF[step], hours=step_index) for step_index, step in enumerate(path)
        }
        values: dict[str, Any] = {
            "organization": org,
            "status": _TARGETS[path[-1]] if path else Status.DRAFT,
            "dispute_type": dispute,
            "workers_involved": 12 if collective else 1,
            "is_collective": collective,
            "file_type": rng.choice(["formal", "simple"]),
            "facts_summary": "申请人称被申请人拖欠工资，经多次催要未果，故申请调解。",
            "created_by": self.world.clerk,
            "created_at": received,
            "source_reference": "",
        }
        if "register" in at:
            day = timezone.localdate(received)
            values |= {
                "received_at": received,
                "registry_number": f"BENCH-R{self.serial:08d}",
                "arbitration_release_on": day + dt.timedelta(days=deadlines.ARBITRATION_RELEASE_DAYS),
                "acceptance_due_on": day + dt.timedelta(days=5),
            }
        if "accept" in at:
            values |= {
                "accepted_at": at["accept"],
                "case_number": f"BENCH-{org.code}-{self.serial:08d}",
                "mediation_due_on": timezone.localdate(at["accept"]) + dt.timedelta(days=deadlines.MEDIATION_DAYS),
                "clerk": self.world.clerk,
            }
        if "start" in at:
            values["mediation_started_at"] = at["start"]
        for step, field in (("reject", "rejection_reason"), ("withdraw", "withdrawal_reason")):
            if step in at:
                values[field] = "other"
                values["outcome_note"] = "基准测试数据"
        if "terminate" in at:
            values["termination_reason"] = "no_agreement"
        outcome = next((s for s in path if s in ("confirm_performance", "terminate", "withdraw", "reject")), None)
        if outcome:
            values["outcome_at"] = at[outcome]
        if "submit_closure" in at:
            values["pre_closure_status"] = _TARGETS[outcome] if outcome else ""
            values["closed_at"] = at["approve_closure"]
        return _Plan(
            case=Case(**values),
            path=path,
            received=received,
            applicants=5 if collective else rng.choice([1, 1, 1, 2]),
            claims=claims,
            employer=rng.choice(self.employers),
        )

    def write(self, plans: Sequence[_Plan]) -> list[Case]:
        world, rng = self.world, self.rng
        cases = [p.case for p in plans]
        bulk_create_with_history(cases, Case, default_user=world.clerk, default_change_reason="bench")
        persons: list[Person] = []
        for plan in plans:
            for _k in range(plan.applicants):
                self.serial += 1
                number = resident_id(dt.date(1970, 1, 1) + dt.timedelta(days=self.serial % 12000), self.serial)
                phone = f"13{self.serial % 1_000_000_000:09d}"
                persons.append(
                    Person(
                        name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                        id_number=number,
                        id_number_hash=crypto.lookup_hash(number),
                        phone=phone,
                        phone_hash=crypto.lookup_hash(phone),
                        address="北京市大兴区黄村镇",
                    )
                )
        bulk_create_with_history(persons, Person, default_user=world.clerk, default_change_reason="bench")
        parties: list[CaseParty] = []
        people = iter(persons)
        for plan in plans:
            for _k in range(plan.applicants):
                parties.append(CaseParty(case=plan.case, side="applicant", party_kind="worker", person=next(people)))
            parties.append(CaseParty(case=plan.case, side="respondent", party_kind="employer", employer=plan.employer))
        bulk_create_with_history(parties, CaseParty, default_user=world.clerk, default_change_reason="bench")
        by_case: dict[int, list[CaseParty]] = {}
        for party in parties:
            by_case.setdefault(party.case_id, []).append(party)
        claims = [
            ClaimItem(case=p.case, claimant=by_case[p.case.pk][0], claim_type=t, description="支付拖欠款项", amount=a)
            for p in plans
            for t, a in p.claims
        ]
        bulk_create_with_history(claims, ClaimItem, default_user=world.clerk, default_change_reason="bench")
        self._agreements([p for p in plans if "make_effective" in p.path], by_case)
        self._events(plans)
        return cases

    def _agreements(self, plans: list[_Plan], by_case: dict[int, list[CaseParty]]) -> None:
        world = self.world
        agreements = []
        for plan in plans:
            effective = plan.received + dt.timedelta(days=_DAY_OF["make_effective"])
            agreements.append(
                Agreement(
                    case=plan.case,
                    status=mediation_vocab.AgreementStatus.EFFECTIVE,
                    effective_at=effective,
                    judicial_confirmation_due_on=timezone.localdate(effective) + dt.timedelta(days=30),
                    created_by=world.mediator,
                    created_at=effective - dt.timedelta(days=1),
                )
            )
        bulk_create_with_history(agreements, Agreement, default_user=world.mediator, default_change_reason="bench")
        obligations, payments_for = [], []
        for plan, agreement in zip(plans, agreements, strict=True):
            parties = by_case[plan.case.pk]
            total = sum((a for _t, a in plan.claims), Decimal(0)) * Decimal("0.8")
            shares = [total.quantize(Decimal("0.01"))] if total < 20000 else [(total / 2).quantize(Decimal("0.01"))] * 2
            for position, share in enumerate(shares, start=1):
                obligation = Obligation(
                    agreement=agreement,
                    kind=mediation_vocab.ObligationKind.PAYMENT,
                    obligor=parties[-1],
                    obligee=parties[0],
                    description="支付工资及经济补偿",
                    amount=share,
                    due_on=timezone.localdate(agreement.effective_at or self.now) + dt.timedelta(days=10 * position),
                    position=position,
                )
                obligations.append(obligation)
                payments_for.append((plan, obligation))
        bulk_create_with_history(obligations, Obligation, default_user=world.mediator, default_change_reason="bench")
        payments = [
            PaymentRecord(
                obligation=obligation,
                amount=obligation.amount or Decimal("1.00"),
                paid_on=obligation.due_on or timezone.localdate(),
                method=mediation_vocab.PaymentMethod.BANK_TRANSFER,
                channel=mediation_vocab.RecoveryChannel.AGREEMENT,
                confirmed_by=world.clerk,
            )
            for plan, obligation in payments_for
            if "confirm_performance" in plan.path
        ]
        bulk_create_with_history(payments, PaymentRecord, default_user=world.clerk, default_change_reason="bench")

    def _events(self, plans: Sequence[_Plan]) -> None:
        events: list[dict[str, Any]] = []
        for plan in plans:
            common = {"case_id": plan.case.pk, "reason": "", "payload": {}, "name": "", "from_status": ""}
            actor = self.world.clerk.pk
            events.append(
                common
                | {"kind": EventKind.CREATED, "to_status": Status.DRAFT, "actor_id": actor, "created_at": plan.received}
            )
            status = Status.DRAFT
            for index, step in enumerate(plan.path):
                target = _TARGETS[step]
                events.append(
                    common
                    | {
                        "kind": EventKind.TRANSITION,
                        "name": step,
                        "from_status": status,
                        "to_status": target,
                        "actor_id": self.world.director.pk if step in ("accept", "approve_closure") else actor,
                        "created_at": plan.received + dt.timedelta(days=_DAY_OF[step], hours=index),
                    }
                )
                status = target
        _insert_chained(events)


def cases_add(*, world: BenchWorld, count: int, seed: int, progress: Progress | None = None) -> list[int]:
    """Insert `count` synthetic cases in chunks (one transaction each); their ids."""
    generator = _Generator(world, random.Random(seed), serial=seed * 10_000_000)  # noqa: S311 (synthetic data)
    ids: list[int] = []
    done = 0
    while done < count:
        size = min(CHUNK, count - done)
        with transaction.atomic():
            ids += [c.pk for c in generator.write([generator.plan() for _ in range(size)])]
        done += size
        if progress:
            progress(done, count)
    return ids


def analyze() -> None:
    """Do what autovacuum would do a while after a bulk insert (PostgreSQL): refresh the
    planner's statistics (without them it believes the tables are as small as when last
    analysed and scans whole tables inside per-case subqueries: minutes instead of seconds) and
    the visibility map (the list's COUNT(*) becomes an index-only scan)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        # VACUUM cannot run inside a transaction (the tests wrap everything in one)
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")


def registered_cases_add(*, world: BenchWorld, count: int, seed: int) -> list[Case]:
    """`count` fresh registered cases of the district (for the accept measure)."""
    generator = _Generator(world, random.Random(seed), serial=seed * 10_000_000)  # noqa: S311 (synthetic data)
    plans = [generator.plan("registered") for _ in range(count)]
    for plan in plans:
        plan.case.organization = world.district
    with transaction.atomic():
        return generator.write(plans)


# --- the one case worked through the services --------------------------------------------------


def detail_case_get_or_create(*, world: BenchWorld) -> Case:
    """A case with 5 parties, 8 claims, 6 held sessions with transcripts and an effective
    agreement with 4 obligations, made once through the services as a clerk would."""
    found = Case.objects.filter(organization=world.district, source_reference=DETAIL_REFERENCE).first()
    if found is not None:
        return found
    clerk, mediator, director = world.clerk, world.mediator, world.director
    now = timezone.now()
    received = now - dt.timedelta(days=12)
    with transaction.atomic():
        case = services.case_create(
            actor=clerk,
            organization=world.district,
            dispute_type="PAY",
            facts_summary="申请人四人称被申请人自去年起拖欠工资及加班费，多次催要未果。",
            workers_involved=4,
            source_reference=DETAIL_REFERENCE,
            at=received - dt.timedelta(hours=1),
        )
        applicants = []
        for i in range(4):
            number = resident_id(dt.date(1985, 3, 1 + i), 500 + i)
            person = services.person_get_or_create(
                actor=clerk, name=f"张{'一二三四'[i]}明", id_number=number, phone=f"1380013{8000 + i}"
            )
            applicants.append(services.case_party_add(case=case, actor=clerk, side="applicant", person=person))
        employer = services.employer_get_or_create(
            actor=clerk,
            name="北京基准详情商贸有限公司",
            uscc=credit_code(EMPLOYER_SERIAL_BASE - 1),
            legal_rep_name="钱某",
        )
        services.case_party_add(case=case, actor=clerk, side="respondent", employer=employer)
        claim_types = ["WAGE", "OT", "ECON_COMP", "ANNUAL_LEAVE_PAY", "WAGE", "OT", "DOUBLE_WAGE", "NOTICE_PAY"]
        for i, claim_type in enumerate(claim_types):
            services.claim_add(
                case=case,
                actor=clerk,
                claim_type=claim_type,
                description=f"请求事项{i + 1}：支付相应款项",
                amount=f"{(i + 1) * 3100}.50",
                claimant=applicants[i % 4],
            )
        services.case_register(case=case, actor=clerk, received_at=received)
        services.case_accept(
            case=case, actor=director, mediators=[mediator], clerk=clerk, accepted_at=received + dt.timedelta(hours=3)
        )
    for i in range(6):
        starts_at = received + dt.timedelta(days=1 + i, hours=2)
        session = mediation_services.session_schedule(
            case=case,
            actor=mediator,
            kind=mediation_vocab.SessionKind.JOINT,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=50),
            mediators=[mediator],
            place="第一调解室",
        )
        _hold(case, session, clerk)
    agreement = mediation_services.agreement_draft(case=case, actor=mediator)
    for obligation in list(agreement.obligations.all())[4:]:
        obligation_remove(obligation=obligation, actor=mediator)
    for obligation in agreement.obligations.all():
        obligation_set_due(obligation=obligation, actor=mediator, due_on=timezone.localdate() + dt.timedelta(days=20))
    for party in case.parties.all():
        mediation_services.agreement_sign(agreement=agreement, actor=mediator, party=party)
    mediation_services.agreement_mediator_sign(agreement=agreement, actor=mediator)
    mediation_services.agreement_seal(agreement=agreement, actor=director)
    mediation_services.case_make_effective(case=case, actor=mediator)
    return Case.objects.get(pk=case.pk)


def _hold(case: Case, session: MediationSession, clerk: User) -> None:
    for party in case.parties.all():
        capacity = (
            mediation_vocab.Capacity.APPLICANT if party.side == "applicant" else mediation_vocab.Capacity.RESPONDENT
        )
        attendance = mediation_services.attendance_record(
            session=session, actor=clerk, name=party.name, capacity=capacity, party=party, identity_checked=True
        )
        mediation_services.attendance_sign(attendance=attendance, actor=clerk, signed=True)
    blocks = [
        (mediation_vocab.BlockKind.RIGHTS_NOTICE, "已告知双方当事人调解的性质、原则和效力以及各自的权利义务。"),
        (mediation_vocab.BlockKind.RESULT, "双方同意继续协商，被申请人表示将于近期提出支付方案。" * 2),
    ]
    mediation_services.transcript_save(session=session, actor=clerk, blocks=blocks)
    mediation_services.transcript_confirm_read_back(session=session, actor=clerk)
    mediation_services.transcript_complete(session=session, actor=clerk)


def detail_agreement(case: Case) -> Agreement:
    agreement = live_agreement(case)
    if agreement is None:
        raise RuntimeError("the bench detail case has no agreement")
    return agreement
