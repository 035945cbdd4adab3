"""Writes to cases: master data, drafts, numbering and every state transition.

Each transition runs in one transaction: lock the case row, check the state, the actor's
role and the guards, set the fields, fire the django-fsm transition, save with history,
write the CaseEvent. Refusals raise before anything is written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from accounts.access import can_write_cases_of, roles_for_organization
from accounts.lawyers import lawyer_suggestion_record
from accounts.models import Organization, Role, User
from cases import deadlines, vocab
from cases.models import (
    Case,
    CaseAssignment,
    CaseEvent,
    CaseNumberSequence,
    CaseParty,
    ClaimItem,
    Employer,
    EventKind,
    NumberSeries,
    Person,
)
from cases.workflow import EFFECTS, OUTCOME_STATES, TRANSITIONS, Status, blockers, may_fire
from core import crypto
from core.exceptions import ApplicationError, ConflictError, PermissionDeniedError
from core.history import delete_with_history, save_with_history
from core.validators import normalize_phone, normalize_resident_id, normalize_uscc

EDITABLE_STATES = (Status.DRAFT, Status.REGISTERED, Status.AWAITING_CONSENT)
#: 事实与理由 is printed in the application (D1) and the records: a few pages at most
#: (RELIABILITY.md T18: free text is capped at the model layer, not only by the request size).
FACTS_MAX_LENGTH = 5000


# --- master data ---------------------------------------------------------------------------


def person_get_or_create(
    *,
    actor: User,
    name: str,
    id_number: str = "",
    id_type: str = vocab.IdType.RESIDENT_ID,
    phone: str = "",
    address: str = "",
) -> Person:
    """A person, found by ID number when one is given. Bad numbers raise with field messages."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("请填写姓名。")]
    birth_date, sex = None, ""
    if id_number:
        if id_type == vocab.IdType.RESIDENT_ID:
            try:
                id_number = normalize_resident_id(id_number)
                birth_date = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
                sex = vocab.Sex.MALE if int(id_number[16]) % 2 else vocab.Sex.FEMALE
            except ValueError as exc:
                errors["id_number"] = [str(exc)]
        else:
            id_number = id_number.strip()
    if phone:
        try:
            phone = normalize_phone(phone)
        except ValueError as exc:
            errors["phone"] = [str(exc)]
    if errors:
        raise ApplicationError(_("当事人信息有误，请按提示修改。"), fields=errors)
    if id_number:
        existing = Person.objects.filter(id_number_hash=crypto.lookup_hash(id_number)).first()
        if existing:
            return existing
    person = Person(
        name=name,
        id_type=id_type,
        id_number=id_number,
        phone=phone,
        address=address,
        birth_date=birth_date,
        sex=sex,
        id_number_hash=crypto.lookup_hash(id_number) if id_number else "",
        phone_hash=crypto.lookup_hash(phone) if phone else "",
    )
    save_with_history(person, actor=actor, reason="create")
    return person


