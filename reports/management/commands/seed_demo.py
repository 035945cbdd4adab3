"""`manage.py seed_demo`: a Daxing district centre, three town sub-centres, partner agencies,
demo logins and ~220 realistic cases in every state of the workflow.

Every case is written through cases.services (drafts, parties, claims, each transition),
so events, history, numbers and deadlines are exactly what the UI would have produced.
The data set is deterministic (one seed); dates are relative to today (Beijing time) so the
newest applications are always awaiting review and some clocks are always overdue.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Organization, PartnerAgency, Role, User
from accounts.services import system_user
from cases import deadlines, services
from cases import demo_data as data
from cases.models import Case, CaseParty, Employer
from cases.workflow import Status
from core.history import save_with_history

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
#: Which organisation handles the i-th planned case (district ~55 %, each town ~15 %).
ORG_CYCLE = ("DX", "XHM", "DX", "JG", "DX", "YZ", "DX", "DX", "XHM", "DX", "JG", "DX", "YZ")
#: The outcome behind a closing / closed / archived case.
CLOSED_OUTCOMES = [(S.PERFORMED, 58), (S.TERMINATED, 17), (S.WITHDRAWN, 13), (S.REJECTED, 7), (S.NOT_PERFORMED, 5)]
AGREEMENT_STEPS = ["start", "draft_agreement", "make_effective"]
LAST = dt.datetime.max.replace(tzinfo=dt.UTC)


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
    # filled in while loading
    case: Case | None = None
    clerk: User | None = None
    mediators: list[User] = field(default_factory=list)
    done: int = 0  # steps already run

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
        with transaction.atomic():
            loader = DemoLoader(rng=random.Random(SEED), write=self.stdout.write)
            loader.load(count)
            alerts = services.deadlines_sweep(actor=system_user())
        self.stdout.write(
            f"完成 / done: {count} cases in {time.monotonic() - started:.1f} s; "
            f"deadline alerts raised: {alerts['created']}."
        )
        self.stdout.write(status_summary())
        self.stdout.write(logins_table())


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

    def load(self, count: int) -> None:
        self._organizations()
        self._agencies()
        self._staff()
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
            if plan.case is None or plan.case.status != plan.state:
                raise CommandError(f"demo case {plan.index} did not reach {plan.state} ({plan.steps})")
            self._progress(n, len(plans), "件案件已办理到目标状态 / cases brought to their state")

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
        if user_unit_spec is not None:
            services.case_party_add(
                case=case, actor=clerk, side="respondent", employer=employer, party_kind="dispatch_agency"
            )
            services.case_party_add(
                case=case,
                actor=clerk,
                side="respondent",
                employer=self._employer(user_unit_spec, clerk),
                party_kind="user_unit",
            )
        else:
            services.case_party_add(case=case, actor=clerk, side="respondent", employer=employer)
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
        planned = {"register": plan.received_at, "accept": plan.accepted_at, "start": plan.started_at}
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
        at = self._when(plan, step)
        plan.last_at = at
        director = self.users[data.ORG_TEAMS[plan.org]["director"][0]]
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
            return services.case_terminate(
                case=case, actor=director, reason_code=plan.reason_code, note=plan.reason_note, at=at
            )
        if step == "submit_closure":
            return services.case_submit_closure(
                case=case, actor=self.rng.choice((clerk, lead)), note="结案材料齐全，提交结案审批。", at=at
            )
        if step == "return_closure":
            return services.case_return_closure(
                case=case, actor=director, comment=self.rng.choice(data.RETURN_COMMENTS), at=at
            )
        if step == "approve_closure":
            return services.case_approve_closure(case=case, actor=director, note="同意结案。", at=at)
        # Transitions whose dedicated services arrive with the mediation and documents apps.
        if step in ("start", "draft_agreement", "make_effective"):
            return services.case_transition(case=case, actor=lead, name=step, at=at)
        if step == "confirm_performance":
            return services.case_transition(case=case, actor=self.rng.choice((clerk, lead)), name=step, at=at)
        if step == "record_non_performance":
            return services.case_transition(case=case, actor=lead, name=step, reason=plan.reason_note, at=at)
        if step == "archive":
            return services.case_transition(case=case, actor=clerk, name="archive", at=at)
        raise ValueError(f"unknown step {step!r}")

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
    lines.append(f"登录地址 / log in at: {data.DEMO_URL}  （先运行 python manage.py runserver）")
    return "\n".join(lines)


def status_summary() -> str:
    codes = [o["code"] for o in data.ORGANIZATIONS]
    counts = Counter(Case.objects.filter(organization__code__in=codes).values_list("status", flat=True))
    lines = ["案件状态分布 / cases by state:"]
    lines += [f"  {_pad(str(state.label), 20)} {state.value:<20} {counts.get(state.value, 0):>4}" for state in Status]
    return "\n".join(lines)
