"""`manage.py seed_demo`: a Daxing district centre, three town sub-centres, partner agencies,
demo logins and ~220 realistic cases in every state of the workflow, with transfers to the
court, the arbitration commission and labour inspection at every stage.

Every case is written through the services (cases.services for drafts, parties, claims and
transitions; mediation.services for sessions, transcripts, agreements, payments, follow-ups
and service of documents; linkage.services for transfers, the liaisons' acknowledgements and
outcomes, and results reported to referring courts), so events, history, numbers and
deadlines are exactly what the UI would have produced, with historic times (the linkage
services stamp approvals and their events with the real time; the dates they take are
historic).
The data set is deterministic (one seed); dates are relative to today (Beijing time) so the
newest applications are always awaiting review and some clocks are always overdue.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import unicodedata
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.models import (
    DutyAssignment,
    LawFirm,
    LawyerProfile,
    Membership,
    Organization,
    PartnerAgency,
    Role,
    User,
    Zone,
)
from accounts.services import system_user
from cases import consultations, deadlines, online, services
from cases import vocab as case_vocab
from cases.models import Case, CaseParty, Employer, EventKind, PlatformClient
from cases.workflow import Status
from core.history import save_with_history
from documents.archive import archive_build, archive_request
from linkage import services as link
from linkage import vocab as lv
from linkage.models import ReferralReport, Transfer
from mediation import services as med
from mediation import vocab as mv
from mediation.models import Agreement, FollowUp, MediationSession, Obligation, Room, SessionMediator
from mediation.services.agreements import live_agreement
from mediation.services.performance import outstanding, paid_total
from reports import demo_data as data
from reports.upward_demo import seed_upward

SEED = 20261121
DEFAULT_CASES = 220
REFUSAL = (
    "seed_demo loads demo users with a known password; it refuses to run when DJANGO_DEBUG is off. / "
    "演示数据含公开密码，DJANGO_DEBUG 关闭时不能加载。"
)

S = Status
#: Cases per final state for the default 220 (the first 15 cases take one state each, so a
#: small --cases still covers every state).
STATE_COUNTS: dict[str, int] = {
    S.DRAFT: 6,
    S.REGISTERED: 10,
    S.AWAITING_CONSENT: 6,
    S.ACCEPTED: 8,
    S.IN_MEDIATION: 16,
    S.AGREEMENT_PENDING: 6,
    S.AGREEMENT_EFFECTIVE: 10,
    S.PERFORMED: 14,
    S.NOT_PERFORMED: 5,
    S.TERMINATED: 8,
    S.WITHDRAWN: 6,
    S.REJECTED: 5,
    S.CLOSING: 8,
    S.CLOSED: 50,
    S.ARCHIVED: 62,
}
#: Planned archivings actually done (the rest stay closed): each renders the whole case file.
#: A smaller demo archives one per 25 cases (at least one).
ARCHIVE_LIMIT = 8

#: Duty lawyers (docs/lawyers.md): two contracted firms, one lawyer each, three zones of the
#: district and a roster for the last 60 and next 30 days. Deterministic: drawn from no random
#: stream, so the demo cases are the same with or without it.
LAW_FIRMS = [
    {"name": "北京市兴诚律师事务所", "uscc": "", "contact_name": "钱主任", "contact_phone": "010-69250001"},
    {"name": "北京市大成信和律师事务所", "uscc": "", "contact_name": "孙主任", "contact_phone": "010-69250002"},
]
#: username -> (licence number 执业证号, index of the firm)
LAWYERS = {"dx_lawyer_wu": ("11101201510234567", 0), "dx_lawyer_zheng": ("11101201811345678", 1)}
#: name -> (town sub-centre codes, street/town names matched in employers' addresses)
ZONES = {
    "城区片区": ((), "兴丰街道\n林校路街道\n清源街道\n观音寺街道\n天宫院街道\n高米店街道"),
    "西片区": (("XHM",), "西红门镇\n黄村镇"),
    "东片区": (("JG", "YZ"), "旧宫镇\n亦庄镇\n瀛海镇"),
}
ROSTER_PAST_DAYS, ROSTER_FUTURE_DAYS = 60, 30
#: Which organisation handles the i-th planned case (district ~55 %, each town ~15 %).
ORG_CYCLE = ("DX", "XHM", "DX", "JG", "DX", "YZ", "DX", "DX", "XHM", "DX", "JG", "DX", "YZ")
#: The outcome behind a closing / closed / archived case.
CLOSED_OUTCOMES = [(S.PERFORMED, 58), (S.TERMINATED, 17), (S.WITHDRAWN, 13), (S.REJECTED, 7), (S.NOT_PERFORMED, 5)]
AGREEMENT_STEPS = ["start", "draft_agreement", "make_effective"]
LAST = dt.datetime.max.replace(tzinfo=dt.UTC)
#: When sessions may begin (minutes after midnight); they last 60-120 minutes, ending by 17:00.
SESSION_STARTS = (9 * 60, 9 * 60 + 30, 10 * 60, 10 * 60 + 30, 14 * 60, 14 * 60 + 30, 15 * 60)
ROOM_KINDS = (mv.SessionKind.JOINT, mv.SessionKind.SHUTTLE)
#: Non-monetary claims that become obligations of the agreement (as agreement_draft maps them).
NON_MONEY: dict[str, str] = {
    case_vocab.ClaimType.CERT: mv.ObligationKind.CERTIFICATE,
    case_vocab.ClaimType.FILE_SI_TRANSFER: mv.ObligationKind.SOCIAL_INSURANCE,
}
T = lv.TransferType
#: How far each transfer got; cycled over the candidates of each type (oldest first), so the
#: liaisons find work in their inbox and the overview shows every stage. A stage the calendar
#: does not allow yet (an acknowledgement or outcome after today) stops earlier.
STAGES: dict[str, tuple[str, ...]] = {
    "confirm_effective": ("outcome", "acknowledged", "sent"),
    "confirm_performed": ("outcome", "sent", "acknowledged"),
    "payment_order": ("outcome", "sent", "returned", "acknowledged"),
    "labor_inspection": ("outcome", "acknowledged", "returned", "sent", "outcome"),
    "arbitration": ("outcome", "approved", "acknowledged", "outcome", "sent"),
}
#: At most this many transfers of each type.
TRANSFER_LIMITS = {T.JUDICIAL_CONFIRMATION: 9, T.PAYMENT_ORDER: 4, T.LABOR_INSPECTION: 5, T.ARBITRATION: 5}

#: Intake channels (docs/intake.md), drawn from a stream of their own (SEED + 2) after the
#: planned cases, so those stay the same. Consultations (咨询): one per two planned cases (at
#: least MIN_CONSULTATIONS) over the last year, by channel; the newest CONVERTED_CONSULTATIONS
#: with a caller's name were turned into draft cases (转为案件).
MIN_CONSULTATIONS = 12
CONVERTED_CONSULTATIONS = 3
CONSULTATION_CHANNELS = [("walk_in", 40), ("hotline_12351", 30), ("petition_12345", 12), ("online", 12), ("other", 6)]
#: (topic, dispute type or "" when the visitor's question did not fix one, note)
CONSULTATION_TOPICS: list[tuple[str, str, str]] = [
    ("被拖欠工资怎么办", "PAY", "告知可申请调解、向劳动保障监察投诉或申请仲裁，注意保留工资条和考勤记录。"),
    (
        "公司单方解除劳动合同能否要求经济补偿",
        "TER",
        "解释经济补偿和违法解除赔偿金的区别，建议携带解除通知来中心申请调解。",
    ),
    ("未签书面劳动合同的二倍工资", "CON", "告知二倍工资的计算期间和仲裁时效。"),
    ("加班费怎么计算", "TIM", "说明工作日、休息日、法定节假日加班的支付标准。"),
    ("公司不给缴社保", "SOC", "告知补缴属社保经办机构职责，可就待遇损失申请调解。"),
    ("工伤认定和待遇", "INJ", "告知先申请工伤认定和劳动能力鉴定，待遇争议可申请调解。"),
    ("外卖骑手与平台的关系", "NEF", "介绍新就业形态劳动者权益保障的相关规定。"),
    ("离职证明不给开", "TER", "告知用人单位应当出具解除或终止劳动合同的证明。"),
    ("年休假没休能否折算工资", "TIM", "说明未休年休假工资报酬按日工资的200%另行支付。"),
    ("仲裁时效还来得及吗", "", "告知一般时效一年，拖欠劳动报酬的在劳动关系终止后一年内提出。"),
    ("调解要不要收费", "", "告知工会调解不收费，介绍调解程序和所需材料。"),
]
#: Online applications (网上申请): (organisation, scenario index, platform?, registered by the
#: clerk?). The others wait on the centre's work list under 网上申请待处理.
ONLINE_APPLICATIONS: list[tuple[str, int, bool, bool]] = [
    ("XHM", 0, False, False),
    ("DX", 1, False, False),
    ("JG", 2, False, False),
    ("DX", 3, True, False),
    ("YZ", 0, False, True),
]
ONLINE_SCENARIOS = (data.wage_arrears, data.illegal_dismissal, data.overtime, data.no_written_contract)
PLATFORM_NAME = "北京工会网上劳动争议调解平台"


#: Typical working days between a step and the one before it, for the demo's history.
STEP_GAPS: dict[str, tuple[int, int]] = {
    "seek_consent": (0, 1),
    "reject": (1, 3),
    "withdraw": (2, 10),
    "terminate": (3, 12),
    "draft_agreement": (3, 9),
    "make_effective": (1, 3),
    "confirm_performance": (8, 40),
    "record_non_performance": (20, 45),
    "submit_closure": (2, 8),
    "return_closure": (1, 3),
    "approve_closure": (1, 4),
    "archive": (5, 25),
}


@dataclass
class Item:
    """One obligation as the parties agreed it (before it is written to the agreement)."""

    kind: str
    description: str
    obligor: CaseParty
    obligee: CaseParty
    amount: Decimal | None  # agreed in total (payments)
    due_on: dt.date
    second: tuple[Decimal, dt.date] | None = None  # second instalment: amount, due date

    @property
    def first_amount(self) -> Decimal | None:
        if self.amount is None:
            return None
        return self.amount - self.second[0] if self.second else self.amount


@dataclass
class Plan:
    """One case to create: where it ends up and how it gets there."""

    index: int
    state: str
    org: str
    steps: list[str] = field(default_factory=list)
    received_at: dt.datetime | None = None
    accepted_at: dt.datetime | None = None
    started_at: dt.datetime | None = None
    last_at: dt.datetime | None = None  # when the previous step happened
    reason_code: str = ""
    reason_note: str = ""
    outcome: str = ""  # the outcome state behind a closing / closed / archived case
    # filled in while loading
    case: Case | None = None
    clerk: User | None = None
    mediators: list[User] = field(default_factory=list)
    done: int = 0  # steps already run
    dispute: data.Dispute | None = None
    applicants: list[CaseParty] = field(default_factory=list)
    respondents: list[CaseParty] = field(default_factory=list)
    agent: str = ""  # the applicant's agent (lawyer, relative), if any
    rounds: int = 0  # sessions held
    single_session: bool = False  # settled at the first session
    draft_at: dt.datetime | None = None  # planned when the agreement is reached at the first session
    effective_at: dt.datetime | None = None  # planned when the terms are agreed
    deal: list[Item] = field(default_factory=list)
    pay_method: str = "bank_transfer"  # key of data.PAYMENT_NOTES
    unperformed_at: dt.datetime | None = None  # planned with the due dates

    @property
    def sort_key(self) -> tuple[int, dt.datetime, int]:
        # Drafts last (they are being typed in now); the rest in the order they arrived.
        return (self.received_at is None, self.received_at or LAST, self.index)


class Command(BaseCommand):
    help = (
        "Load realistic demo data (Daxing district centre, 3 towns, partner agencies, demo logins with "
        f"password {data.DEMO_PASSWORD}, ~{DEFAULT_CASES} cases in every state). Only with DJANGO_DEBUG on; "
        "running it again when the demo is loaded changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--cases",
            type=int,
            default=DEFAULT_CASES,
            help=f"How many cases to create (default {DEFAULT_CASES}; 15 or more cover every state).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(REFUSAL)
        count = options["cases"]
        if count < 0:
            raise CommandError("--cases must be 0 or more.")
        if demo_loaded():
            self.stdout.write("演示数据已加载，未做任何修改。 / The demo data is already loaded; nothing changed.")
            self.stdout.write(logins_table())
            return
        started = time.monotonic()
        with _no_query_log(), transaction.atomic():
            loader = DemoLoader(rng=random.Random(SEED), write=self.stdout.write)
            loader.load(count)
            alerts = services.deadlines_sweep(actor=system_user())
        self.stdout.write(
            f"完成 / done: {count} cases in {time.monotonic() - started:.1f} s; "
            f"deadline alerts raised: {alerts['created']}."
        )
        self.stdout.write(status_summary())
        self.stdout.write(logins_table())


@contextmanager
def _no_query_log() -> Iterator[None]:
    """With DEBUG on, Django keeps every query in connection.queries (on SQLite running one
    more query per query to render its parameters). The demo runs some 100 000 queries and
    needs no log of them: that alone takes a third of the time."""
    debug = settings.DEBUG
    settings.DEBUG = False
    try:
        yield
    finally:
        settings.DEBUG = debug


def demo_loaded() -> bool:
    """The demo is loaded when any case was created by one of its users."""
    return Case.objects.filter(created_by__username__in=[s.username for s in data.STAFF]).exists()


# --- the loader ------------------------------------------------------------------------------


class DemoLoader:
    def __init__(self, *, rng: random.Random, write: Any) -> None:
        self.rng = rng
        self.write = write
        self.system = system_user()
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.zone = timezone.get_current_timezone()
        self.calendar = deadlines.WorkCalendar(self.today - dt.timedelta(days=560), self.today + dt.timedelta(days=60))
        self.orgs: dict[str, Organization] = {}
        self.users: dict[str, User] = {}
        self.employer_specs: list[dict[str, Any]] = []
        self.employers: dict[str, Employer] = {}
        self.taken_ids: set[str] = set()
        self.taken_phones: set[str] = set()
        self.serials: dict[tuple[str, int], int] = {}
        #: The linkage draws from its own stream, so the cases stay as they were without it.
        self.link_rng = random.Random(SEED + 1)
        self.agencies: dict[str, PartnerAgency] = {}
        self.liaisons: dict[str, User] = {}
        self.rooms: dict[str, list[Room]] = {}
        #: Booked sessions of each mediator ("m", pk) and room ("r", pk): the services refuse
        #: double bookings, so the demo picks free slots.
        self.busy: dict[tuple[str, int], list[tuple[dt.datetime, dt.datetime]]] = {}
        self.archived = 0
        self.archive_limit = ARCHIVE_LIMIT

    def load(self, count: int) -> None:
        self.archive_limit = max(1, min(ARCHIVE_LIMIT, count // 25))
        self._organizations()
        self._agencies()
        self._staff()
        self._lawyers()
        self._rooms()
        self._employer_specs()
        plans = sorted((self._plan(i, state) for i, state in enumerate(self._states(count))), key=lambda p: p.sort_key)
        # Three passes so that numbers follow the calendar: registry numbers in order of
        # receipt, case numbers in order of acceptance.
        for n, plan in enumerate(plans, start=1):
            self._make_case(plan)
            self._run(plan, until="accept")
            self._progress(n, len(plans), "件申请已登记 / applications entered")
        accepted = [p for p in plans if p.accepted_at is not None]
        for plan in sorted(accepted, key=lambda p: (p.accepted_at, p.index)):
            self._run(plan, until=None, steps=1)
        for n, plan in enumerate(plans, start=1):
            self._run(plan, until=None)
            self._finish(plan)
            if plan.case is None or plan.case.status != plan.state:
                raise CommandError(f"demo case {plan.index} did not reach {plan.state} ({plan.steps})")
            self._progress(n, len(plans), "件案件已办理到目标状态 / cases brought to their state")
        transfers = self._linkage(plans)
        self.write(f"  {transfers} 件移送 / transfers to partner agencies")
        if count:
            self._intake(count)
        seed_upward(self.system, write=self.write)

    def _progress(self, n: int, total: int, what: str) -> None:
        if n % 50 == 0 or n == total:
            self.write(f"  {n}/{total} {what}")

    def _run(self, plan: Plan, *, until: str | None, steps: int | None = None) -> None:
        """Run the plan's next steps, stopping before step `until` or after `steps` steps."""
        ran = 0
        while plan.done < len(plan.steps) and plan.steps[plan.done] != until and (steps is None or ran < steps):
            if plan.case is None or plan.clerk is None:
                raise RuntimeError("the case must be created before its transitions run")
            plan.case = self._step(plan.case, plan.steps[plan.done], plan, plan.clerk, plan.mediators)
            plan.done += 1
            ran += 1

    # --- reference data (created once; existing rows are left as they are) -----------------

    def _organizations(self) -> None:
        for spec in data.ORGANIZATIONS:
            org = Organization.objects.filter(code=spec["code"]).first()
            if org is None:
                values = {k: v for k, v in spec.items() if k != "parent"}
                org = Organization(**values, parent=self.orgs.get(spec["parent"]))
                save_with_history(org, actor=self.system, reason="seed_demo")
            self.orgs[spec["code"]] = org

    def _agencies(self) -> None:
        for spec in data.AGENCIES:
            if not PartnerAgency.objects.filter(code=spec["code"]).exists():
                agency = PartnerAgency(**spec, district=self.orgs[data.DISTRICT_CODE])
                save_with_history(agency, actor=self.system, reason="seed_demo")
        codes = [spec["code"] for spec in data.AGENCIES]
        self.agencies = {agency.kind: agency for agency in PartnerAgency.objects.filter(code__in=codes)}

    def _staff(self) -> None:
        password = make_password(data.DEMO_PASSWORD)  # hashed once: PBKDF2 is slow on purpose
        for staff in data.STAFF:
            user = User.objects.filter(username=staff.username).first()
            if user is None:
                user = User(
                    username=staff.username,
                    full_name=staff.full_name,
                    password=password,
                    is_staff=staff.superuser,
                    is_superuser=staff.superuser,
                )
                save_with_history(user, actor=self.system, reason="seed_demo")
            organization = self.orgs.get(staff.organization)
            agency = PartnerAgency.objects.get(code=staff.agency) if staff.agency else None
            if not Membership.objects.filter(
                user=user, role=staff.role, organization=organization, agency=agency
            ).exists():
                membership = Membership(user=user, role=staff.role, organization=organization, agency=agency)
                save_with_history(membership, actor=self.system, reason="seed_demo")
            self.users[staff.username] = user
            if agency is not None and staff.role == Role.LIAISON:
                self.liaisons[agency.kind] = user

    def _lawyers(self) -> None:
        """Law firms, lawyer profiles, zones and the duty roster (no random draws)."""
        firms = []
        for spec in LAW_FIRMS:
            firm = LawFirm.objects.filter(name=spec["name"]).first()
            if firm is None:
                start = self.today.replace(month=1, day=1)
                firm = LawFirm(**spec, contract_start=start, contract_end=start.replace(month=12, day=31))
                save_with_history(firm, actor=self.system, reason="seed_demo")
            firms.append(firm)
        lawyers = []
        for username, (licence, firm_index) in LAWYERS.items():
            user = self.users[username]
            if not LawyerProfile.objects.filter(user=user).exists():
                profile = LawyerProfile(user=user, licence_number=licence, firm=firms[firm_index])
                save_with_history(profile, actor=self.system, reason="seed_demo")
            lawyers.append(user)
        district = self.orgs[data.DISTRICT_CODE]
        zones = []
        for name, (towns, streets) in ZONES.items():
            zone = Zone.objects.filter(organization=district, name=name).first()
            if zone is None:
                zone = Zone(organization=district, name=name, street_names=streets)
                save_with_history(zone, actor=self.system, reason="seed_demo")
                zone._history_user = self.system  # type: ignore[attr-defined]  # the m2m history row's actor
                zone.towns.set([self.orgs[code] for code in towns])
                del zone._history_user  # type: ignore[attr-defined]
            zones.append(zone)
        taken = set(DutyAssignment.objects.filter(zone__in=zones).values_list("date", "zone_id"))
        for offset in range(-ROSTER_PAST_DAYS, ROSTER_FUTURE_DAYS + 1):
            day = self.today + dt.timedelta(days=offset)
            for index, zone in enumerate(zones):
                if (day, zone.pk) not in taken:
                    lawyer = lawyers[(day.toordinal() + index) % len(lawyers)]
                    save_with_history(
                        DutyAssignment(date=day, zone=zone, lawyer=lawyer), actor=self.system, reason="seed_demo"
                    )

    def _rooms(self) -> None:
        """Two mediation rooms per centre; the sessions already booked in them and by the demo
        mediators (none on a fresh database)."""
        for code, org in self.orgs.items():
            self.rooms[code] = []
            for name in data.ROOM_NAMES:
                room = Room.objects.filter(organization=org, name=name).first()
                if room is None:
                    room = Room(organization=org, name=name)
                    save_with_history(room, actor=self.system, reason="seed_demo")
                self.rooms[code].append(room)
        mediators = [u.pk for u in self.users.values()]
        for slot in SessionMediator.objects.filter(active=True, mediator_id__in=mediators):
            self.busy.setdefault(("m", slot.mediator_id), []).append((slot.starts_at, slot.ends_at))
        rooms = [r.pk for rs in self.rooms.values() for r in rs]
        taken = MediationSession.objects.filter(room_id__in=rooms).exclude(status=mv.SessionStatus.CANCELLED)
        for session in taken:
            self.busy.setdefault(("r", session.room_id or 0), []).append((session.starts_at, session.ends_at))

    def _employer_specs(self) -> None:
        """Identity data of every demo employer, drawn up front so it does not depend on which
        case happens to use the employer first."""
        taken: set[str] = set(Employer.objects.exclude(uscc="").values_list("uscc", flat=True))
        for area, name, industry, entity_type, address in data.EMPLOYERS:
            self.employer_specs.append(
                {
                    "area": area,
                    "industry": industry,
                    "name": name,
                    "entity_type": entity_type,
                    "uscc": data.make_uscc(self.rng, entity_type=entity_type, address=address, taken=taken),
                    "legal_rep_name": data.person_name(self.rng, male=self.rng.random() < 0.75),
                    "registered_address": address,
                    "contact_name": data.person_name(self.rng, male=self.rng.random() < 0.4),
                    "contact_phone": (
                        data.mobile(self.rng, self.taken_phones)
                        if self.rng.random() < 0.6
                        else f"010-{self.rng.choice((6, 8))}{self.rng.randint(0, 9_999_999):07d}"
                    ),
                }
            )

    def _employer(self, spec: dict[str, Any], actor: User) -> Employer:
        employer = self.employers.get(spec["name"])
        if employer is None:
            fields = {k: v for k, v in spec.items() if k not in ("area", "industry")}
            employer = services.employer_get_or_create(actor=actor, **fields)
            self.employers[spec["name"]] = employer
        return employer

    # --- planning ------------------------------------------------------------------------------

    def _states(self, count: int) -> list[str]:
        first = list(STATE_COUNTS)[:count]
        rest = [state for state, n in STATE_COUNTS.items() for _ in range(n - 1)]
        self.rng.shuffle(rest)
        while len(first) + len(rest) < count:
            rest.append(self.rng.choices(list(STATE_COUNTS), weights=list(STATE_COUNTS.values()))[0])
        return (first + rest)[:count]

    def _plan(self, index: int, state: str) -> Plan:
        plan = Plan(index=index, state=state, org=ORG_CYCLE[index % len(ORG_CYCLE)])
        if state == S.DRAFT:
            return plan
        outcome, tail = state, []
        if state in (S.CLOSING, S.CLOSED, S.ARCHIVED):
            outcome = self._weighted(CLOSED_OUTCOMES)
            tail = ["submit_closure"]
            if state != S.CLOSING:
                if self.rng.random() < 0.05:
                    tail += ["return_closure", "submit_closure"]
                tail.append("approve_closure")
            if state == S.ARCHIVED:
                tail.append("archive")
        plan.outcome = outcome
        plan.steps = self._steps_to(outcome, plan) + tail
        self._schedule(plan, outcome, final=state)
        return plan

    def _steps_to(self, outcome: str, plan: Plan) -> list[str]:
        """Transitions from draft to `outcome` (an open or outcome state), choosing the stage
        at which a case was withdrawn, rejected or terminated."""
        consent = ["seek_consent"] if self.rng.random() < 0.2 else []
        to_mediation: dict[str, list[str]] = {
            S.REGISTERED: ["register"],
            S.AWAITING_CONSENT: ["register", "seek_consent"],
            S.ACCEPTED: ["register", *consent, "accept"],
            S.IN_MEDIATION: ["register", *consent, "accept", "start"],
            S.AGREEMENT_PENDING: ["register", *consent, "accept", "start", "draft_agreement"],
        }
        if outcome in to_mediation:
            return to_mediation[outcome]
        settled = ["register", *consent, "accept", *AGREEMENT_STEPS]
        if outcome == S.AGREEMENT_EFFECTIVE:
            return settled
        if outcome == S.PERFORMED:
            return [*settled, "confirm_performance"]
        if outcome == S.NOT_PERFORMED:
            plan.reason_note = self.rng.choice(data.NON_PERFORMANCE_NOTES)
            return [*settled, "record_non_performance"]
        if outcome == S.REJECTED:
            stage = self._weighted([(S.REGISTERED, 70), (S.AWAITING_CONSENT, 30)])
            return [*to_mediation[stage], "reject"]
        if outcome == S.WITHDRAWN:
            code, note = self._weighted([((c, n), w) for c, n, w in data.WITHDRAWALS])
            plan.reason_code, plan.reason_note = code, note
            stage = self._weighted(
                [(S.REGISTERED, 20), (S.AWAITING_CONSENT, 5), (S.ACCEPTED, 15), (S.IN_MEDIATION, 60)]
            )
            return [*to_mediation[stage], "withdraw"]
        stage = self._weighted([(S.ACCEPTED, 15), (S.IN_MEDIATION, 75), (S.AGREEMENT_PENDING, 10)])
        plan.reason_code, plan.reason_note = self.rng.choice(data.TERMINATIONS[stage])
        return [*to_mediation[stage], "terminate"]

    def _schedule(self, plan: Plan, outcome: str, *, final: str) -> None:
        """Receipt, acceptance and start times: recent for open cases (with a share overdue),
        up to ~14 months back for closed and archived ones."""
        rng = self.rng
        lag = rng.choice((0, 1, 1, 2, 2, 3))  # working days from receipt to acceptance
        accepted_back: dict[
            str, tuple[tuple[int, int], tuple[int, int], float]
        ] = {  # working days ago the case was accepted: (usual, overdue), share overdue
            S.ACCEPTED: ((0, 3), (14, 25), 0.25),
            S.IN_MEDIATION: ((1, 9), (13, 30), 0.25),
            S.AGREEMENT_PENDING: ((4, 9), (12, 20), 0.2),
        }
        received_back: dict[
            str, tuple[tuple[int, int], tuple[int, int], float]
        ] = {  # working days ago the application arrived
            S.REGISTERED: ((1, 2), (5, 9), 0.3),
            S.AWAITING_CONSENT: ((1, 3), (5, 10), 0.35),
        }
        received_days: dict[str, tuple[int, int]] = {  # calendar days ago
            S.AGREEMENT_EFFECTIVE: (15, 60),
            S.PERFORMED: (12, 100),
            S.TERMINATED: (12, 100),
            S.WITHDRAWN: (12, 100),
            S.REJECTED: (8, 100),
            S.NOT_PERFORMED: (45, 150),
            S.CLOSING: (20, 120),
            S.CLOSED: (30, 445),
            S.ARCHIVED: (75, 445),
        }
        if final in accepted_back:
            usual, late, share = accepted_back[final]
            accepted = self._working_back(self.today, rng.randint(*(late if rng.random() < share else usual)))
            received = self._working_back(accepted, lag)
        elif final in received_back:
            usual, late, share = received_back[final]
            received = self._working_back(self.today, rng.randint(*(late if rng.random() < share else usual)))
            accepted = received
        else:
            days = rng.randint(*received_days.get(final, received_days[outcome]))
            # An agreement takes a few weeks to be performed, or to be found not performed.
            minimum: dict[str, int] = {S.NOT_PERFORMED: 60, S.PERFORMED: 30}
            days = max(days, minimum.get(outcome, 0))
            received = self._working_back(self.today - dt.timedelta(days=days), 0)
            accepted = min(self._working_forward(received, lag), self.today)
        plan.received_at = self._at(received, rng.randint(8 * 60 + 40, 16 * 60 + 50))
        if "accept" not in plan.steps:
            return
        minutes = rng.randint(9 * 60, 17 * 60)
        if accepted == received:
            minutes = min(self._minutes(plan.received_at) + rng.randint(40, 180), 17 * 60 + 30)
        plan.accepted_at = accepted_at = self._clamp(self._at(accepted, minutes), plan.received_at)
        if "start" in plan.steps:
            start_day = min(self._working_forward(accepted, rng.choice((0, 1, 1, 2))), self.today)
            minutes = rng.randint(9 * 60, 16 * 60)
            plan.started_at = self._clamp(self._at(start_day, minutes), accepted_at)
        if plan.reason_code == "deadline_expired":
            due = deadlines.mediation_due_on(timezone.localdate(accepted_at))
            if due >= self.today:  # the guard allows this reason only after the due date
                plan.reason_code, plan.reason_note = data.TERMINATIONS["in_mediation"][0]

    # --- dates ---------------------------------------------------------------------------------

    def _working_back(self, day: dt.date, count: int) -> dt.date:
        while not self.calendar.is_working_day(day):
            day -= dt.timedelta(days=1)
        for _ in range(count):
            day -= dt.timedelta(days=1)
            while not self.calendar.is_working_day(day):
                day -= dt.timedelta(days=1)
        return day

    def _working_forward(self, day: dt.date, count: int) -> dt.date:
        for _ in range(count):
            day += dt.timedelta(days=1)
            while not self.calendar.is_working_day(day):
                day += dt.timedelta(days=1)
        return day

    def _at(self, day: dt.date, minutes: int) -> dt.datetime:
        moment = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=self.zone)
        return min(moment, self.now - dt.timedelta(minutes=5))

    @staticmethod
    def _minutes(moment: dt.datetime) -> int:
        local = timezone.localtime(moment)
        return local.hour * 60 + local.minute

    def _clamp(self, moment: dt.datetime, after: dt.datetime) -> dt.datetime:
        """Never before the previous step, never in the future."""
        return max(min(moment, self.now - dt.timedelta(minutes=1)), after + dt.timedelta(minutes=1))

    def _weighted(self, options: list[tuple[Any, int]]) -> Any:
        values, weights = zip(*options, strict=True)
        return self.rng.choices(values, weights=weights)[0]

    # --- one case ------------------------------------------------------------------------------

    def _make_case(self, plan: Plan) -> None:
        rng = self.rng
        team = data.ORG_TEAMS[plan.org]
        clerk = self.users[team["clerk"][0]]
        received = timezone.localdate(plan.received_at) if plan.received_at else self.today

        scenario, _weight, industries, collective = self._weighted([((s, w, i, c), w) for s, w, i, c in data.SCENARIOS])
        employer_spec = self._pick_employer(plan.org, industries)
        position, low, high = rng.choice(data.POSITIONS[employer_spec["industry"]])
        male = rng.random() < (
            0.85 if employer_spec["industry"] in ("construction", "logistics", "delivery", "security", "auto") else 0.55
        )
        ctx = data.Context(
            worker=data.person_name(rng, male),
            employer=employer_spec["name"],
            position=position,
            wage=Decimal(rng.randint(low // 100, high // 100) * 100),
            hired=received - dt.timedelta(days=rng.randint(400, 3000)),
            received=received,
            workers=rng.randint(10, 48) if collective else 1,
            industry=employer_spec["industry"],
        )
        user_unit_spec = None
        if scenario is data.labour_dispatch:
            user_unit_spec = self._pick_employer(plan.org, frozenset({"manufacturing", "biotech", "logistics"}))
            ctx.user_unit = user_unit_spec["name"]
        dispute = scenario(rng, ctx)

        source = self._weighted(data.SOURCE_WEIGHTS["district" if plan.org == data.DISTRICT_CODE else "town"])
        claimed = sum((c.amount or Decimal(0) for c in dispute.claims), Decimal(0))
        simple = (
            not collective and claimed <= 20000 and rng.random() < (0.75 if plan.org != data.DISTRICT_CODE else 0.5)
        )
        case = services.case_create(
            actor=clerk,
            organization=self.orgs[plan.org],
            dispute_type=dispute.dispute_type,
            source=source,
            channel=data.CHANNEL_OF_SOURCE.get(source, "written"),
            facts_summary=dispute.facts,
            workers_involved=ctx.workers,
            source_reference=self._reference(source, received),
            referring_body=data.REFERRING_BODIES.get(source, ""),
            file_type="simple" if simple else "formal",
            # Entered shortly before registration; drafts are being typed in now.
            at=plan.received_at - dt.timedelta(minutes=self.rng.randint(5, 25)) if plan.received_at else None,
        )
        applicants = self._add_workers(case, clerk, plan.org, ctx, male, collective)
        employer = self._employer(employer_spec, clerk)
        respondents = []
        if user_unit_spec is not None:
            respondents.append(
                services.case_party_add(
                    case=case, actor=clerk, side="respondent", employer=employer, party_kind="dispatch_agency"
                )
            )
            respondents.append(
                services.case_party_add(
                    case=case,
                    actor=clerk,
                    side="respondent",
                    employer=self._employer(user_unit_spec, clerk),
                    party_kind="user_unit",
                )
            )
        else:
            respondents.append(services.case_party_add(case=case, actor=clerk, side="respondent", employer=employer))
        for claim in dispute.claims:
            services.claim_add(
                case=case,
                actor=clerk,
                claim_type=claim.claim_type,
                description=claim.description,
                amount=claim.amount,
                claimant=applicants[0],
                period_start=claim.period_start,
                period_end=claim.period_end,
            )
        plan.case, plan.clerk, plan.mediators = case, clerk, self._mediators(plan.org, collective)
        plan.dispute, plan.applicants, plan.respondents = dispute, applicants, respondents
        if rng.random() < (0.3 if collective else 0.15):
            plan.agent = data.person_name(rng, rng.random() < 0.5)

    def _pick_employer(self, org: str, industries: frozenset[str]) -> dict[str, Any]:
        local = [s for s in self.employer_specs if s["area"] == org and s["industry"] in industries]
        return self.rng.choice(local or [s for s in self.employer_specs if s["industry"] in industries])

    def _add_workers(
        self, case: Case, clerk: User, org: str, ctx: data.Context, male: bool, collective: bool
    ) -> list[CaseParty]:
        """The applicant, or for a collective dispute 3-6 elected representatives (推举代表)."""
        rng = self.rng
        names = [(ctx.worker, male)]
        if collective:
            for _ in range(rng.randint(2, 5)):
                other = rng.random() < 0.7
                names.append((data.person_name(rng, other), other))
        parties = []
        for name, is_male in names:
            age = rng.randint(20, 56)
            birth = ctx.received.replace(year=ctx.received.year - age, day=1) + dt.timedelta(days=rng.randint(0, 360))
            person = services.person_get_or_create(
                actor=clerk,
                name=name,
                id_number=data.resident_id(rng, birth, is_male, self.taken_ids),
                phone=data.mobile(rng, self.taken_phones),
                address=data.residence(rng, org),
            )
            parties.append(
                services.case_party_add(
                    case=case,
                    actor=clerk,
                    side="applicant",
                    person=person,
                    is_representative=collective,
                    position=ctx.position,
                )
            )
        return parties

    def _mediators(self, org: str, collective: bool) -> list[User]:
        names = data.ORG_TEAMS[org]["mediators"]
        weights = [4] + [2] * (len(names) - 1)
        lead = self.rng.choices(names, weights=weights)[0]
        chosen = [self.users[lead]]
        if collective:  # a second mediator; towns get a duty lawyer from the district
            pool = [n for n in names if n != lead] or ["dx_lawyer_wu", "dx_lawyer_zheng"]
            chosen.append(self.users[self.rng.choice(pool)])
        return chosen

    def _reference(self, source: str, received: dt.date) -> str:
        if source not in data.SERIAL_START:
            return ""
        key = (source, received.year)
        serial = self.serials.get(key, data.SERIAL_START[source]) + self.rng.randint(3, 60)
        self.serials[key] = serial
        return data.source_reference(source, received, serial)

    def _when(self, plan: Plan, step: str) -> dt.datetime:
        """When a step happened: planned for register/accept/start, otherwise a typical number
        of working days after the previous step; never in the future."""
        planned = {
            "register": plan.received_at,
            "accept": plan.accepted_at,
            "start": plan.started_at,
            "draft_agreement": plan.draft_at,
            "make_effective": plan.effective_at,
            "record_non_performance": plan.unperformed_at,
        }
        moment = planned.get(step)
        if moment is not None:
            return moment if plan.last_at is None else max(moment, plan.last_at + dt.timedelta(minutes=1))
        if plan.last_at is None:
            raise CommandError(f"demo case {plan.index}: {step} cannot be the first step")
        if step == "terminate" and plan.reason_code == "deadline_expired" and plan.accepted_at:
            due = deadlines.mediation_due_on(timezone.localdate(plan.accepted_at))
            day = self._working_forward(due, self.rng.randint(1, 3))
        else:
            day = self._working_forward(timezone.localdate(plan.last_at), self.rng.randint(*STEP_GAPS[step]))
        moment = self._at(min(day, self.today), self.rng.randint(9 * 60, 17 * 60))
        return self._clamp(moment, plan.last_at)

    def _step(self, case: Case, step: str, plan: Plan, clerk: User, mediators: list[User]) -> Case:
        before = plan.last_at
        at = self._when(plan, step)
        plan.last_at = at
        director = self._director(plan)
        lead = mediators[0]
        if step == "register":
            return services.case_register(case=case, actor=clerk, received_at=at)
        if step == "seek_consent":
            return services.case_seek_consent(case=case, actor=clerk, note="已向被申请人发出征询意见函。", at=at)
        if step == "accept":
            return services.case_accept(
                case=case,
                actor=director,
                mediators=mediators,
                clerk=clerk,
                accepted_at=at,
                note="符合受理条件，予以受理。",
            )
        if step == "reject":
            code, note = self._rejection(case)
            return services.case_reject(case=case, actor=director, reason_code=code, note=note, at=at)
        if step == "withdraw":
            return services.case_withdraw(
                case=case, actor=clerk, reason_code=plan.reason_code, note=plan.reason_note, at=at
            )
        if step == "terminate":
            self._before_termination(plan, before or at, at)
            return services.case_terminate(
                case=plan.case or case, actor=director, reason_code=plan.reason_code, note=plan.reason_note, at=at
            )
        if step == "submit_closure":
            self._before_closure(plan, before or at, at)
            self._report_referral(plan, before or at, at)
            return services.case_submit_closure(
                case=case, actor=self.rng.choice((clerk, lead)), note="结案材料齐全，提交结案审批。", at=at
            )
        if step == "return_closure":
            return services.case_return_closure(
                case=case, actor=director, comment=self.rng.choice(data.RETURN_COMMENTS), at=at
            )
        if step == "approve_closure":
            return services.case_approve_closure(case=case, actor=director, note="同意结案。", at=at)
        if step == "start":
            return self._start(plan, at)
        if step == "draft_agreement":
            return self._draft_agreement(plan, before or at, at)
        if step == "make_effective":
            return self._make_effective(plan, before or at, at)
        if step == "confirm_performance":
            return self._confirm_performance(plan, at)
        if step == "record_non_performance":
            return self._record_non_performance(plan, at)
        if step == "archive":
            return self._archive(plan, case, clerk, at)
        raise ValueError(f"unknown step {step!r}")

    def _archive(self, plan: Plan, case: Case, clerk: User, at: dt.datetime) -> Case:
        """立卷归档 through the documents app: every document rendered, bound, hashed. Only
        the first ARCHIVE_LIMIT planned archivings are done (each renders a dozen PDFs); the
        others stay closed, waiting for a clerk to archive them in the demo."""
        if self.archived >= self.archive_limit:
            plan.state = S.CLOSED  # left for a clerk to archive in the demo
            return case
        self.archived += 1
        volume = archive_request(case=case, actor=clerk, schedule=False)
        built = archive_build(volume.pk, at=at)
        if built is None or built.status != "archived":
            raise CommandError(f"archiving {case} failed: {built.error if built else 'no volume'}")
        case.refresh_from_db()
        return case

    def _director(self, plan: Plan) -> User:
        return self.users[data.ORG_TEAMS[plan.org]["director"][0]]

    def _case(self, plan: Plan, *, fresh: bool = False) -> Case:
        """The plan's case; `fresh` reloads it after a service changed its status."""
        if plan.case is None:
            raise RuntimeError("the case must be created first")
        if fresh:
            plan.case.refresh_from_db()
        return plan.case

    def _clerk(self, plan: Plan) -> User:
        if plan.clerk is None:
            raise RuntimeError("the case must be created first")
        return plan.clerk

    # --- moments -------------------------------------------------------------------------------

    def _fit(self, moment: dt.datetime, lo: dt.datetime, hi: dt.datetime) -> dt.datetime:
        """`moment` moved into [lo, hi], never into the future (hi when the range is empty:
        what follows matters more than office hours)."""
        hi = min(hi, self.now - dt.timedelta(minutes=1))
        if hi <= lo:
            return hi
        return max(lo, min(moment, hi))

    def _between(self, lo: dt.datetime, hi: dt.datetime) -> dt.datetime:
        hi = min(hi, self.now - dt.timedelta(minutes=1))
        moment = lo + (hi - lo) * self.rng.uniform(0.2, 0.8) if hi > lo else hi
        return self._fit(moment.replace(second=0, microsecond=0), lo, hi)

    def _moments(self, lo: dt.datetime, hi: dt.datetime, count: int) -> list[dt.datetime]:
        return sorted(self._between(lo, hi) for _ in range(count))

    def _office_hours(self, day: dt.date, lo: dt.datetime, hi: dt.datetime) -> dt.datetime:
        """A moment during office hours on `day` (or the next working day), within [lo, hi]."""
        while not self.calendar.is_working_day(day):
            day += dt.timedelta(days=1)
        return self._fit(self._at(day, self.rng.randint(9 * 60 + 30, 16 * 60 + 30)), lo, hi)

    def _next_morning(self, moment: dt.datetime) -> dt.datetime:
        day = self._working_forward(timezone.localdate(moment), 1)
        return dt.datetime.combine(day, dt.time(9, 0), tzinfo=self.zone)

    # --- sessions and transcripts ----------------------------------------------------------------

    def _free(self, key: tuple[str, int], begin: dt.datetime, end: dt.datetime) -> bool:
        return all(e <= begin or s >= end for s, e in self.busy.get(key, []))

    def _slot(
        self, plan: Plan, earliest: dt.datetime, latest: dt.datetime, kind: str, *, backward: bool = False
    ) -> tuple[dt.datetime, dt.datetime, Room | None] | None:
        """A free slot of 60-120 minutes on a working day between 9:00 and 17:00 for every
        mediator of the case (and a room for a face-to-face or shuttle session)."""
        first, last = timezone.localdate(earliest), timezone.localdate(latest)
        days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
        for day in reversed(days) if backward else days:
            if not self.calendar.is_working_day(day):
                continue
            starts = list(SESSION_STARTS)
            self.rng.shuffle(starts)
            for minutes in starts:
                length = min(self.rng.choice((60, 75, 90, 90, 120)), 17 * 60 - minutes)
                begin = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=self.zone)
                end = begin + dt.timedelta(minutes=length)
                if begin < earliest or end > latest:
                    continue
                if not all(self._free(("m", m.pk), begin, end) for m in plan.mediators):
                    continue
                room = None
                if kind in ROOM_KINDS:
                    room = next((r for r in self.rooms[plan.org] if self._free(("r", r.pk), begin, end)), None)
                    if room is None:
                        continue
                return begin, end, room
        return None

    def _kind(self, plan: Plan) -> str:
        case = plan.case
        if case is not None and case.is_collective:
            return self._weighted(
                [(mv.SessionKind.JOINT, 50), (mv.SessionKind.ON_SITE, 40), (mv.SessionKind.SHUTTLE, 10)]
            )
        return self._weighted(
            [
                (mv.SessionKind.JOINT, 66),
                (mv.SessionKind.SHUTTLE, 12),
                (mv.SessionKind.PHONE, 14 if plan.org != data.DISTRICT_CODE else 8),
                (mv.SessionKind.VIDEO, 5),
            ]
        )

    def _session(
        self,
        plan: Plan,
        earliest: dt.datetime,
        latest: dt.datetime,
        *,
        outcome: str = "",
        backward: bool = False,
    ) -> MediationSession | None:
        """Schedule a session in a free slot; hold it (transcript completed) unless `outcome`
        is empty (a session still to come)."""
        kind = self._kind(plan)
        slot = self._slot(plan, earliest, latest, kind, backward=backward)
        if slot is None:
            return None
        begin, end, room = slot
        place = ""
        if kind == mv.SessionKind.ON_SITE:
            place = self.rng.choice(data.SESSION_PLACES_ON_SITE).format(employer=plan.respondents[0].name)
        session = med.session_schedule(
            case=self._case(plan),
            actor=self._clerk(plan),
            kind=kind,
            starts_at=begin,
            ends_at=end,
            mediators=plan.mediators,
            room=room,
            place=place,
            clerk=plan.clerk,
        )
        for mediator in plan.mediators:
            self.busy.setdefault(("m", mediator.pk), []).append((begin, end))
        if room is not None:
            self.busy.setdefault(("r", room.pk), []).append((begin, end))
        if outcome:
            self._hold(plan, session, outcome)
        return session

    def _future_session(self, plan: Plan) -> MediationSession:
        earliest = self._next_morning(self.now)
        session = self._session(plan, earliest, earliest + dt.timedelta(days=10))
        if session is None:
            raise CommandError(f"demo case {plan.index}: no free slot for the next session")
        return session

    def _representative(self, plan: Plan, party: CaseParty) -> tuple[str, str]:
        """Who speaks and signs for an employer: its legal representative or an agent (the
        HR contact, with special authority); the same person at every session."""
        employer = party.employer
        if employer is None:
            return party.name, mv.Capacity.APPLICANT
        seed = (party.pk * 7 + plan.index) % 10
        if employer.contact_name and seed < 6:
            return employer.contact_name, mv.Capacity.AGENT
        return employer.legal_rep_name or employer.contact_name or "负责人", mv.Capacity.LEGAL_REP

    def _offer(self, plan: Plan) -> Decimal | None:
        if plan.deal:
            total = sum((i.amount or Decimal(0) for i in plan.deal), Decimal(0))
        else:
            claimed = sum((c.amount or Decimal(0) for c in plan.dispute.claims), Decimal(0)) if plan.dispute else 0
            total = (Decimal(claimed) * Decimal("0.0085")).to_integral_value() * 100
        return data.money(total) if total else None

    def _hold(self, plan: Plan, session: MediationSession, outcome: str) -> dt.datetime:
        """The session takes place: attendance (identity checked), the transcript blocks, read
        back, signed by everyone (now and then a refusal, noted), completed."""
        rng, clerk, case = self.rng, self._clerk(plan), self._case(plan)
        plan.rounds += 1
        attendees: list[tuple[str, str, CaseParty]] = []
        capacity = mv.Capacity.REPRESENTATIVE if case.is_collective else mv.Capacity.APPLICANT
        attendees += [(party.name, capacity, party) for party in plan.applicants]
        if plan.agent:
            attendees.append((plan.agent, mv.Capacity.AGENT, plan.applicants[0]))
        speakers = []
        for party in plan.respondents:
            name, role = self._representative(plan, party)
            attendees.append((name, role, party))
            speakers.append(f"被申请人{party.name}{'委托代理人' if role == mv.Capacity.AGENT else '法定代表人'}{name}")
        refusing = outcome != "agreement" and rng.random() < 0.06
        for name, role, party in attendees:
            attendance = med.attendance_record(
                session=session, actor=clerk, name=name, capacity=role, party=party, identity_checked=True
            )
            if refusing and party.side == case_vocab.Side.RESPONDENT:
                med.attendance_sign(
                    attendance=attendance, actor=clerk, signed=False, refusal_note=name + rng.choice(data.REFUSALS)
                )
                refusing = False
            else:
                med.attendance_sign(attendance=attendance, actor=clerk, signed=True)
        dispute = plan.dispute
        if dispute is None:
            raise RuntimeError("the case must be created first")
        sitting = data.Sitting(
            round=plan.rounds,
            mediator=plan.mediators[0].full_name,
            clerk=clerk.full_name,
            applicants=[p.name for p in plan.applicants],
            respondents=[p.name for p in plan.respondents],
            speakers=speakers,
            dispute_type=case.dispute_type,
            dispute_label=str(case.get_dispute_type_display()),
            facts=dispute.facts,
            claims=[(c.description, c.amount) for c in dispute.claims],
            outcome=outcome,
            offer=self._offer(plan),
            agreed=[self._clause(plan, item) for item in plan.deal] if outcome == "agreement" else [],
            collective=case.is_collective,
            kind=session.kind,
        )
        med.transcript_save(session=session, actor=clerk, blocks=data.transcript_blocks(rng, sitting))
        med.transcript_confirm_read_back(session=session, actor=clerk)
        done = self._fit(session.ends_at + dt.timedelta(minutes=rng.randint(5, 20)), session.ends_at, self.now)
        med.transcript_complete(session=session, actor=clerk, at=done)
        plan.last_at = max(plan.last_at or done, done)
        return done

    def _start(self, plan: Plan, at: dt.datetime) -> Case:
        """开始调解: the first session is scheduled (the service fires `start`) and, unless it
        is still to come, held."""
        if plan.accepted_at is None:
            raise RuntimeError("start needs an accepted case")
        stays = plan.steps[-1] == "start"  # the case is still in mediation today
        recent = (self.now - plan.accepted_at).days <= 4
        session = None
        if not (stays and recent and self.rng.random() < 0.4):
            earliest = max(at, plan.accepted_at + dt.timedelta(minutes=30))
            session = self._session(plan, earliest, self.now - dt.timedelta(minutes=10))
        if session is None:
            if not stays:
                raise CommandError(f"demo case {plan.index}: no free slot for the first session")
            self._future_session(plan)
            plan.last_at = self.now
            return self._case(plan, fresh=True)
        settles = "draft_agreement" in plan.steps and session.ends_at < self.now - dt.timedelta(hours=3)
        plan.single_session = settles and self.rng.random() < 0.35
        if plan.single_session:
            plan.draft_at = session.ends_at + dt.timedelta(minutes=self.rng.randint(30, 80))
            self._deal(plan, plan.draft_at)
        self._hold(plan, session, "agreement" if plan.single_session else "continue")
        return self._case(plan, fresh=True)

    def _later_sessions(self, plan: Plan, after: dt.datetime, until: dt.datetime, outcomes: list[str]) -> None:
        """Further sessions held, a few days apart, between `after` and `until` (as many as fit)."""
        for outcome in outcomes:
            earliest = self._next_morning(after) + dt.timedelta(days=self.rng.randint(0, 3))
            session = self._session(plan, earliest, until - dt.timedelta(hours=1), outcome=outcome)
            if session is None:
                return
            after = session.ends_at

    # --- the agreement --------------------------------------------------------------------------

    def _deal(self, plan: Plan, draft_at: dt.datetime) -> None:
        """What the parties agree: amounts negotiated from the claims, due dates after the
        agreement takes effect, sometimes two instalments."""
        rng, dispute = self.rng, plan.dispute
        if dispute is None:
            raise RuntimeError("the case must be created first")
        effective_day = self._working_forward(timezone.localdate(draft_at), rng.choice((0, 1, 1, 2, 3)))
        if "make_effective" in plan.steps:
            moment = self._at(effective_day, rng.randint(9 * 60 + 30, 16 * 60 + 30))
            if moment < draft_at + dt.timedelta(minutes=40):
                moment = draft_at + dt.timedelta(minutes=40)
            if moment > self.now - dt.timedelta(minutes=2):
                moment = draft_at + (self.now - draft_at) / 2
            plan.effective_at = moment
            effective_day = timezone.localdate(moment)
        base = rng.choice((5, 7, 10, 15, 15, 20, 30))
        items = []
        for claim in dispute.claims:
            kind = mv.ObligationKind.PAYMENT if claim.amount else NON_MONEY.get(claim.claim_type)
            if kind is None:
                continue
            amount = data.settle(rng, claim.claim_type, claim.amount) if claim.amount else None
            due = effective_day + dt.timedelta(days=base if amount else rng.randint(3, 10))
            items.append(Item(kind, claim.description, plan.respondents[0], plan.applicants[0], amount, due))
        payments = [i for i in items if i.amount]
        biggest = max(payments, key=lambda i: i.amount or 0)
        total = sum((i.amount or Decimal(0) for i in payments), Decimal(0))
        instalments = plan.outcome == S.NOT_PERFORMED and plan.reason_note == data.NON_PERFORMANCE_NOTES[0]
        if (instalments or (total >= 8000 and rng.random() < 0.35)) and (biggest.amount or 0) >= 20:
            amount = biggest.amount or Decimal(0)
            step = Decimal(100) if amount >= 2000 else Decimal(10) if amount >= 200 else Decimal(1)
            first = max(step, (amount * Decimal(str(rng.uniform(0.4, 0.6))) / step).to_integral_value() * step)
            first_due = effective_day + dt.timedelta(days=rng.randint(5, 12))
            biggest.due_on = first_due
            biggest.second = (amount - first, first_due + dt.timedelta(days=rng.choice((20, 30, 30, 45))))
        today = self.today
        if plan.outcome == S.NOT_PERFORMED:  # everything fell due well before it was found unpaid
            gap = STEP_GAPS["record_non_performance"]
            found = self._working_forward(effective_day, rng.randint(*gap))
            moment = self._at(min(found, today), rng.randint(9 * 60, 17 * 60))
            plan.unperformed_at = max(moment, (plan.effective_at or moment) + dt.timedelta(hours=1))
            cap = min(timezone.localdate(plan.unperformed_at), today) - dt.timedelta(days=6)
            for item in items:
                if item.second:
                    second_due = max(min(item.second[1], cap), effective_day + dt.timedelta(days=2))
                    item.second = (item.second[0], second_due)
                    item.due_on = max(min(item.due_on, second_due - dt.timedelta(days=1)), effective_day)
                else:
                    item.due_on = max(min(item.due_on, cap), effective_day + dt.timedelta(days=1))
        if plan.state == S.AGREEMENT_EFFECTIVE and rng.random() < 0.75:  # money still to come
            later = today + dt.timedelta(days=rng.randint(3, 40))
            if biggest.second:
                biggest.second = (biggest.second[0], max(biggest.second[1], later))
            else:
                biggest.due_on = max(biggest.due_on, later)
        plan.deal = items
        plan.pay_method = self._weighted(
            [("bank_transfer", 75), ("cash", 15 if total < 5000 else 0), ("mobile", 15 if total < 20000 else 0)]
        )
        if plan.case is not None and plan.case.is_collective:
            plan.pay_method = "payroll_account"

    def _clause(self, plan: Plan, item: Item) -> str:
        obligor = f"被申请人{item.obligor.name}"
        obligee = f"申请人{item.obligee.name}"
        if plan.case is not None and plan.case.is_collective:
            obligee = f"申请人代表{item.obligee.name}等{plan.case.workers_involved}名职工"
        if item.amount is None:
            return f"{obligor}于{data.cn_date_upper(item.due_on)}前{item.description}"
        if item.second:
            second, second_due = item.second
            return (
                f"{obligor}分两期向{obligee}{item.description}共计{data.amount_words(item.amount)}："
                f"第一期{data.amount_words(item.first_amount or Decimal(0))}于{data.cn_date_upper(item.due_on)}前支付；"
                f"第二期{data.amount_words(second)}于{data.cn_date_upper(second_due)}前支付"
            )
        return f"{obligor}于{data.cn_date_upper(item.due_on)}前向{obligee}{item.description}{data.amount_words(item.amount)}"

    def _terms(self, plan: Plan, case: Case) -> list[str]:
        applicants = "、".join(p.name for p in plan.applicants)
        respondents = "、".join(p.name for p in plan.respondents)
        clauses = [self._clause(plan, item) for item in plan.deal]
        if len(plan.respondents) > 1:
            clauses.append(f"用工单位{plan.respondents[1].name}对上述支付义务承担连带责任")
        if plan.pay_method == "cash":
            clauses.append("上述款项由被申请人在调解中心以现金方式当面支付，申请人当场出具收条")
        elif plan.pay_method == "payroll_account":
            clauses.append("上述款项按双方确认的工资清单直接支付至每名职工本人银行账户，不得以现金方式支付")
        else:
            clauses.append("上述款项以转账方式支付至申请人本人账户")
        clauses += data.CLOSING_TERMS
        copies = len(plan.respondents) + 2
        clauses.append(f"本协议一式{data.cn_numeral(copies)}份，双方当事人各执一份，调解组织留存一份，具有同等法律效力")
        terms = [
            f"申请人{applicants}与被申请人{respondents}{case.get_dispute_type_display()}争议一案，"
            f"经{case.organization.name}调解，双方当事人自愿达成如下协议："
        ]
        terms += [f"{data.cn_numeral(n)}、{text.rstrip('。')}。" for n, text in enumerate(clauses, start=1)]
        return terms

    def _draft_agreement(self, plan: Plan, before: dt.datetime, at: dt.datetime) -> Case:
        """拟定调解协议: agreed at the last session, drafted from the claims, amounts and due
        dates negotiated, a second instalment added, the clauses written."""
        lead = plan.mediators[0]
        if not plan.single_session:
            self._deal(plan, at)
            until = at - dt.timedelta(minutes=20)
            held = self._session(plan, self._next_morning(before), until, outcome="agreement", backward=True)
            if held is None:
                held = self._session(plan, before + dt.timedelta(hours=1), until, outcome="agreement")
            if held is None:
                raise CommandError(f"demo case {plan.index}: no free slot for the session that settled it")
        agreement = med.agreement_draft(case=self._case(plan), actor=lead, at=at)
        obligations = list(agreement.obligations.order_by("position", "id"))
        if [o.description for o in obligations] != [i.description for i in plan.deal]:
            raise RuntimeError(f"demo case {plan.index}: obligations do not follow the claims")
        for obligation, item in zip(obligations, plan.deal, strict=True):
            med.obligation_set_due(obligation=obligation, actor=lead, due_on=item.due_on, amount=item.first_amount)
            if item.second:
                med.obligation_add(
                    agreement=agreement,
                    actor=lead,
                    kind=mv.ObligationKind.PAYMENT,
                    obligor=obligation.obligor,
                    obligee=obligation.obligee,
                    description=f"{obligation.description}（第二期）",
                    amount=item.second[0],
                    due_on=item.second[1],
                )
        case = self._case(plan, fresh=True)
        med.agreement_set_terms(agreement=agreement, actor=lead, terms=self._terms(plan, case))
        plan.last_at = at
        return case

    def _sign(
        self, plan: Plan, agreement: Agreement, parties: list[CaseParty], lo: dt.datetime, hi: dt.datetime
    ) -> None:
        """Parties sign: workers in person (or their agent with special authority), employers
        by their legal representative or an agent with special authority."""
        for party, when in zip(parties, self._moments(lo, hi, len(parties)), strict=True):
            agent, authority = "", ""
            if party.employer_id:
                name, role = self._representative(plan, party)
                if role == mv.Capacity.AGENT:
                    agent, authority = name, mv.AgentAuthority.SPECIAL
            elif plan.agent and party == plan.applicants[0] and self.rng.random() < 0.4:
                agent, authority = plan.agent, mv.AgentAuthority.SPECIAL
            med.agreement_sign(
                agreement=agreement,
                actor=plan.mediators[0],
                party=party,
                agent_name=agent,
                agent_authority=authority,
                signed_at=when,
            )

    def _agreement(self, plan: Plan) -> Agreement:
        agreement = live_agreement(self._case(plan))
        if agreement is None:
            raise RuntimeError(f"demo case {plan.index} has no agreement")
        return agreement

    def _make_effective(self, plan: Plan, before: dt.datetime, at: dt.datetime) -> Case:
        """Signed by every party, the mediator, sealed by the director: effective; the
        agreement is served on the parties there and then (or by post)."""
        agreement = self._agreement(plan)
        lo = max(before + dt.timedelta(minutes=10), at - dt.timedelta(hours=2))
        self._sign(plan, agreement, [*plan.applicants, *plan.respondents], lo, at - dt.timedelta(minutes=15))
        med.agreement_mediator_sign(
            agreement=agreement, actor=plan.mediators[0], at=self._fit(at - dt.timedelta(minutes=10), lo, at)
        )
        med.agreement_seal(
            agreement=agreement, actor=self._director(plan), at=self._fit(at - dt.timedelta(minutes=5), lo, at)
        )
        med.case_make_effective(case=self._case(plan), actor=plan.mediators[0], at=at)
        day = timezone.localdate(at)
        self._serve(plan, day, min(day + dt.timedelta(days=3), self.today))
        plan.last_at = at
        return self._case(plan, fresh=True)

    # --- performance ----------------------------------------------------------------------------

    def _pay(self, plan: Plan, obligation: Obligation, amount: Decimal, first_day: dt.date, day: dt.date) -> None:
        """Payment of `amount` on `day`; now and then in two transfers."""
        method = "bank_transfer" if plan.pay_method == "payroll_account" else plan.pay_method
        note = data.PAYMENT_NOTES[plan.pay_method]
        parts = [(amount, day)]
        if amount >= 2000 and day > first_day and self.rng.random() < 0.25:
            first = (amount * Decimal(str(self.rng.uniform(0.3, 0.6))) / 100).to_integral_value() * 100
            early = first_day + dt.timedelta(days=self.rng.randint(0, (day - first_day).days - 1))
            parts = [(first, early), (amount - first, day)]
        for value, paid_on in parts:
            med.payment_record(
                obligation=obligation,
                actor=self._clerk(plan),
                amount=value,
                paid_on=paid_on,
                method=method,
                note=note,
            )

    def _paid_on(self, obligation: Obligation, first_day: dt.date, last_day: dt.date) -> dt.date:
        """Paid on time: on or a few days before the due date (and before `last_day`)."""
        due = obligation.due_on or last_day
        day = min(due, last_day) - dt.timedelta(days=self.rng.choice((0, 0, 1, 2, 3)))
        return max(first_day, min(day, last_day))

    def _follow_up(
        self, plan: Plan, follow_up: FollowUp | None, when: dt.datetime, *, purpose: str = mv.FollowUpPurpose.REMINDER
    ) -> None:
        """A follow-up call (回访) on the worker, or a reminder (督促) to the employer."""
        rng, case = self.rng, self._case(plan)
        worker = plan.applicants[0].name
        obligation = follow_up.obligation if follow_up else None
        if follow_up is not None:
            purpose = follow_up.purpose
        if purpose == mv.FollowUpPurpose.REMINDER:
            name, _role = self._representative(plan, plan.respondents[0])
            med.follow_up_record(
                case=case,
                actor=plan.mediators[0],
                method=self._weighted(
                    [(mv.ContactMethod.PHONE, 60), (mv.ContactMethod.LETTER, 25), (mv.ContactMethod.VISIT, 15)]
                ),
                reached=f"被申请人{plan.respondents[0].name} {name}",
                performance_status=mv.PerformanceStatus.UNPAID,
                notes=rng.choice(data.REMINDER_NOTES),
                risks="被申请人资金紧张，存在继续拖延的风险。",
                done_at=when,
            )
            return
        if obligation is not None and obligation.is_payment:
            paid = _owed(paid_total(obligation))
            status = (
                mv.PerformanceStatus.PAID
                if _owed(outstanding(obligation)) <= 0
                else mv.PerformanceStatus.PARTIAL
                if paid > 0
                else mv.PerformanceStatus.UNPAID
            )
        elif obligation is not None:
            paid = None
            status = mv.PerformanceStatus.PAID if obligation.performed_on else mv.PerformanceStatus.UNPAID
        else:  # after performance
            paid, status = (
                None,
                mv.PerformanceStatus.PAID if case.status != S.NOT_PERFORMED else mv.PerformanceStatus.UNPAID,
            )
        due = data.cn_date(obligation.due_on) if obligation is not None and obligation.due_on else ""
        if status == mv.PerformanceStatus.PAID and obligation is not None and obligation.is_payment:
            last = obligation.payments.order_by("-paid_on").first()
            day = data.cn_date(last.paid_on) if last else due
            notes = rng.choice(data.FOLLOW_UP_PAID_NOTES).format(
                who=worker, day=day, amount=data.yuan(paid or Decimal(0))
            )
        elif status == mv.PerformanceStatus.PAID and obligation is not None:
            notes = f"回访申请人{worker}，被申请人已于{data.cn_date(obligation.performed_on or self.today)}{obligation.description}。"
        elif status == mv.PerformanceStatus.PAID:
            notes = rng.choice(data.FOLLOW_UP_PERFORMED_NOTES).format(who=worker)
        elif obligation is None:
            notes = f"回访申请人{worker}，被申请人仍未履行调解协议，已告知其可持调解协议书向人民法院申请支付令或申请劳动仲裁。"
        else:
            notes = rng.choice(data.FOLLOW_UP_UNPAID_NOTES).format(who=worker, day=due)
            if status == mv.PerformanceStatus.PARTIAL:
                notes += f"经核实，被申请人已支付{data.yuan(paid or Decimal(0))}元，尚欠{data.yuan(_owed(outstanding(obligation)))}元。"
        satisfied = status == mv.PerformanceStatus.PAID and (obligation is None or rng.random() < 0.5)
        med.follow_up_record(
            case=case,
            actor=self.rng.choice((plan.mediators[0], self._clerk(plan))),
            follow_up=follow_up,
            method=self._weighted(
                [(mv.ContactMethod.PHONE, 80), (mv.ContactMethod.MESSAGE, 15), (mv.ContactMethod.VISIT, 5)]
            ),
            reached=f"申请人{worker}",
            performance_status=status,
            amount_confirmed=paid if paid else None,
            satisfaction=self._weighted([(mv.Satisfaction.SATISFIED, 85), (mv.Satisfaction.NEUTRAL, 15)])
            if satisfied
            else "",
            notes=notes,
            done_at=when,
        )

    def _pending_follow_ups(self, plan: Plan) -> list[FollowUp]:
        return list(self._case(plan).follow_ups.filter(done_at__isnull=True).select_related("obligation"))

    def _confirm_performance(self, plan: Plan, at: dt.datetime) -> Case:
        """已履行完毕: every payment made in full (on time), non-monetary obligations done, the
        follow-up calls made, then confirmed."""
        agreement = self._agreement(plan)
        start = plan.effective_at or at
        first_day, last_day = timezone.localdate(start), timezone.localdate(at)
        done_on: dict[int, dt.date] = {}
        for obligation in agreement.obligations.all():
            day = self._paid_on(obligation, first_day, last_day)
            if obligation.is_payment:
                self._pay(plan, obligation, _owed(outstanding(obligation)), first_day, day)
            else:
                med.obligation_mark_performed(obligation=obligation, actor=self._clerk(plan), performed_on=day)
            done_on[obligation.pk] = day
        for follow_up in self._pending_follow_ups(plan):
            day = max(min(follow_up.planned_on, last_day), done_on.get(follow_up.obligation_id or 0, first_day))
            lo = max(start, dt.datetime.combine(day, dt.time(9, 0), tzinfo=self.zone))
            self._follow_up(plan, follow_up, self._office_hours(day, lo, at - dt.timedelta(minutes=5)))
        services_actor = self.rng.choice((self._clerk(plan), plan.mediators[0]))
        plan.last_at = at
        return med.case_confirm_performance(case=self._case(plan), actor=services_actor, at=at)

    def _record_non_performance(self, plan: Plan, at: dt.datetime) -> Case:
        """未履行: the first instalment paid, the second not; or only part paid. The
        follow-up found it, a reminder did not help, non-performance is recorded."""
        rng = self.rng
        agreement = self._agreement(plan)
        start = plan.effective_at or at
        first_day, last_day = timezone.localdate(start), timezone.localdate(at)
        obligations = list(agreement.obligations.all())
        payments = [o for o in obligations if o.is_payment]
        seconds = [o for o in payments if o.description.endswith("（第二期）")]
        unpaid = seconds[-1] if seconds else max(payments, key=lambda o: o.amount or 0)
        for obligation in obligations:
            day = self._paid_on(obligation, first_day, last_day)
            if obligation == unpaid:
                if not seconds and (obligation.amount or 0) >= 20:  # paid in part
                    part = (obligation.amount or Decimal(0)) * Decimal(str(rng.uniform(0.3, 0.6)))
                    part = max(Decimal(10), (part / 10).to_integral_value() * 10)
                    self._pay(plan, obligation, part, first_day, first_day + (day - first_day) // 2)
            elif obligation.is_payment:
                self._pay(plan, obligation, _owed(outstanding(obligation)), first_day, day)
            else:
                med.obligation_mark_performed(obligation=obligation, actor=self._clerk(plan), performed_on=day)
        due = unpaid.due_on or first_day
        for follow_up in self._pending_follow_ups(plan):
            if follow_up.planned_on >= last_day:
                continue
            lo = max(start, dt.datetime.combine(follow_up.planned_on, dt.time(9, 0), tzinfo=self.zone))
            self._follow_up(plan, follow_up, self._office_hours(follow_up.planned_on, lo, at - dt.timedelta(hours=2)))
        lo = dt.datetime.combine(due + dt.timedelta(days=1), dt.time(9, 0), tzinfo=self.zone)
        hi = at - dt.timedelta(minutes=30)
        if hi <= lo:
            raise CommandError(f"demo case {plan.index}: no time for a reminder between {due} and {at}")
        self._follow_up(plan, None, self._office_hours(timezone.localdate(self._between(lo, hi)), lo, hi))
        plan.last_at = at
        return med.case_record_non_performance(
            case=self._case(plan), actor=plan.mediators[0], reason=plan.reason_note, at=at
        )

    # --- outcomes and closure ---------------------------------------------------------------------

    def _serve(self, plan: Plan, first_day: dt.date, last_day: dt.date) -> None:
        """Serve every pending document: in person mostly, by post (EMS tracking number), or
        electronically with the party's consent; refused ones left with a witness."""
        rng, clerk = self.rng, self._clerk(plan)
        last_day = max(first_day, min(last_day, self.today))
        records = self._case(plan).service_records.filter(status=mv.ServiceStatus.PENDING)
        for record in records.select_related("recipient__person", "recipient__employer"):
            party = record.recipient
            if party.person is not None:
                method = self._weighted(
                    [(mv.ServiceMethod.DIRECT, 75), (mv.ServiceMethod.ELECTRONIC, 15), (mv.ServiceMethod.POSTAL, 10)]
                )
            else:
                refused = record.document == mv.DocumentCode.D11 and rng.random() < 0.1
                method = (
                    mv.ServiceMethod.LEFT_WITH_WITNESS
                    if refused
                    else self._weighted([(mv.ServiceMethod.DIRECT, 60), (mv.ServiceMethod.POSTAL, 40)])
                )
            day, extra = first_day, {}
            if method == mv.ServiceMethod.POSTAL:
                day = min(first_day + dt.timedelta(days=rng.randint(2, 4)), last_day)
                extra["tracking_number"] = f"11{rng.randint(0, 99_999_999_999):011d}"
            elif method == mv.ServiceMethod.ELECTRONIC and party.person is not None:
                extra["note"] = f"经当事人同意，通过短信送达至{data.mask_phone(party.person.phone)}"
            elif method == mv.ServiceMethod.LEFT_WITH_WITNESS:
                extra["witness"] = f"{data.person_name(rng, rng.random() < 0.5)}（所在园区物业工作人员）"
                extra["note"] = "受送达人拒绝签收，已将文书留置于其经营场所并拍照记录。"
            med.service_record_serve(record=record, actor=clerk, method=method, served_on=day, **extra)

    def _before_termination(self, plan: Plan, before: dt.datetime, at: dt.datetime) -> None:
        """Sessions that failed before a termination; a party that signed before the other
        side declined to."""
        case = self._case(plan, fresh=True)
        if case.status == S.IN_MEDIATION:
            more = {"no_agreement": ["continue", "failed"], "deadline_expired": ["continue"]}
            until = at
            if plan.reason_code == "deadline_expired" and case.mediation_due_on:  # within the period
                until = min(at, dt.datetime.combine(case.mediation_due_on, dt.time(17, 0), tzinfo=self.zone))
            self._later_sessions(plan, before, until, more.get(plan.reason_code, []))
        elif case.status == S.AGREEMENT_PENDING:
            self._sign(
                plan, self._agreement(plan), plan.applicants, before + dt.timedelta(hours=1), at - dt.timedelta(hours=1)
            )
        plan.last_at = at

    def _before_closure(self, plan: Plan, before: dt.datetime, at: dt.datetime) -> None:
        """The closure checklist: the last follow-ups made, every document served."""
        for follow_up in self._pending_follow_ups(plan):
            self._follow_up(plan, follow_up, self._between(before, at - dt.timedelta(minutes=30)))
        self._serve(plan, timezone.localdate(before), timezone.localdate(at))

    def _finish(self, plan: Plan) -> None:
        """What happened since the last transition of a case that is still open."""
        if plan.case is None or plan.state == S.DRAFT:
            return
        if plan.state == S.IN_MEDIATION:
            self._finish_mediation(plan)
        elif plan.state == S.AGREEMENT_PENDING:
            lo = (plan.last_at or self.now) + dt.timedelta(minutes=30)
            parties = [*plan.applicants, *plan.respondents[:-1]] if self.rng.random() < 0.7 else []
            self._sign(plan, self._agreement(plan), parties, lo, self.now)
        elif plan.state == S.AGREEMENT_EFFECTIVE:
            self._perform_in_part(plan)
        elif plan.state == S.PERFORMED:
            for follow_up in self._pending_follow_ups(plan):
                if follow_up.planned_on <= self.today:
                    lo = plan.last_at or self.now
                    self._follow_up(plan, follow_up, self._office_hours(follow_up.planned_on, lo, self.now))
        elif plan.state in (S.REJECTED, S.TERMINATED) and self.rng.random() < 0.6:
            day = timezone.localdate(plan.last_at or self.now)
            self._serve(plan, day, day + dt.timedelta(days=self.rng.randint(0, 4)))
        self._case(plan, fresh=True)

    def _finish_mediation(self, plan: Plan) -> None:
        """Cases in mediation: a second session held or coming up; an extension when the
        mediation period is about to run out (only before the due date)."""
        rng, case = self.rng, self._case(plan, fresh=True)
        if plan.rounds:
            choice = rng.random()
            if choice < 0.45:
                self._future_session(plan)
            elif choice < 0.75 and plan.last_at is not None:
                self._session(
                    plan, self._next_morning(plan.last_at), self.now - dt.timedelta(minutes=10), outcome="continue"
                )
        due = case.mediation_due_on
        if plan.rounds and due and self.today <= due <= self.today + dt.timedelta(days=7) and rng.random() < 0.7:
            accepted = timezone.localdate(case.accepted_at) if case.accepted_at else self.today
            consent = [max(accepted, self.today - dt.timedelta(days=rng.randint(0, 2))) for _ in range(2)]
            med.extension_request(
                case=case,
                actor=plan.mediators[0],
                days=rng.choice((10, 15, 15)),
                reason=rng.choice(data.EXTENSION_REASONS),
                applicant_consent_on=consent[0],
                respondent_consent_on=consent[1],
            )
            # The request is stamped with the real time (the service takes no time), so the
            # director's approval is recorded now as well.
            med.case_extend(case=self._case(plan, fresh=True), actor=self._director(plan), at=timezone.now())

    def _perform_in_part(self, plan: Plan) -> None:
        """Agreements being performed: what fell due is mostly paid, later instalments are
        still to come, now and then only part paid; follow-ups made where their day came."""
        rng = self.rng
        agreement = self._agreement(plan)
        start = plan.effective_at or self.now
        first_day = timezone.localdate(start)
        obligations = list(agreement.obligations.all())
        open_later = any(o.due_on and o.due_on > self.today for o in obligations if o.is_payment)
        short = None if open_later else max((o for o in obligations if o.is_payment), key=lambda o: o.amount or 0)
        for obligation in obligations:
            due = obligation.due_on or self.today
            if due <= self.today:
                day = self._paid_on(obligation, first_day, self.today)
                if not obligation.is_payment:
                    med.obligation_mark_performed(obligation=obligation, actor=self._clerk(plan), performed_on=day)
                elif obligation == short or rng.random() < 0.15:
                    part = (obligation.amount or Decimal(0)) * Decimal(str(rng.uniform(0.4, 0.7)))
                    part = max(Decimal(10), (part / 10).to_integral_value() * 10)
                    if part < (obligation.amount or 0):
                        self._pay(plan, obligation, part, first_day, day)
                else:
                    self._pay(plan, obligation, _owed(outstanding(obligation)), first_day, day)
            elif obligation.is_payment and first_day < self.today and rng.random() < 0.3:
                part = (obligation.amount or Decimal(0)) * Decimal(str(rng.uniform(0.3, 0.5)))
                part = max(Decimal(10), (part / 10).to_integral_value() * 10)
                if part < (obligation.amount or 0):
                    span = (self.today - first_day).days
                    self._pay(plan, obligation, part, first_day, first_day + dt.timedelta(days=rng.randint(0, span)))
        for follow_up in self._pending_follow_ups(plan):
            if follow_up.planned_on <= self.today:
                lo = max(start, dt.datetime.combine(follow_up.planned_on, dt.time(9, 0), tzinfo=self.zone))
                self._follow_up(plan, follow_up, self._office_hours(follow_up.planned_on, lo, self.now))

    # --- multi-party linkage ---------------------------------------------------------------------

    def _report_referral(self, plan: Plan, before: dt.datetime, at: dt.datetime) -> None:
        """结案报告制度: a case referred by the court or the arbitration commission closes only
        after its result was reported back to the referring body."""
        case = self._case(plan)
        if case.source not in lv.REFERRAL_SOURCES or ReferralReport.objects.filter(case=case).exists():
            return
        rng = self.link_rng
        day = max(timezone.localdate(before), timezone.localdate(at) - dt.timedelta(days=rng.choice((0, 0, 1, 2))))
        channels = [(lv.ReportChannel.LETTER, 55), (lv.ReportChannel.ELECTRONIC, 35), (lv.ReportChannel.IN_PERSON, 10)]
        link.referral_report(
            case=case,
            actor=self._clerk(plan),
            reported_on=min(day, self.today),
            channel=self._pick(channels),
            summary=data.referral_summary(rng, case.source, plan.outcome, case.source_reference),
        )

    def _pick(self, options: list[tuple[Any, int]]) -> Any:
        values, weights = zip(*options, strict=True)
        return self.link_rng.choices(values, weights=weights)[0]

    def _linkage(self, plans: list[Plan]) -> int:
        """Transfers, once every case has reached its state: judicial confirmation of recent
        agreements, payment orders where an agreement was not performed, labour inspection
        complaints about unpaid wages, arbitration after a failed mediation; each at some
        stage, from a draft awaiting the director to an outcome with money recovered."""
        ordered = sorted((p for p in plans if p.case is not None), key=lambda p: p.index)
        jobs: list[tuple[Plan, str, str, dt.datetime, bool]] = []  # plan, type, stage, since, money

        def offered(plan: Plan, transfer_type: str) -> bool:
            return link.offer_problem(self._case(plan), transfer_type) is None

        # Judicial confirmation within 30 days of the agreement; the newest still a draft.
        confirm = [
            p
            for p in ordered
            if p.state in (S.AGREEMENT_EFFECTIVE, S.PERFORMED) and offered(p, T.JUDICIAL_CONFIRMATION)
        ]
        effective = {p.index: self._agreement(p).effective_at or self.now for p in confirm}
        confirm = sorted(confirm, key=lambda p: (effective[p.index], p.index))[
            -TRANSFER_LIMITS[T.JUDICIAL_CONFIRMATION] :
        ]
        draft = confirm.pop() if len(confirm) >= 3 else None
        for key, state in (("confirm_effective", S.AGREEMENT_EFFECTIVE), ("confirm_performed", S.PERFORMED)):
            group = [p for p in confirm if p.state == state]
            for n, plan in enumerate(group):
                stage = STAGES[key][n % len(STAGES[key])]
                jobs.append((plan, T.JUDICIAL_CONFIRMATION, stage, effective[plan.index], True))
        if draft is not None:
            jobs.append((draft, T.JUDICIAL_CONFIRMATION, "draft", effective[draft.index], False))

        # Payment orders, oldest non-performance first; with enough of them, the oldest
        # unperformed wage case goes to labour inspection instead.
        unpaid = [p for p in ordered if p.state == S.NOT_PERFORMED and offered(p, T.PAYMENT_ORDER)]
        found = {p.index: p.unperformed_at or self._last_transition(p) for p in unpaid}
        unpaid.sort(key=lambda p: (found[p.index], p.index))
        wages = [p for p in unpaid if self._wage_case(p)]
        inspect_unpaid = wages[0] if len(unpaid) >= 3 and wages else None
        orders = [p for p in unpaid if p is not inspect_unpaid][: TRANSFER_LIMITS[T.PAYMENT_ORDER]]
        for n, plan in enumerate(orders):
            stage = STAGES["payment_order"][n % len(STAGES["payment_order"])]
            jobs.append((plan, T.PAYMENT_ORDER, stage, found[plan.index], True))

        # Labour inspection of unpaid wages (with money only where an agreement is owed).
        failed = [p for p in ordered if p.state in (S.TERMINATED, S.IN_MEDIATION) and self._wage_case(p)]
        inspections = [inspect_unpaid] if inspect_unpaid else []
        inspections += failed[: TRANSFER_LIMITS[T.LABOR_INSPECTION] - len(inspections)]
        for n, plan in enumerate(inspections):
            stage = STAGES["labor_inspection"][n % len(STAGES["labor_inspection"])]
            since = found[plan.index] if plan is inspect_unpaid else self._last_transition(plan)
            jobs.append((plan, T.LABOR_INSPECTION, stage, since, True))

        # Arbitration after a failed mediation, preferably for cases not sent to inspection.
        inspected = {p.index for p in inspections}
        terminated = [p for p in ordered if p.state == S.TERMINATED and offered(p, T.ARBITRATION)]
        terminated.sort(key=lambda p: p.index in inspected)
        for n, plan in enumerate(terminated[: TRANSFER_LIMITS[T.ARBITRATION]]):
            stage = STAGES["arbitration"][n % len(STAGES["arbitration"])]
            jobs.append((plan, T.ARBITRATION, stage, self._last_transition(plan), False))

        for plan, transfer_type, stage, since, money in jobs:
            self._transfer(plan, transfer_type, stage, since, money=money)
        return len(jobs)

    def _wage_case(self, plan: Plan) -> bool:
        case = self._case(plan)
        return (
            case.dispute_type == case_vocab.DisputeType.PAY
            or case.claims.filter(claim_type__in=link.WAGE_CLAIMS).exists()
        )

    def _last_transition(self, plan: Plan) -> dt.datetime:
        event = self._case(plan).events.filter(kind=EventKind.TRANSITION).order_by("-created_at", "-id").first()
        return event.created_at if event is not None else self.now

    def _transfer_reason(self, plan: Plan, transfer_type: str, since: dt.datetime) -> str:
        case = self._case(plan)
        worker, employer = plan.applicants[0].name, plan.respondents[0].name
        values: dict[str, str] = {
            "worker": worker,
            "employer": employer,
            "effective": data.cn_date(timezone.localdate(since)),
        }
        values["workers"] = f"等{case.workers_involved}名职工" if case.is_collective else ""
        agreement = live_agreement(case)
        owed = self._owed_obligation(plan) if agreement is not None else None
        values["description"] = owed.description if owed is not None else "款项"
        values["owed"] = data.yuan(_owed(outstanding(owed))) if owed is not None else ""
        return data.TRANSFER_REASONS[transfer_type].format(**values)

    def _owed_obligation(self, plan: Plan) -> Obligation | None:
        """The payment obligation with the most still owed, if any."""
        agreement = live_agreement(self._case(plan))
        if agreement is None or agreement.status != mv.AgreementStatus.EFFECTIVE:
            return None
        owed = [(_owed(outstanding(o)), o.pk, o) for o in agreement.obligations.all() if o.is_payment]
        owed = [row for row in owed if row[0] > 0]
        return max(owed)[2] if owed else None

    def _external_number(self, transfer_type: str, day: dt.date) -> str:
        key = (f"link:{transfer_type}", day.year)
        serial = self.serials.get(key, data.EXTERNAL_SERIAL_START[transfer_type]) + self.link_rng.randint(2, 40)
        self.serials[key] = serial
        return data.EXTERNAL_NUMBERS[transfer_type].format(year=day.year, serial=serial)

    def _transfer(self, plan: Plan, transfer_type: str, stage: str, since: dt.datetime, *, money: bool) -> Transfer:
        """One transfer taken to `stage`: drafted by the mediator or clerk, approved by the
        director, sent a few working days after `since`, acknowledged by the agency's liaison
        with its own number, then returned or answered with an outcome (and the money still
        owed under the agreement recovered through the agency)."""
        rng, case = self.link_rng, self._case(plan, fresh=True)
        kind = lv.AGENCY_KIND_OF_TYPE[T(transfer_type)]
        transfer = link.transfer_create(
            case=case,
            actor=rng.choice((plan.mediators[0], self._clerk(plan))),
            agency=self.agencies[kind],
            transfer_type=transfer_type,
            reason=self._transfer_reason(plan, transfer_type, since),
        )
        if stage == "draft":
            return transfer
        link.transfer_approve(transfer=transfer, actor=self._director(plan))
        if stage == "approved":
            return transfer
        sent_on = min(self._working_forward(timezone.localdate(since), rng.randint(1, 3)), self.today)
        link.transfer_send(
            transfer=transfer,
            actor=self._clerk(plan),
            sent_on=sent_on,
            channel=self._pick(data.SEND_CHANNELS[transfer_type]),
        )
        liaison = self.liaisons[kind]
        if stage == "returned":  # the return is stamped with the real time (the service takes none)
            return link.transfer_return(transfer=transfer, actor=liaison, reason=data.TRANSFER_RETURNS[transfer_type])
        received = self._working_forward(sent_on, rng.randint(0, 2))
        if stage == "sent" or received > self.today:  # still in the liaison's inbox
            return transfer
        number = self._external_number(transfer_type, received)
        lo = dt.datetime.combine(sent_on, dt.time(9, 0), tzinfo=self.zone)
        link.transfer_acknowledge(
            transfer=transfer, actor=liaison, external_number=number, at=self._office_hours(received, lo, self.now)
        )
        outcome_on = self._working_forward(received, rng.randint(3, 10))
        if stage == "acknowledged" or outcome_on > self.today:
            return transfer
        outcome, note = rng.choice(data.TRANSFER_OUTCOMES[transfer_type])
        obligation = self._owed_obligation(plan) if money else None
        amount = _owed(outstanding(obligation)) if obligation is not None else None
        return link.transfer_record_outcome(
            transfer=transfer,
            actor=liaison,
            outcome=outcome,
            outcome_on=outcome_on,
            note=note.format(number=number),
            amount_recovered=amount,
            obligation=obligation,
        )

    # --- intake channels: consultations and online applications (docs/intake.md) ------------

    def _intake(self, count: int) -> None:
        rng = random.Random(SEED + 2)
        logged = self._consultations(rng, max(MIN_CONSULTATIONS, count // 2))
        codes = self._online_applications(rng)
        self.write(
            f"  {logged} 次咨询（{CONVERTED_CONSULTATIONS} 次已转为案件）、{len(ONLINE_APPLICATIONS)} 份网上申请 / "
            "consultations and online applications"
        )
        code, last4 = codes[0]
        self.write(f"  网上申请查询码 / tracking code (/apply/status/): {code}，电话后4位 / phone: {last4}")

    def _consultations(self, rng: random.Random, total: int) -> int:
        """Consultations over the last year (newest last), logged by whoever answered."""
        days = sorted(rng.randint(0, 360) for _ in range(total))[::-1]
        logged = []
        for back in days:
            org = rng.choice(ORG_CYCLE)
            team = data.ORG_TEAMS[org]
            actor = self.users[rng.choice(team["clerk"] + team["mediators"][:1])]
            channel = self._weighted_with(rng, CONSULTATION_CHANNELS)
            topic, dispute_type, note = rng.choice(CONSULTATION_TOPICS)
            named = rng.random() < 0.4
            reference = ""
            if channel in ("hotline_12351", "petition_12345"):
                day = self.today - dt.timedelta(days=back)
                reference = data.source_reference(channel, day, rng.randint(1000, 9999))
            logged.append(
                consultations.consultation_log(
                    actor=actor,
                    organization=self.orgs[org],
                    channel=channel,
                    topic=topic,
                    date=self.today - dt.timedelta(days=back),
                    dispute_type=dispute_type,
                    caller_name=data.person_name(rng, rng.random() < 0.6) if named else "",
                    reference=reference,
                    note=note,
                )
            )
        # The newest named ones with a dispute type became applications (转为案件).
        convertible = [c for c in reversed(logged) if c.caller_name and c.dispute_type]
        for consultation in convertible[:CONVERTED_CONSULTATIONS]:
            consultations.consultation_convert(consultation=consultation, actor=consultation.handled_by)
        return len(logged)

    def _online_applications(self, rng: random.Random) -> list[tuple[str, str]]:
        """Applications through the public form and one through the partner platform, each a
        draft on its centre's work list; the last one was already registered by the clerk.
        Returns (tracking code, phone's last four digits) of each."""
        platform = PlatformClient.objects.filter(name=PLATFORM_NAME).first()
        if platform is None:  # the key is not kept: issue one with manage.py platform_key
            platform, _key = online.platform_client_issue(
                actor=self.system, name=PLATFORM_NAME, organizations=[self.orgs[data.DISTRICT_CODE]]
            )
        codes = []
        for n, (org, scenario_index, via_platform, registered) in enumerate(ONLINE_APPLICATIONS):
            male = rng.random() < 0.6
            spec = rng.choice([s for s in self.employer_specs if s["area"] == org])
            ctx = data.Context(
                worker=data.person_name(rng, male),
                employer=spec["name"],
                position=rng.choice(data.POSITIONS[spec["industry"]])[0],
                wage=Decimal(rng.randint(50, 120) * 100),
                hired=self.today - dt.timedelta(days=rng.randint(400, 2000)),
                received=self.today,
                industry=spec["industry"],
            )
            dispute = ONLINE_SCENARIOS[scenario_index](rng, ctx)
            birth = self.today.replace(year=self.today.year - rng.randint(22, 50), day=1)
            phone = data.mobile(rng, self.taken_phones)
            application, code = online.online_application_submit(
                organization=self.orgs[org],
                applicant={
                    "name": ctx.worker,
                    "id_number": data.resident_id(rng, birth, male, self.taken_ids),
                    "phone": phone,
                    "address": data.residence(rng, org),
                },
                employer={"name": spec["name"], "uscc": spec["uscc"]},
                dispute_type=dispute.dispute_type,
                claims=[
                    {"claim_type": c.claim_type, "description": c.description[:300], "amount": c.amount}
                    for c in dispute.claims[: online.MAX_CLAIMS]
                ],
                facts=dispute.facts,
                consents={"pipl_notice": True, "voluntary": True, "truthful": True, "e_service": n % 2 == 0},
                platform=platform if via_platform else None,
                platform_reference=f"WSPT-{self.today:%Y%m%d}-{n + 1:04d}" if via_platform else "",
            )
            if registered:
                clerk = self.users[data.ORG_TEAMS[org]["clerk"][0]]
                services.case_register(case=application.case, actor=clerk)
            codes.append((online.tracking_code_display(code), phone[-4:]))
        return codes

    @staticmethod
    def _weighted_with(rng: random.Random, options: list[tuple[Any, int]]) -> Any:
        values, weights = zip(*options, strict=True)
        return rng.choices(values, weights=weights)[0]

    def _rejection(self, case: Case) -> tuple[str, str]:
        by_code = dict(data.REJECTIONS)
        if case.status == S.AWAITING_CONSENT:
            code = "respondent_refused"
        elif case.dispute_type == "INJ":
            code = "exclusive_admin_matter"
        elif case.dispute_type == "REL":
            code = "not_labour_dispute"
        elif case.is_collective:
            code = self.rng.choice(("already_in_arbitration_or_court", "duplicate"))
        else:
            code = self.rng.choice(
                ("already_in_arbitration_or_court", "no_concrete_claim", "duplicate", "not_labour_dispute")
            )
        return code, by_code[code]


def _owed(value: Decimal) -> Decimal:
    """Sums over payments come back from SQLite with many decimals (Decimal('3052.87000000000'));
    the services accept amounts with at most two."""
    return value.quantize(Decimal("0.01"))


# --- output ------------------------------------------------------------------------------------


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def logins_table() -> str:
    """The demo logins: username, role, organisation, password; then where to log in."""
    rows = [("用户名 username", "角色 role", "单位 organization", "密码 password", "说明")]
    for staff in data.STAFF:
        place = next((o["name"] for o in data.ORGANIZATIONS if o["code"] == staff.organization), "")
        place = place or next((a["name"] for a in data.AGENCIES if a["code"] == staff.agency), "")
        rows.append((staff.username, str(Role(staff.role).label), place, data.DEMO_PASSWORD, staff.note))
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["", "演示账号 / demo logins:"]
    for n, row in enumerate(rows):
        lines.append("  " + "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    lines.append(
        f"登录地址 / log in at: {data.DEMO_URL}  （make run 会启动服务；单独加载时另行运行 python manage.py runserver）"
    )
    return "\n".join(lines)


def status_summary() -> str:
    codes = [o["code"] for o in data.ORGANIZATIONS]
    counts = Counter(Case.objects.filter(organization__code__in=codes).values_list("status", flat=True))
    lines = ["案件状态分布 / cases by state:"]
    lines += [f"  {_pad(str(state.label), 20)} {state.value:<20} {counts.get(state.value, 0):>4}" for state in Status]
    return "\n".join(lines)