def employer_get_or_create(
    *,
    actor: User,
    name: str,
    uscc: str = "",
    entity_type: str = vocab.EntityType.ENTERPRISE,
    legal_rep_name: str = "",
    registered_address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
) -> Employer:
    """An employer, found by USCC when one is given."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("请填写用人单位名称。")]
    if uscc:
        try:
            uscc = normalize_uscc(uscc)
        except ValueError as exc:
            errors["uscc"] = [str(exc)]
    if contact_phone:
        try:
            contact_phone = normalize_phone(contact_phone)
        except ValueError as exc:
            errors["contact_phone"] = [str(exc)]
    if errors:
        raise ApplicationError(_("用人单位信息有误，请按提示修改。"), fields=errors)
    if uscc:
        existing = Employer.objects.filter(uscc=uscc).first()
        if existing:
            return existing
    employer = Employer(
        name=name,
        uscc=uscc,
        entity_type=entity_type,
        legal_rep_name=legal_rep_name,
        registered_address=registered_address,
        contact_name=contact_name,
        contact_phone=contact_phone,
    )
    save_with_history(employer, actor=actor, reason="create")
    return employer


# --- drafts ----------------------------------------------------------------------------------


def _require_writer(actor: User, organization: Organization) -> None:
    """Staff who may handle cases of the organisation; or the system user, the actor of work
    no staff member did (online applications, imports, tasks), which can never log in."""
    if actor.is_system:
        return
    if not can_write_cases_of(actor, organization):
        raise PermissionDeniedError(_("您没有在“%s”办理案件的权限。") % organization.name)


def is_editable(case: Case) -> bool:
    """Parties and claims may still change (草稿, 待审查, 待征得同意)."""
    return case.status in EDITABLE_STATES


def _require_editable(case: Case) -> None:
    if case.status not in EDITABLE_STATES:
        raise ConflictError(_("案件已受理或已结束（%s），当事人和请求事项不能再修改。") % case.get_status_display())


def case_create(
    *,
    actor: User,
    organization: Organization,
    dispute_type: str,
    source: str = vocab.CaseSource.WALK_IN_WRITTEN,
    channel: str = vocab.Channel.WRITTEN,
    facts_summary: str = "",
    workers_involved: int = 1,
    source_reference: str = "",
    referring_body: str = "",
    file_type: str = vocab.FileType.FORMAL,
    at: dt.datetime | None = None,
    event_payload: dict[str, Any] | None = None,
) -> Case:
    """A new draft case (草稿). Parties and claims are added with the services below.
    `event_payload` is recorded on the case's "created" event (e.g. how it came in)."""
    _require_writer(actor, organization)
    errors: dict[str, list[str]] = {}
    if dispute_type not in vocab.DisputeType.values:
        errors["dispute_type"] = [_("请选择争议类型。")]
    if source not in vocab.CaseSource.values:
        errors["source"] = [_("请选择案件来源。")]
    if channel not in vocab.Channel.values:
        errors["channel"] = [_("请选择申请方式。")]
    if not isinstance(workers_involved, int) or workers_involved < 1:
        errors["workers_involved"] = [_("涉及职工人数应为不小于1的整数。")]
    if len(facts_summary or "") > FACTS_MAX_LENGTH:
        errors["facts_summary"] = [_("事实与理由最多 %d 个字。") % FACTS_MAX_LENGTH]
    if errors:
        raise ApplicationError(_("案件信息有误，请按提示修改。"), fields=errors)
    with transaction.atomic():
        case = Case(
            organization=organization,
            dispute_type=dispute_type,
            source=source,
            channel=channel,
            facts_summary=facts_summary,
            workers_involved=workers_involved,
            is_collective=workers_involved >= 10,
            source_reference=source_reference,
            referring_body=referring_body,
            file_type=file_type,
            created_by=actor,
            created_at=at or timezone.now(),
        )
        save_with_history(case, actor=actor, reason="create")
        CaseEvent.objects.create(
            case=case,
            kind=EventKind.CREATED,
            actor=actor,
            to_status=case.status,
            created_at=case.created_at,
            payload=event_payload or {},
        )
    return case


#: Fields of a case that may be corrected while it is still editable (draft, registered).
UPDATABLE_FIELDS = (
    "dispute_type",
    "source",
    "channel",
    "facts_summary",
    "workers_involved",
    "source_reference",
    "referring_body",
    "file_type",
)


