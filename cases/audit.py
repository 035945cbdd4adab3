"""Audit integrity (RELIABILITY.md T3, T5, T8): the state graph the database enforces, the
hash chain over CaseEvent, and the invariant checks behind `check_case_invariants`.

The state machine is guarded three times: django-fsm in Python, a PostgreSQL trigger on
cases_case.status (migration 0005, generated from `allowed_status_pairs()`), and this
module's checker, which scans for impossible states after the fact (Caseflow's lesson: the
library is not the last line of defence).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone

from cases.workflow import OUTCOME_STATES, TRANSITIONS, Status

if TYPE_CHECKING:
    from cases.models import CaseEvent

# --- the state graph --------------------------------------------------------------------------


def allowed_status_pairs() -> frozenset[tuple[str, str]]:
    """Every (from, to) status change the workflow allows; self-loops (extend) are not a
    change of status and are left out. return_closure goes back to any outcome state."""
    pairs: set[tuple[str, str]] = set()
    for spec in TRANSITIONS.values():
        targets = (spec.target,) if spec.target is not None else OUTCOME_STATES
        for source in spec.sources:
            for target in targets:
                if str(source) != str(target):
                    pairs.add((str(source), str(target)))
    return frozenset(pairs)


def _spec_allows(name: str, from_status: str, to_status: str) -> bool:
    spec = TRANSITIONS.get(name)
    if spec is None or from_status not in spec.sources:
        return False
    targets = (spec.target,) if spec.target is not None else OUTCOME_STATES
    return to_status in targets


# --- hash chain over CaseEvent ----------------------------------------------------------------

GENESIS_HASH = "0" * 64
#: pg_advisory_xact_lock namespace ("CEVT") that serialises appends to one case's chain.
_CHAIN_LOCK_NAMESPACE = 0x43455654


def _utc_iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def event_fields(event: CaseEvent) -> dict[str, Any]:
    """The fields the hash covers, as stored (payload normalised through a JSON round trip,
    times in UTC with microseconds), so the value read back hashes like the value written."""
    return {
        "case": event.case_id,
        "kind": str(event.kind),
        "name": str(event.name),
        "from_status": str(event.from_status),
        "to_status": str(event.to_status),
        "actor": event.actor_id,
        "reason": str(event.reason),
        "payload": json.loads(json.dumps(event.payload)),
        "created_at": _utc_iso(event.created_at),
    }


def event_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """sha256 over a canonical serialisation of ("v1", prev_hash, fields)."""
    canonical = json.dumps(["v1", prev_hash, fields], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def chain_and_save(event: CaseEvent, insert: Callable[[], None]) -> None:
    """Link `event` to the last event of its case and insert it (CaseEvent.save calls this:
    every creation path goes through it). On PostgreSQL an advisory lock per case, held to
    the end of the transaction, keeps two concurrent appends from forking the chain."""
    from cases.models import CaseEvent

    # No savepoint when the caller's transaction is open (a transition's): an error here
    # aborts that transaction anyway, and the savepoint cost two round trips per event.
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s, %s)", [_CHAIN_LOCK_NAMESPACE, event.case_id & 0x7FFFFFFF]
                )
        last = CaseEvent.objects.filter(case_id=event.case_id).order_by("-id").values_list("hash", flat=True).first()
        event.prev_hash = last or GENESIS_HASH
        event.hash = event_hash(event.prev_hash, event_fields(event))
        insert()


@dataclass(frozen=True)
class ChainBreak:
    case_id: int
    event_id: int
    problem: str

    def __str__(self) -> str:
        return f"case {self.case_id} event {self.event_id}: {self.problem}"


def verify_chain(case_id: int | None = None) -> tuple[int, list[ChainBreak]]:
    """Recompute every case's chain (or one case's). Returns (events checked, breaks). A row
    whose content changed breaks at that row; a deleted or reordered row breaks at the row
    after it (its prev_hash no longer names its predecessor)."""
    from cases.models import CaseEvent

    events = CaseEvent.objects.order_by("case_id", "id")
    if case_id is not None:
        events = events.filter(case_id=case_id)
    breaks: list[ChainBreak] = []
    current_case, expected_prev, checked = None, GENESIS_HASH, 0
    for event in events.iterator(chunk_size=2000):
        checked += 1
        if event.case_id != current_case:
            current_case, expected_prev = event.case_id, GENESIS_HASH
        if event.prev_hash != expected_prev:
            breaks.append(ChainBreak(event.case_id, event.pk, "prev_hash does not match the previous event"))
        if event_hash(event.prev_hash, event_fields(event)) != event.hash:
            breaks.append(ChainBreak(event.case_id, event.pk, "content does not match its hash"))
        expected_prev = event.hash
    return checked, breaks


def chain_heads() -> list[tuple[int, int, str]]:
    """(case id, last event id, last hash) per case: ship these daily to a separate store so
    that truncating the tail of a chain is detectable too."""
    from cases.models import CaseEvent

    last_ids = CaseEvent.objects.values("case_id").annotate(last=Max("id")).values_list("last", flat=True)
    rows = CaseEvent.objects.filter(pk__in=last_ids).order_by("case_id").values_list("case_id", "id", "hash")
    return list(rows)


def backfill_chain(event_model: Any) -> int:
    """Seal events created before the chain existed (used by migration 0004, which passes
    its historical model). Returns rows sealed."""
    prev_by_case: dict[int, str] = {}
    sealed = 0
    for event in event_model.objects.order_by("case_id", "id").iterator(chunk_size=2000):
        prev = prev_by_case.get(event.case_id, GENESIS_HASH)
        digest = event_hash(prev, event_fields(event))
        event_model.objects.filter(pk=event.pk).update(prev_hash=prev, hash=digest)
        prev_by_case[event.case_id] = digest
        sealed += 1
    return sealed


# --- invariants (T8) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Violation:
    code: str
    case_id: int
    message: str

    def __str__(self) -> str:
        return f"[{self.code}] case {self.case_id}: {self.message}"


Check = Callable[[list[Any]], Iterable[Violation]]
#: Every invariant check, by code. Each receives the cases to check (model instances).
INVARIANTS: dict[str, Check] = {}


def invariant(code: str) -> Callable[[Check], Check]:
    def decorator(func: Check) -> Check:
        INVARIANTS[code] = func
        return func

    return decorator


S = Status
ACCEPTED_PATH = (
    S.ACCEPTED,
    S.IN_MEDIATION,
    S.AGREEMENT_PENDING,
    S.AGREEMENT_EFFECTIVE,
    S.PERFORMED,
    S.NOT_PERFORMED,
    S.TERMINATED,
)
STARTED_PATH = (S.IN_MEDIATION, S.AGREEMENT_PENDING, S.AGREEMENT_EFFECTIVE, S.PERFORMED, S.NOT_PERFORMED)
FINISHED = (*OUTCOME_STATES, S.CLOSING, S.CLOSED, S.ARCHIVED)


@invariant("status_timestamps")
def _status_matches_timestamps(cases: list[Any]) -> Iterable[Violation]:
    """Each state carries the stamps of the transitions that lead to it, and no later ones."""
    for case in cases:
        code, problems = "status_timestamps", []
        if case.status == S.DRAFT:
            if case.received_at or case.accepted_at or case.case_number:
                problems.append("draft case has a receipt time, acceptance or case number")
        elif not case.received_at or not case.registry_number:
            problems.append("registered case without received_at or registry number")
        if case.status in ACCEPTED_PATH and not case.accepted_at:
            problems.append(f"status {case.status} without accepted_at")
        if case.status in STARTED_PATH and not case.mediation_started_at:
            problems.append(f"status {case.status} without mediation_started_at")
        if case.status in FINISHED and not case.outcome_at:
            problems.append(f"status {case.status} without outcome_at")
        if (case.closed_at is not None) != (case.status in (S.CLOSED, S.ARCHIVED)):
            problems.append(f"closed_at is {'set' if case.closed_at else 'missing'} in status {case.status}")
        if (case.archived_at is not None) != (case.status == S.ARCHIVED):
            problems.append(f"archived_at is {'set' if case.archived_at else 'missing'} in status {case.status}")
        stamps = [
            ("received_at", case.received_at),
            ("accepted_at", case.accepted_at),
            ("mediation_started_at", case.mediation_started_at),
            ("outcome_at", case.outcome_at),
            ("closed_at", case.closed_at),
            ("archived_at", case.archived_at),
        ]
        present = [(name, value) for name, value in stamps if value is not None]
        for (earlier, a), (later, b) in pairwise(present):
            if b < a:
                problems.append(f"{later} ({b:%Y-%m-%d %H:%M}) before {earlier} ({a:%Y-%m-%d %H:%M})")
        yield from (Violation(code, case.pk, p) for p in problems)


@invariant("case_number")
def _case_numbers(cases: list[Any]) -> Iterable[Violation]:
    """Accepted cases have a case number and only they do; a number is never used twice
    (the database constraint covers one organisation, this covers all of them)."""
    from cases.models import Case

    for case in cases:
        if case.accepted_at and not case.case_number:
            yield Violation("case_number", case.pk, "accepted case without a case number")
        if case.case_number and not case.accepted_at:
            yield Violation("case_number", case.pk, f"case number {case.case_number} on a case never accepted")
    numbers = {c.case_number for c in cases if c.case_number}
    users: dict[str, list[int]] = defaultdict(list)
    for number, case_id in Case.objects.filter(case_number__in=numbers).order_by("pk").values_list("case_number", "pk"):
        users[number].append(case_id)
    for case in cases:
        others = [pk for pk in users.get(case.case_number or "", []) if pk != case.pk]
        if others:
            yield Violation("case_number", case.pk, f"case number {case.case_number} also used by case {others}")


@invariant("deadlines")
def _deadlines_present(cases: list[Any]) -> Iterable[Violation]:
    """Clocks A and B exist from receipt, clock C from acceptance."""
    for case in cases:
        if case.received_at and not (case.arbitration_release_on and case.acceptance_due_on):
            yield Violation("deadlines", case.pk, "received case without clock A/B due dates")
        if case.accepted_at and not case.mediation_due_on:
            yield Violation("deadlines", case.pk, "accepted case without a mediation due date (clock C)")


@invariant("history")
def _has_history(cases: list[Any]) -> Iterable[Violation]:
    """Every case has field history and a 'created' event."""
    from cases.models import Case, CaseEvent, EventKind

    ids = [c.pk for c in cases]
    with_history = set(Case.history.filter(id__in=ids).values_list("id", flat=True).distinct())
    created = set(CaseEvent.objects.filter(case_id__in=ids, kind=EventKind.CREATED).values_list("case_id", flat=True))
    for case in cases:
        if case.pk not in with_history:
            yield Violation("history", case.pk, "no history rows")
        if case.pk not in created:
            yield Violation("history", case.pk, "no 'created' event")


@invariant("event_path")
def _events_walk_the_graph(cases: list[Any]) -> Iterable[Violation]:
    """The transition events, in order, walk the graph from draft to the current status."""
    from cases.models import CaseEvent, EventKind

    by_case: dict[int, list[tuple[int, str, str, str]]] = defaultdict(list)
    rows = (
        CaseEvent.objects.filter(case_id__in=[c.pk for c in cases], kind=EventKind.TRANSITION)
        .order_by("case_id", "id")
        .values_list("case_id", "id", "name", "from_status", "to_status")
    )
    for case_id, event_id, name, from_status, to_status in rows:
        by_case[case_id].append((event_id, name, from_status, to_status))
    for case in cases:
        state = str(S.DRAFT)
        for event_id, name, from_status, to_status in by_case[case.pk]:
            if from_status != state:
                yield Violation("event_path", case.pk, f"event {event_id} starts from {from_status}, case was {state}")
            if not _spec_allows(name, from_status, to_status):
                yield Violation(
                    "event_path", case.pk, f"event {event_id}: {name} {from_status}→{to_status} not allowed"
                )
            state = to_status
        if state != case.status:
            yield Violation("event_path", case.pk, f"events end in {state}, case is {case.status}")


@invariant("history_path")
def _history_walks_the_graph(cases: list[Any]) -> Iterable[Violation]:
    """The status column's history starts at draft and changes only along allowed pairs
    (catches a QuerySet.update that bypassed both django-fsm and CaseEvent)."""
    from cases.models import Case

    allowed = allowed_status_pairs()
    by_case: dict[int, list[tuple[int, str]]] = defaultdict(list)
    rows = (
        Case.history.filter(id__in=[c.pk for c in cases])
        .order_by("id", "history_id")
        .values_list("id", "history_id", "status")
    )
    for case_id, history_id, status in rows:
        by_case[case_id].append((history_id, status))
    for case in cases:
        rows_of_case = by_case[case.pk]
        if not rows_of_case:
            continue  # reported by "history"
        if rows_of_case[0][1] != S.DRAFT:
            yield Violation("history_path", case.pk, f"first history row {rows_of_case[0][0]} is not draft")
        for (_, before), (history_id, after) in pairwise(rows_of_case):
            if before != after and (before, after) not in allowed:
                yield Violation("history_path", case.pk, f"history row {history_id}: {before}→{after} not allowed")
        if rows_of_case[-1][1] != case.status:
            yield Violation(
                "history_path", case.pk, f"last history row says {rows_of_case[-1][1]}, case is {case.status}"
            )


@invariant("claims")
def _claims_not_negative(cases: list[Any]) -> Iterable[Violation]:
    from cases.models import ClaimItem

    negative = ClaimItem.objects.filter(case_id__in=[c.pk for c in cases], amount__lt=0)
    for claim in negative.values_list("case_id", "id", "amount"):
        yield Violation("claims", claim[0], f"claim {claim[1]} has a negative amount {claim[2]}")


@invariant("open_alerts")
def _no_open_alerts_after_closure(cases: list[Any]) -> Iterable[Violation]:
    from cases.models import DeadlineAlert

    closed = [c.pk for c in cases if c.status in (S.CLOSED, S.ARCHIVED)]
    for case_id, alert_id in DeadlineAlert.objects.filter(case_id__in=closed, resolved_at__isnull=True).values_list(
        "case_id", "id"
    ):
        yield Violation("open_alerts", case_id, f"deadline alert {alert_id} still open on a closed case")


# Checks over the records of the higher layers (mediation, linkage). They are looked up by
# name, not imported, so this lower layer does not depend on them; they are skipped when an
# app is not installed. (They may move to those apps' ready() through `invariant`.)


def _model(label: str) -> Any:
    app_label, _, name = label.partition(".")
    return apps.get_model(app_label, name) if apps.is_installed(app_label) else None


@invariant("open_sessions")
def _no_scheduled_sessions_after_outcome(cases: list[Any]) -> Iterable[Violation]:
    session = _model("mediation.MediationSession")
    if session is None:
        return
    finished = [c.pk for c in cases if c.status in FINISHED]
    rows = session.objects.filter(case_id__in=finished, status="scheduled").values_list("case_id", "id")
    for case_id, session_id in rows:
        yield Violation("open_sessions", case_id, f"session {session_id} still scheduled after the outcome")
    extension = _model("mediation.Extension")
    rows = extension.objects.filter(case_id__in=finished, status="pending").values_list("case_id", "id")
    for case_id, extension_id in rows:
        yield Violation("open_sessions", case_id, f"extension request {extension_id} still pending after the outcome")


def _money(value: Any) -> Decimal:
    # SQLite sums decimals as floats: back to cents.
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


@invariant("payments")
def _payments_within_obligations(cases: list[Any]) -> Iterable[Violation]:
    """Payments are positive and never exceed what the obligation says; money recovered
    through a partner agency (court, arbitration, inspection) has a transfer behind it."""
    obligation = _model("mediation.Obligation")
    payment = _model("mediation.PaymentRecord")
    if obligation is None or payment is None:
        return
    ids = [c.pk for c in cases]
    rows = (
        obligation.objects.filter(agreement__case_id__in=ids)
        .annotate(paid=Sum("payments__amount"), payment_count=Count("payments"))
        .filter(payment_count__gt=0)
        .values_list("agreement__case_id", "id", "amount", "paid")
    )
    for case_id, obligation_id, amount, paid in rows:
        if amount is None or _money(paid) > _money(amount):
            yield Violation("payments", case_id, f"obligation {obligation_id}: paid {_money(paid)} of {amount}")
    for case_id, payment_id, amount in payment.objects.filter(
        obligation__agreement__case_id__in=ids, amount__lte=0
    ).values_list("obligation__agreement__case_id", "id", "amount"):
        yield Violation("payments", case_id, f"payment {payment_id} is not positive ({amount})")
    transfer = _model("linkage.Transfer")
    if transfer is None:
        return
    sent = set(transfer.objects.filter(case_id__in=ids).exclude(status="draft").values_list("case_id", flat=True))
    through_agency = (
        payment.objects.filter(obligation__agreement__case_id__in=ids)
        .exclude(channel="agreement")
        .values_list("obligation__agreement__case_id", "id", "channel")
    )
    for case_id, payment_id, channel in through_agency:
        if case_id not in sent:
            yield Violation("payments", case_id, f"payment {payment_id} recovered via {channel} without a transfer")


def check_invariants(case_ids: Iterable[int] | None = None, *, batch: int = 500) -> list[Violation]:
    """Run every invariant over the cases (all of them by default), in batches."""
    from cases.models import Case

    qs = Case.objects.order_by("pk")
    if case_ids is not None:
        qs = qs.filter(pk__in=list(case_ids))
    ids = list(qs.values_list("pk", flat=True))
    found: list[Violation] = []
    for start in range(0, len(ids), batch):
        cases = list(Case.objects.filter(pk__in=ids[start : start + batch]).order_by("pk"))
        for check in INVARIANTS.values():
            found.extend(check(cases))
    return sorted(found, key=lambda v: (v.case_id, v.code, v.message))
