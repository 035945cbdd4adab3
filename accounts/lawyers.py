"""Duty lawyers (值班律师) at acceptance: which lawyer to suggest for a case, and the record of
what the director then chose (DOMAIN.md §2.4, docs/lawyers.md).

The suggestion, for the acceptance date:

1. the zone (片区): the zone that lists the case's organisation when it is a street/town
   sub-centre; otherwise the zones of the district whose town or street names occur in the
   address of a respondent employer (a plain substring match);
2. the duty lawyer of that zone on that day (the roster has one per zone and day); if that
   lawyer must step aside, the duty lawyers of the district's other zones that day;
3. a lawyer steps aside when they, or a colleague of their firm, are recorded as having
   represented a party of the case (LawyerRepresentation: the same employer, or a worker with
   the same person record or ID number), or when they are not a mediator of the case's centre.

This module reads cases only through relations (`case.parties`, the string foreign keys of
LawyerRepresentation and LawyerSuggestion): accounts never imports the cases app.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import roles_for_organization
from accounts.models import (
    DutyAssignment,
    LawyerRepresentation,
    LawyerSuggestion,
    OrganizationLevel,
    Role,
    SuggestionReason,
    User,
    Zone,
)
from core.history import save_with_history

if TYPE_CHECKING:
    from accounts.models import Organization

#: Where a town's name ends inside the name of its sub-centre ("西红门镇总工会…分中心" -> "西红门镇").
PLACE_SUFFIXES = ("街道", "地区", "镇", "乡")


@dataclass
class Skipped:
    user_id: int
    name: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"user_id": self.user_id, "name": self.name, "reason": self.reason}


@dataclass
class Suggestion:
    on_date: dt.date
    reason: str
    zone: Zone | None = None
    lawyer: User | None = None
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def reason_label(self) -> str:
        return str(SuggestionReason(self.reason).label)

    @property
    def note(self) -> str:
        """The line shown under the mediator field of the accept form."""
        if self.lawyer is not None and self.zone is not None:
            text = _("值班律师（片区：%(zone)s）：%(name)s") % {"zone": self.zone.name, "name": self.lawyer}
            if self.reason == SuggestionReason.OTHER_ZONE_DUTY:
                text += _("（本片区值班律师回避，改荐其他片区）")
        else:
            text = _("未推荐值班律师：%s") % self.reason_label
        if self.skipped:
            text += _("；回避：") + "、".join(f"{s.name}（{s.reason}）" for s in self.skipped)
        return text


def place_name(organization: Organization) -> str:
    """The town's own name inside its sub-centre's name, or the whole name."""
    cut = min((i + len(s) for s in PLACE_SUFFIXES if (i := organization.name.find(s)) > 0), default=0)
    return organization.name[:cut] if cut else organization.name


def zone_place_names(zone: Zone) -> list[str]:
    names = [place_name(town) for town in zone.towns.all()]
    names += [line.strip() for line in zone.street_names.replace("，", "\n").replace(",", "\n").splitlines()]
    return [n for n in dict.fromkeys(names) if n]


def _district_zones(case: Any) -> list[Zone]:
    return list(
        Zone.objects.filter(active=True, organization_id__in=case.organization.ancestor_ids())
        .prefetch_related("towns")
        .order_by("name", "pk")
    )


def zones_for_case(case: Any) -> tuple[list[Zone], list[Zone]]:
    """(the zones of the case, every active zone of its district) — see the module docstring."""
    zones = _district_zones(case)
    if case.organization.level == OrganizationLevel.STREET_TOWN:
        matched = [z for z in zones if any(t.pk == case.organization_id for t in z.towns.all())]
        if matched:
            return matched, zones
    addresses = [
        address
        for party in case.parties.filter(side="respondent", employer__isnull=False).select_related("employer")
        for address in (party.employer.business_address, party.employer.registered_address)
        if address
    ]
    matched = [z for z in zones if any(name in address for name in zone_place_names(z) for address in addresses)]
    return matched, zones


def conflicts_for_case(case: Any, lawyers: Sequence[User]) -> dict[int, str]:
    """Lawyer id -> why they must step aside: they or a colleague of their firm represented a party."""
    parties = list(case.parties.select_related("person"))
    person_ids = [p.person_id for p in parties if p.person_id]
    employer_ids = [p.employer_id for p in parties if p.employer_id]
    hashes = [p.person.id_number_hash for p in parties if p.person_id and p.person.id_number_hash]
    party_q = Q(employer_id__in=employer_ids) | Q(person_id__in=person_ids)
    if hashes:
        party_q |= Q(person__id_number_hash__in=hashes)
    firms = {u.pk: u.lawyer_profile.firm_id for u in lawyers if hasattr(u, "lawyer_profile")}
    records = LawyerRepresentation.objects.filter(
        party_q, Q(lawyer__in=lawyers) | Q(lawyer__lawyer_profile__firm_id__in=set(firms.values()))
    ).select_related("lawyer", "lawyer__lawyer_profile")
    reasons: dict[int, str] = {}
    for record in records:
        record_firm = getattr(getattr(record.lawyer, "lawyer_profile", None), "firm_id", None)
        for lawyer in lawyers:
            if lawyer.pk in reasons:
                continue
            if record.lawyer_id == lawyer.pk:
                reasons[lawyer.pk] = _("曾代理本案当事人")
            elif record_firm is not None and record_firm == firms.get(lawyer.pk):
                reasons[lawyer.pk] = _("同所律师%s曾代理本案当事人") % record.lawyer
    return reasons


def lawyer_suggest(*, case: Any, on_date: dt.date | None = None) -> Suggestion:
    """The duty lawyer to suggest for `case` on `on_date` (today by default)."""
    on_date = on_date or timezone.localdate()
    matched, zones = zones_for_case(case)
    if not matched:
        return Suggestion(on_date=on_date, reason=SuggestionReason.NO_ZONE)
    others = [z for z in zones if z not in matched]
    duties = {
        d.zone_id: d
        for d in DutyAssignment.objects.filter(date=on_date, zone__in=matched + others).select_related(
            "lawyer", "lawyer__lawyer_profile"
        )
    }
    candidates = [(z, duties[z.pk].lawyer) for z in matched + others if z.pk in duties]
    if not any(z in matched for z, _lawyer in candidates):
        return Suggestion(on_date=on_date, reason=SuggestionReason.NO_ROSTER, zone=matched[0])
    conflicts = conflicts_for_case(case, [lawyer for _zone, lawyer in candidates])
    skipped: list[Skipped] = []
    for zone, lawyer in candidates:
        if any(s.user_id == lawyer.pk for s in skipped):
            continue
        problem = conflicts.get(lawyer.pk)
        if problem is None and not _may_mediate(lawyer, case.organization):
            problem = _("不是本中心的调解员")
        if problem is not None:
            skipped.append(Skipped(lawyer.pk, str(lawyer), problem))
            continue
        reason = SuggestionReason.ZONE_DUTY if zone in matched else SuggestionReason.OTHER_ZONE_DUTY
        return Suggestion(on_date=on_date, reason=reason, zone=zone, lawyer=lawyer, skipped=skipped)
    return Suggestion(on_date=on_date, reason=SuggestionReason.ALL_CONFLICTED, zone=matched[0], skipped=skipped)


def _may_mediate(lawyer: User, organization: Organization) -> bool:
    profile = getattr(lawyer, "lawyer_profile", None)
    return (
        lawyer.is_active
        and profile is not None
        and profile.active
        and Role.MEDIATOR in roles_for_organization(lawyer, organization)
    )


def lawyer_suggestion_record(
    *, case: Any, actor: User, mediators: Sequence[User], accepted_at: dt.datetime
) -> LawyerSuggestion:
    """Keep, with the acceptance, what was suggested and whether the director took it.
    Called by cases.services.case_accept inside its transaction."""
    suggestion = lawyer_suggest(case=case, on_date=timezone.localdate(accepted_at))
    chosen = [m.pk for m in mediators]
    record = LawyerSuggestion(
        case=case,
        on_date=suggestion.on_date,
        zone=suggestion.zone,
        suggested_lawyer=suggestion.lawyer,
        reason=suggestion.reason,
        skipped=[s.as_dict() for s in suggestion.skipped],
        chosen_mediators=chosen,
        suggestion_taken=suggestion.lawyer is not None and suggestion.lawyer.pk in chosen,
        accepted_at=accepted_at,
    )
    save_with_history(record, actor=actor, reason="accept")
    return record


def lawyer_suggestion_for(*, case: Any) -> tuple[Suggestion, LawyerSuggestion | None]:
    """The recorded suggestion of an accepted case (as it was then), else today's."""
    record = LawyerSuggestion.objects.filter(case=case).select_related("zone", "suggested_lawyer").first()
    if record is None:
        return lawyer_suggest(case=case), None
    suggestion = Suggestion(
        on_date=record.on_date,
        reason=record.reason,
        zone=record.zone,
        lawyer=record.suggested_lawyer,
        skipped=[Skipped(s["user_id"], s["name"], s["reason"]) for s in record.skipped],
    )
    return suggestion, record