def case_update(*, case: Case, actor: User, changes: dict[str, Any]) -> Case:
    """Correct the basic data of a case that is still editable (草稿/待审查): the same checks
    as case_create; the case's history records who changed what."""
    _require_writer(actor, case.organization)
    unknown = sorted(set(changes) - set(UPDATABLE_FIELDS))
    if unknown:
        raise ApplicationError(
            _("这些字段不能修改：%s。") % "、".join(unknown), fields={f: [_("不能修改。")] for f in unknown}
        )
    errors: dict[str, list[str]] = {}
    checks = {
        "dispute_type": (vocab.DisputeType.values, _("请选择争议类型。")),
        "source": (vocab.CaseSource.values, _("请选择案件来源。")),
        "channel": (vocab.Channel.values, _("请选择申请方式。")),
        "file_type": (vocab.FileType.values, _("请选择案卷类型。")),
    }
    for field, (allowed, message) in checks.items():
        if field in changes and changes[field] not in allowed:
            errors[field] = [message]
    if len(str(changes.get("facts_summary") or "")) > FACTS_MAX_LENGTH:
        errors["facts_summary"] = [_("事实与理由最多 %d 个字。") % FACTS_MAX_LENGTH]
    workers = changes.get("workers_involved", case.workers_involved)
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        errors["workers_involved"] = [_("涉及职工人数应为不小于1的整数。")]
    if errors:
        raise ApplicationError(_("案件信息有误，请按提示修改。"), fields=errors)
    with transaction.atomic():
        locked = Case.objects.select_for_update().select_related("organization").get(pk=case.pk)
        _require_editable(locked)
        for field, value in changes.items():
            setattr(locked, field, value)
        if "workers_involved" in changes:
            locked.is_collective = locked.workers_involved >= 10
        save_with_history(locked, actor=actor, reason="update")
    return locked


def case_party_add(
    *,
    case: Case,
    actor: User,
    side: str,
    person: Person | None = None,
    employer: Employer | None = None,
    party_kind: str | None = None,
    is_representative: bool = False,
    position: str = "",
) -> CaseParty:
    _require_writer(actor, case.organization)
    _require_editable(case)
    if (person is None) == (employer is None):
        raise ApplicationError(_("当事人须为一名自然人或一个单位。"))
    if side not in vocab.Side.values:
        raise ApplicationError(_("请选择当事人地位。"), fields={"side": [_("请选择当事人地位。")]})
    kind = party_kind or (vocab.PartyKind.WORKER if person else vocab.PartyKind.EMPLOYER)
    party = CaseParty(
        case=case,
        side=side,
        party_kind=kind,
        person=person,
        employer=employer,
        is_representative=is_representative,
        position=position,
    )
    save_with_history(party, actor=actor, reason="add party")
    return party


_PLAIN_AMOUNT = re.compile(r"[0-9]{1,12}(\.[0-9]{1,2})?", re.ASCII)


def parse_amount(raw: Any, *, field: str = "amount") -> Decimal | None:
    """Yuan written in plain ASCII digits with at most 2 decimals (thousands separators
    allowed), >= 0; empty means no amount. No signs, exponents, underscores or full-width
    digits: what a clerk types must read the same to everyone."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, Decimal):
        raw = format(raw.quantize(Decimal("0.01")) if raw == raw.quantize(Decimal("0.01")) else raw, "f")
    text = str(raw).strip().replace(",", "")
    if not _PLAIN_AMOUNT.fullmatch(text):
        message = _("金额应为不小于0的数字，最多两位小数（如 12000.50）。")
        raise ApplicationError(message, fields={field: [message]})
    return Decimal(text).quantize(Decimal("0.01"))


def _claim_checked(
    *,
    case: Case,
    claim_type: str,
    description: str,
    amount: Any,
    claimant: CaseParty | None,
    period_start: dt.date | None,
    period_end: dt.date | None,
) -> Decimal | None:
    """The claim's amount once every field is right; else one error per wrong field."""
    errors: dict[str, list[str]] = {}
    if claim_type not in vocab.ClaimType.values:
        errors["claim_type"] = [_("请选择请求类型。")]
    if not (description or "").strip():
        errors["description"] = [_("请填写请求内容。")]
    value = parse_amount(amount)
    if claim_type in vocab.NON_MONETARY_CLAIMS and value is not None:
        errors["amount"] = [_("非金钱请求（如出具离职证明）不填写金额。")]
    if period_start and period_end and period_end < period_start:
        errors["period_end"] = [_("期间止不能早于期间起。")]
    if claimant is not None and claimant.case_id != case.pk:
        errors["claimant"] = [_("请求人不是本案当事人。")]
    if errors:
        raise ApplicationError(_("请求事项有误，请按提示修改。"), fields=errors)
    return value


