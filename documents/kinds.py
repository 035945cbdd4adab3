"""The document kinds (DESIGN.md §7, DOMAIN.md §8): a registry, and the context every kind shares.

Each kind is a template `templates/documents/<code>.html` (extending
`documents/base.html`) plus one context function. Kinds that exist once per case say when
they are `available`; kinds that exist once per session, extension, service record,
follow-up or transfer list their `subjects`. `slot` is the position in the case file's
standard order (DOMAIN.md §9.2).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases import vocab as case_vocab
from cases.models import Case, CaseParty
from core.masking import mask_id_number, mask_phone
from core.money import quantize_yuan
from documents.models import Copy


@dataclass
class DocContext:
    """What a context function gets: the case, the subject row (or None), whose copy, and the
    document number."""

    case: Case
    subject: Any
    copy_for: str
    number: str
    version: int = 1
    today: dt.date = field(default_factory=timezone.localdate)

    @property
    def reveal(self) -> bool:
        """Full ID numbers and phones only in the file's original and the applicant's copy."""
        return self.copy_for in (Copy.FILE, Copy.APPLICANT)


@dataclass(frozen=True)
class Kind:
    code: str
    title: str | Promise
    context: Callable[[DocContext], dict[str, Any]]
    slot: int
    available: Callable[[Case], bool] = lambda case: True
    subjects: Callable[[Case], Sequence[models.Model]] | None = None
    subject_label: Callable[[Any], str] = str
    #: Served on the parties, so there are copies for them (masked for the other side).
    outbound: bool = False
    #: Only part of the case file (cover, index, note): rendered by the archive build.
    bundle_only: bool = False

    @property
    def template(self) -> str:
        return f"documents/{self.code}.html"

    def subjects_of(self, case: Case) -> list[Any]:
        if self.subjects is None:
            return [None] if self.available(case) else []
        return list(self.subjects(case))


KINDS: dict[str, Kind] = {}


def register_kind(kind: Kind) -> Kind:
    KINDS[kind.code] = kind
    return kind


def kind_choices() -> list[tuple[str, str]]:
    return [(k.code, f"{k.code} {k.title}") for k in sorted(KINDS.values(), key=lambda k: (k.slot, k.code))]


# --- the context every document shares ----------------------------------------------------


@dataclass
class PartyView:
    """A party as a document prints it, already masked for the copy's reader."""

    side: str
    side_label: str
    kind_label: str
    is_person: bool
    name: str
    sex: str = ""
    birth_date: dt.date | None = None
    id_type: str = ""
    id_number: str = ""
    phone: str = ""
    address: str = ""
    position: str = ""
    uscc: str = ""
    legal_rep_name: str = ""
    registered_address: str = ""
    business_address: str = ""
    contact_name: str = ""
    is_representative: bool = False

    @property
    def age(self) -> int | None:
        if self.birth_date is None:
            return None
        today = timezone.localdate()
        return (
            today.year
            - self.birth_date.year
            - ((today.month, today.day) < (self.birth_date.month, self.birth_date.day))
        )


def party_view(party: CaseParty, *, reveal: bool) -> PartyView:
    common: dict[str, Any] = {
        "side": party.side,
        "side_label": party.get_side_display(),
        "kind_label": party.get_party_kind_display(),
        "position": party.position,
        "is_representative": party.is_representative,
    }
    p = party.person
    if p is not None:
        return PartyView(
            is_person=True,
            name=p.name,
            sex=p.get_sex_display() if p.sex else "",
            birth_date=p.birth_date,
            id_type=p.get_id_type_display(),
            id_number=p.id_number if reveal else mask_id_number(p.id_number),
            phone=p.phone if reveal else mask_phone(p.phone),
            address=p.address,
            **common,
        )
    e = party.employer
    if e is None:
        return PartyView(is_person=False, name=str(party), **common)
    return PartyView(
        is_person=False,
        name=e.name,
        uscc=e.uscc,
        legal_rep_name=e.legal_rep_name,
        registered_address=e.registered_address,
        business_address=e.business_address,
        contact_name=e.contact_name,
        phone=e.contact_phone,
        address=e.registered_address,
        **common,
    )