def claim_add(
    *,
    case: Case,
    actor: User,
    claim_type: str,
    description: str,
    amount: Any = None,
    claimant: CaseParty | None = None,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
) -> ClaimItem:
    _require_writer(actor, case.organization)
    _require_editable(case)
    value = _claim_checked(
        case=case,
        claim_type=claim_type,
        description=description,
        amount=amount,
        claimant=claimant,
        period_start=period_start,
        period_end=period_end,
    )
    claim = ClaimItem(
        case=case,
        claimant=claimant,
        claim_type=claim_type,
        description=description.strip(),
        amount=value,
        period_start=period_start,
        period_end=period_end,
    )
    save_with_history(claim, actor=actor, reason="add claim")
    return claim


#: What a claim's correction may change (all of it but the case).
CLAIM_FIELDS = ("claim_type", "description", "amount", "claimant", "period_start", "period_end")


def _locked_editable_case(case_id: int) -> Case:
    """The case row locked for the rest of the transaction, refused once it left the
    editable states (a concurrent acceptance waits for the lock, then sees the change)."""
    case = Case.objects.select_for_update().select_related("organization").get(pk=case_id)
    _require_editable(case)
    return case


def claim_update(*, claim: ClaimItem, actor: User, changes: dict[str, Any]) -> ClaimItem:
    """Correct a claim of a case that is still editable; unchanged fields keep their values."""
    unknown = sorted(set(changes) - set(CLAIM_FIELDS))
    if unknown:
        raise ApplicationError(
            _("这些字段不能修改：%s。") % "、".join(unknown), fields={f: [_("不能修改。")] for f in unknown}
        )
    with transaction.atomic():
        case = _locked_editable_case(claim.case_id)
        _require_writer(actor, case.organization)
        merged = {field: changes.get(field, getattr(claim, field)) for field in CLAIM_FIELDS}
        value = _claim_checked(case=case, **merged)
        for field in CLAIM_FIELDS:
            setattr(claim, field, merged[field])
        claim.description = claim.description.strip()
        claim.amount = value
        save_with_history(claim, actor=actor, reason="correct claim")
    return claim


def claim_remove(*, claim: ClaimItem, actor: User) -> None:
    """Take a claim off a case that is still editable (the history keeps it)."""
    with transaction.atomic():
        case = _locked_editable_case(claim.case_id)
        _require_writer(actor, case.organization)
        delete_with_history(claim, actor=actor, reason="remove claim")


#: What a party's correction may change: its role in the case, and the contact data of the
#: person or employer behind it (a wrong name, ID number or USCC means the wrong person or
#: employer: remove the party and add the right one).
PARTY_FIELDS = ("is_representative", "position")
PERSON_FIELDS = ("phone", "address")
EMPLOYER_FIELDS = ("legal_rep_name", "registered_address", "contact_name", "contact_phone")


def case_party_update(*, party: CaseParty, actor: User, changes: dict[str, Any]) -> CaseParty:
    """Correct a party of a case that is still editable. Contact data belong to the person or
    employer and so change for every case of theirs (it is the same telephone)."""
    holder_fields = PERSON_FIELDS if party.person_id else EMPLOYER_FIELDS
    unknown = sorted(set(changes) - set(PARTY_FIELDS) - set(holder_fields))
    if unknown:
        raise ApplicationError(
            _("这些字段不能修改：%s。") % "、".join(unknown), fields={f: [_("不能修改。")] for f in unknown}
        )
    values = {key: (value.strip() if isinstance(value, str) else value) for key, value in changes.items()}
    errors: dict[str, list[str]] = {}
    phone_field = "phone" if party.person_id else "contact_phone"
    if values.get(phone_field):
        try:
            values[phone_field] = normalize_phone(values[phone_field])
        except ValueError as exc:
            errors[phone_field] = [str(exc)]
    if "is_representative" in values and not isinstance(values["is_representative"], bool):
        errors["is_representative"] = [_("请选择是或否。")]
    holder_model = Person if party.person_id else Employer
    for field, value in values.items():
        limit = getattr(
            (CaseParty if field in PARTY_FIELDS else holder_model)._meta.get_field(field), "max_length", None
        )
        if isinstance(value, str) and limit and len(value) > limit and field != phone_field:
            errors[field] = [_("最多 %d 个字。") % limit]
        elif field != "is_representative" and not isinstance(value, str):
            errors[field] = [_("请填写文字。")]
    if errors:
        raise ApplicationError(_("当事人信息有误，请按提示修改。"), fields=errors)
    with transaction.atomic():
        case = _locked_editable_case(party.case_id)
        _require_writer(actor, case.organization)
        party_changes = {f: values[f] for f in PARTY_FIELDS if f in values}
        if party_changes:
            for field, value in party_changes.items():
                setattr(party, field, value)
            save_with_history(party, actor=actor, reason="correct party")
        holder_changes = {f: values[f] for f in holder_fields if f in values}
        holder: Person | Employer | None = party.person if party.person_id else party.employer
        if holder is not None and holder_changes:
            for field, value in holder_changes.items():
                setattr(holder, field, value)
            if isinstance(holder, Person) and "phone" in holder_changes:
                holder.phone_hash = crypto.lookup_hash(holder.phone) if holder.phone else ""
            save_with_history(holder, actor=actor, reason=f"correct contact (case {case.pk})")
    return party


def case_party_remove(*, party: CaseParty, actor: User) -> None:
    """Take a party off a case that is still editable. Refused while a claim names it as the
    claimant: correct or remove that claim first."""
    with transaction.atomic():
        case = _locked_editable_case(party.case_id)
        _require_writer(actor, case.organization)
        if ClaimItem.objects.filter(claimant=party).exists():
            message = _("该当事人是请求事项的请求人，请先修改或删除该请求事项。")
            raise ConflictError(message)
        delete_with_history(party, actor=actor, reason="remove party")


# --- numbering -------------------------------------------------------------------------------


def number_allocate(*, organization: Organization, series: str, when: dt.datetime, actor: User) -> str:
    """The next number of `series` for the organisation and the year of `when` in Beijing
    time. Must run inside the caller's transaction: the counter row stays locked until it
    commits, so concurrent callers queue and numbers have neither gaps nor duplicates."""
    year, value = sequence_next(organization=organization, series=series, when=when, actor=actor)
    template = (
        organization.case_number_template if series == NumberSeries.CASE else organization.registry_number_template
    )
    return template.format(year=year, short_code=organization.short_code, seq=value)