def case_parties(case: Case, *, reveal: bool) -> dict[str, list[PartyView]]:
    parties = case.parties.select_related("person", "employer").order_by("side", "pk")
    views: dict[str, list[PartyView]] = {"applicants": [], "respondents": [], "third_parties": []}
    key: dict[str, str] = {
        case_vocab.Side.APPLICANT: "applicants",
        case_vocab.Side.RESPONDENT: "respondents",
        case_vocab.Side.THIRD_PARTY: "third_parties",
    }
    for party in parties:
        views[key[party.side]].append(party_view(party, reveal=reveal))
    return views


def names(parties: Sequence[PartyView]) -> str:
    return "、".join(p.name for p in parties)


def base_context(dc: DocContext, kind: Kind) -> dict[str, Any]:
    case = dc.case
    org = case.organization
    parties = case_parties(case, reveal=dc.reveal)
    claims = list(case.claims.order_by("pk"))
    claimed = quantize_yuan(sum((c.amount for c in claims if c.amount is not None), start=Decimal("0.00")))
    assignments = list(case.assignments.filter(active=True).select_related("user").order_by("role", "pk"))
    return {
        "kind": kind,
        "title": kind.title,
        "dc": dc,
        "case": case,
        "subject": dc.subject,
        "org": org,
        "seal_name": org.seal_name or org.name,
        "number": dc.number,
        "version": dc.version,
        "copy_for": dc.copy_for,
        "copy_label": Copy(dc.copy_for).label if dc.copy_for != Copy.FILE else "",
        "today": dc.today,
        **parties,
        "applicant_names": names(parties["applicants"]),
        "respondent_names": names(parties["respondents"]),
        "claims": claims,
        "claimed_total": claimed,
        "mediators": [a.user for a in assignments],
        "assignments": assignments,
        "clerk": case.clerk,
        "case_title": case_title(case, parties),
    }


def case_title(case: Case, parties: dict[str, list[PartyView]] | None = None) -> str:
    """卷名: 张某与北京某某有限公司劳动报酬争议."""
    parties = parties or case_parties(case, reveal=False)
    applicants = parties["applicants"]
    first = applicants[0].name if applicants else "—"
    if len(applicants) > 1:
        first = _("%(name)s等%(n)d人") % {"name": first, "n": len(applicants)}
    respondent = parties["respondents"][0].name if parties["respondents"] else "—"
    return _("%(a)s与%(r)s%(type)s争议") % {"a": first, "r": respondent, "type": case.get_dispute_type_display()}


def document_number(case: Case, kind: Kind, subject: Any) -> str:
    """文书编号: the case number (or, before acceptance, the registry number) with the
    kind's code and, for kinds that exist more than once, the subject's position."""
    base = case.case_number or case.registry_number or f"#{case.pk}"
    if kind.subjects is None or subject is None:
        return f"{base}-{kind.code}"
    ids = [s.pk for s in kind.subjects(case)]
    position = ids.index(subject.pk) + 1 if subject.pk in ids else subject.pk
    return f"{base}-{kind.code}-{position}"


def document_date(case: Case, kind: Kind, subject: Any) -> dt.date | None:
    """The date a document bears, for the index (D21)."""
    candidates: list[Any] = []
    if subject is not None:
        candidates += [
            getattr(subject, a, None) for a in ("served_on", "done_at", "decided_at", "starts_at", "sent_on")
        ]
        candidates += [getattr(subject, a, None) for a in ("approved_at", "requested_at", "created_at")]
    if kind.code == "D10":
        from mediation.services.agreements import live_agreement

        agreement = live_agreement(case)
        if agreement is not None:
            candidates.append(agreement.effective_at or agreement.created_at)
    by_kind = {
        "D1": case.received_at,
        "D1b": case.received_at,
        "D5": case.received_at,
        "D3": case.accepted_at,
        "D4": case.accepted_at,
        "D15": case.closed_at,
    }
    candidates.append(by_kind.get(kind.code))
    candidates += [case.outcome_at, case.closed_at, case.received_at]
    for value in candidates:
        if isinstance(value, dt.datetime):
            return timezone.localdate(value)
        if isinstance(value, dt.date):
            return value
    return None


def build_context(kind: Kind, dc: DocContext) -> dict[str, Any]:
    return {**base_context(dc, kind), **kind.context(dc)}