def sequence_next(*, organization: Organization, series: str, when: dt.datetime, actor: User) -> tuple[int, int]:
    """(year, next value) of a numbering series; the gap-free, duplicate-free counter that
    number_allocate formats. Must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number_allocate must run inside transaction.atomic()")
    year = timezone.localtime(when).year
    sequences = CaseNumberSequence.objects.select_for_update().filter(
        organization=organization, year=year, series=series
    )
    sequence = sequences.first()  # locked: one query in the usual case (docs/performance.md)
    if sequence is None:
        try:
            with transaction.atomic():
                opened = CaseNumberSequence(organization=organization, year=year, series=series)
                save_with_history(opened, actor=actor, reason=f"open {series} {year}")
        except IntegrityError:
            pass  # opened concurrently by another transaction; lock it below
        sequence = sequences.get()
    sequence.last_value += 1
    save_with_history(sequence, actor=actor, reason=f"allocate {series}", update_fields=["last_value"])
    return year, sequence.last_value


# --- transitions ------------------------------------------------------------------------------


def transition_precheck(*, case: Case, name: str, actor: User) -> None:
    """The first checks of a transition, in order: the state allows it (else 409), the
    actor's role does (else 403). Interfaces may call it before parsing a request body so
    that the answer does not depend on the body; case_transition runs it again under the lock."""
    spec = TRANSITIONS[name]
    if case.status not in spec.sources:
        raise ConflictError(
            _("案件当前状态为“%(state)s”，不能“%(action)s”。")
            % {"state": case.get_status_display(), "action": spec.label}
        )
    if not may_fire(case, name, actor):
        raise PermissionDeniedError(_("您无权对本案执行“%s”。") % spec.label)


#: Case fields stamped with the time of the transition that sets them.
_TIMESTAMPS = {"start": "mediation_started_at", "approve_closure": "closed_at", "archive": "archived_at"}
#: Case fields that keep the state a transition left (return_closure goes back to it).
_REMEMBERS_SOURCE = {"submit_closure": "pre_closure_status"}


def case_transition(
    *,
    case: Case,
    actor: User,
    name: str,
    reason: str = "",
    changes: dict[str, Any] | None = None,
    prepare: Callable[[Case], dict[str, Any] | None] | None = None,
    at: dt.datetime | None = None,
) -> Case:
    """Run transition `name` on `case` for `actor` (the one path every transition takes).

    `changes` are field values the transition records (reason codes); they are set before
    the guards run. `prepare` runs after every check has passed and the status has changed,
    before the save, under the row lock (numbers, dates, related rows); it may return extra
    data for the event payload. `at` is when it happened (default now); imports and the demo
    data pass historic times.
    """
    spec = TRANSITIONS[name]
    try:
        with transaction.atomic():
            locked = Case.objects.select_for_update().select_related("organization").get(pk=case.pk)
            from_status = locked.status
            transition_precheck(case=locked, name=name, actor=actor)
            if spec.reason_required and not reason.strip():
                raise ApplicationError(_("“%s”须填写理由。") % spec.label, fields={"reason": [_("请填写理由。")]})
            for field, value in (changes or {}).items():
                setattr(locked, field, value)
            refusals = blockers(locked, name)
            if refusals:
                raise ApplicationError(" ".join(refusals))
            getattr(locked, name)()  # django-fsm checks the guards once more and sets the status
            now = at or timezone.now()
            if name in _REMEMBERS_SOURCE:
                setattr(locked, _REMEMBERS_SOURCE[name], from_status)
            payload = (prepare(locked) if prepare else None) or {}
            if locked.status in OUTCOME_STATES and from_status != Status.CLOSING:
                locked.outcome_at = now
            if name in _TIMESTAMPS:
                setattr(locked, _TIMESTAMPS[name], now)
            save_with_history(locked, actor=actor, reason=f"{name}: {reason}".strip(": "))
            CaseEvent.objects.create(
                case=locked,
                kind=EventKind.TRANSITION,
                name=name,
                from_status=from_status,
                to_status=locked.status,
                actor=actor,
                reason=reason,
                payload=payload,
                created_at=now,
            )
            for effect in EFFECTS[name]:
                effect(locked, actor, now)
    except ConcurrentTransition as exc:
        raise ConflictError(_("案件刚被其他人处理过，请刷新后重试。")) from exc
    return locked


def case_register(*, case: Case, actor: User, received_at: dt.datetime | None = None) -> Case:
    """登记: fixes the time of receipt, which starts clocks A and B."""
    received_at = received_at or timezone.now()

    def prepare(locked: Case) -> dict[str, Any]:
        locked.received_at = received_at
        received = timezone.localdate(received_at)
        locked.registry_number = number_allocate(
            organization=locked.organization, series=NumberSeries.REGISTRY, when=received_at, actor=actor
        )
        locked.arbitration_release_on = deadlines.arbitration_release_on(received)
        locked.acceptance_due_on = deadlines.acceptance_due_on(received)
        return {"registry_number": locked.registry_number}

    return case_transition(case=case, actor=actor, name="register", prepare=prepare, at=received_at)


def case_seek_consent(*, case: Case, actor: User, note: str = "", at: dt.datetime | None = None) -> Case:
    return case_transition(case=case, actor=actor, name="seek_consent", reason=note, at=at)


def _check_mediators(case: Case, mediators: Sequence[User], clerk: User | None = None) -> None:
    if clerk is not None and Role.CLERK not in roles_for_organization(clerk, case.organization):
        raise ApplicationError(_("%s 不是本中心的书记员。") % clerk, fields={"clerk": [_("请选择本中心的书记员。")]})
    if not mediators:
        raise ApplicationError(_("受理时须指派至少一名调解员。"), fields={"mediators": [_("请选择调解员。")]})
    for mediator in mediators:
        if Role.MEDIATOR not in roles_for_organization(mediator, case.organization):
            raise ApplicationError(
                _("%s 不是本中心的调解员。") % mediator, fields={"mediators": [_("请选择本中心的调解员。")]}
            )


def case_accept(
    *,
    case: Case,
    actor: User,
    mediators: Sequence[User],
    clerk: User | None = None,
    accepted_at: dt.datetime | None = None,
    note: str = "",
) -> Case:
    """受理: allocates the case number, assigns mediators and starts clock C."""
    accepted_at = accepted_at or timezone.now()
    mediators = list(dict.fromkeys(mediators))  # the first is the lead; a repeat is ignored

    def prepare(locked: Case) -> dict[str, Any]:
        _check_mediators(locked, mediators, clerk)  # after the state and role checks: 409/403 first
        locked.accepted_at = accepted_at
        if not locked.case_number:
            locked.case_number = number_allocate(
                organization=locked.organization, series=NumberSeries.CASE, when=accepted_at, actor=actor
            )
        locked.mediation_due_on = deadlines.mediation_due_on(timezone.localdate(accepted_at))
        if clerk is not None:
            locked.clerk = clerk
        for index, mediator in enumerate(mediators):
            assignment = CaseAssignment(
                case=locked, user=mediator, role="lead" if index == 0 else "co", assigned_at=accepted_at
            )
            save_with_history(assignment, actor=actor, reason="accept")
        # What the duty roster suggested, and whether the director took it (docs/lawyers.md).
        lawyer_suggestion_record(case=locked, actor=actor, mediators=mediators, accepted_at=accepted_at)
        return {"case_number": locked.case_number, "mediators": [m.pk for m in mediators]}

    return case_transition(case=case, actor=actor, name="accept", reason=note, prepare=prepare, at=accepted_at)


def _outcome(
    name: str,
    field: str,
    choices: Any,
    *,
    case: Case,
    actor: User,
    reason_code: str,
    note: str,
    at: dt.datetime | None,
) -> Case:
    if reason_code not in choices.values:
        message = _("请选择理由。")
        raise ApplicationError(message, fields={"reason_code": [message]})
    return case_transition(
        case=case, actor=actor, name=name, reason=note, changes={field: reason_code, "outcome_note": note}, at=at
    )


def case_reject(*, case: Case, actor: User, reason_code: str, note: str = "", at: dt.datetime | None = None) -> Case:
    """不予受理 with a reason code (DOMAIN.md §6.4)."""
    return _outcome(
        "reject",
        "rejection_reason",
        vocab.RejectionReason,
        case=case,
        actor=actor,
        reason_code=reason_code,
        note=note,
        at=at,
    )


def case_withdraw(*, case: Case, actor: User, reason_code: str, note: str = "", at: dt.datetime | None = None) -> Case:
    """撤回 recorded for the applicant, with a reason code (DOMAIN.md §6.6)."""
    return _outcome(
        "withdraw",
        "withdrawal_reason",
        vocab.WithdrawalReason,
        case=case,
        actor=actor,
        reason_code=reason_code,
        note=note,
        at=at,
    )


def case_terminate(*, case: Case, actor: User, reason_code: str, note: str = "", at: dt.datetime | None = None) -> Case:
    """终止调解 (调解不成) with a reason code (DOMAIN.md §6.5)."""
    return _outcome(
        "terminate",
        "termination_reason",
        vocab.TerminationReason,
        case=case,
        actor=actor,
        reason_code=reason_code,
        note=note,
        at=at,
    )


def case_submit_closure(*, case: Case, actor: User, note: str = "", at: dt.datetime | None = None) -> Case:
    """提交结案 from an outcome state; the state is remembered for return_closure."""
    return case_transition(case=case, actor=actor, name="submit_closure", reason=note, at=at)


def case_approve_closure(*, case: Case, actor: User, note: str = "", at: dt.datetime | None = None) -> Case:
    return case_transition(case=case, actor=actor, name="approve_closure", reason=note, at=at)


def case_return_closure(*, case: Case, actor: User, comment: str, at: dt.datetime | None = None) -> Case:
    return case_transition(case=case, actor=actor, name="return_closure", reason=comment, at=at)


# --- deadlines ---------------------------------------------------------------------------------


#: Further clocks contributed by higher layers (mediation: clock E). Each takes today's date
#: and returns (case, clock, due_on) for every alert that should be open now.
SWEEP_RULES: list[Callable[[dt.date], Iterable[tuple[Case, str, dt.date]]]] = []


def deadlines_sweep(*, actor: User, today: dt.date | None = None) -> dict[str, int]:
    """Raise an alert for every clock that has run out on an open case and resolve alerts
    that no longer apply. Idempotent: a second run the same day changes nothing."""
    from cases.models import Clock, DeadlineAlert
    from cases.workflow import MEDIATION_CLOCK_STATES

    today = today or timezone.localdate()
    due_now: dict[tuple[int, str, dt.date], Case] = {}
    rules = (
        (Clock.A, "arbitration_release_on", (*MEDIATION_CLOCK_STATES, Status.REGISTERED, Status.AWAITING_CONSENT)),
        (Clock.B, "acceptance_due_on", (Status.REGISTERED, Status.AWAITING_CONSENT)),
        (Clock.C, "mediation_due_on", MEDIATION_CLOCK_STATES),
    )
    for clock, field, states in rules:
        overdue = Case.objects.filter(status__in=states, **{f"{field}__lt": today}).only("pk", field, "status")
        for case in overdue:
            due_now[(case.pk, clock, getattr(case, field))] = case
    for rule in SWEEP_RULES:
        for case, extra_clock, due_on in rule(today):
            due_now[(case.pk, extra_clock, due_on)] = case
    counts = {"created": 0, "resolved": 0}
    with transaction.atomic():
        connection = transaction.get_connection()
        if connection.vendor == "postgresql":
            # Two sweeps at once (a redelivered beat message) would both insert the same new
            # alerts: the second waits here, then reads the first one's alerts below.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x53574550])  # "SWEP"
        known = {(a.case_id, a.clock, a.due_on): a for a in DeadlineAlert.objects.select_for_update()}
        for key, case in due_now.items():
            alert = known.get(key)
            if alert is not None and alert.resolved_at is None:
                continue
            if alert is None:
                alert = DeadlineAlert(case_id=key[0], clock=key[1], due_on=key[2])
            alert.resolved_at = None
            save_with_history(alert, actor=actor, reason="deadline passed")
            counts["created"] += 1
            CaseEvent.objects.create(
                case=case,
                kind=EventKind.ALERT,
                actor=actor,
                name=f"clock_{key[1]}",
                reason=str(Clock(key[1]).label),
                payload={"clock": key[1], "due_on": key[2].isoformat()},
            )
        for key, alert in known.items():
            if alert.resolved_at is None and key not in due_now:
                alert.resolved_at = timezone.now()
                save_with_history(alert, actor=actor, reason="no longer applies")
                counts["resolved"] += 1
    return counts


def holidays_load(*, actor: User) -> int:
    """Add the State Council holiday arrangements of cases.holidays that are not in the
    calendar yet (rows an admin has edited are left as they are). Returns rows added."""
    from cases.holidays import CALENDAR
    from cases.models import HolidayCalendar

    known = set(HolidayCalendar.objects.values_list("date", flat=True))
    added = 0
    with transaction.atomic():
        for day, kind, name in CALENDAR:
            date = dt.date.fromisoformat(day)
            if date in known:
                continue
            save_with_history(
                HolidayCalendar(date=date, kind=kind, name=name), actor=actor, reason="State Council notice"
            )
            added += 1
    return added
