"""Reveal of one piece of a party's personal data (查看完整证件号码/电话), DOMAIN.md §11.3-11.5,
RELIABILITY.md T6.

Screens and the API show ID numbers and phones masked. Staff who work the case (clerk,
mediator, director over the case's organisation) may see one full value at a time after
giving a reason; auditors (supervisors: they would need a director's approval, which does
not exist yet), liaisons and admins may not. Every reveal and every refused attempt is
written to `PersonalDataReveal` (who, when, case, party, field, reason, address; never the
value), and a granted one also to the case's timeline as a note event.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.access import roles_for_organization
from accounts.models import Role, User
from cases.models import Case, CaseEvent, CaseParty, EventKind, PersonalDataReveal, RevealField
from cases.selectors import case_get_for_user
from core.exceptions import ApplicationError, PermissionDeniedError

#: Roles over the case's organisation that may reveal (DOMAIN.md §11.3: the staff who work it).
REVEAL_ROLES = frozenset({Role.CLERK, Role.MEDIATOR, Role.DIRECTOR})
MIN_REASON_LENGTH = 4
MAX_REASON_LENGTH = 500
#: CaseEvent.name of a reveal in the timeline.
REVEAL_EVENT = "reveal"


@dataclass(frozen=True)
class Revealed:
    case: Case
    party: CaseParty
    field: str
    value: str


def may_reveal(user: Any, case: Case) -> bool:
    return bool(roles_for_organization(user, case.organization) & REVEAL_ROLES)


def party_value(party: CaseParty, field: str) -> str:
    """The full value of `field` for the party ("" when it has none)."""
    if party.person is not None:
        return (party.person.id_number if field == RevealField.ID_NUMBER else party.person.phone) or ""
    if party.employer is not None and field == RevealField.PHONE:
        return party.employer.contact_phone or ""
    return ""


def _log(
    *, case: Case, party: CaseParty, field: str, reason: str, actor: User, granted: bool, via: str, remote_addr: str
) -> PersonalDataReveal:
    return PersonalDataReveal.objects.create(
        case=case,
        party=party,
        field=field if field in RevealField.values else "",
        reason=(reason or "")[:MAX_REASON_LENGTH],
        user=actor,
        granted=granted,
        via=via,
        remote_addr=(remote_addr or "")[:45],
    )


def reveal_target_get(*, case_id: Any, party_id: Any, user: Any) -> tuple[Case, CaseParty]:
    """The case (through the user's scope: 404 outside it) and its party (404 if not one)."""
    case = case_get_for_user(case_id=case_id, user=user)
    party = case.parties.select_related("person", "employer").filter(pk=_int(party_id)).first()
    if party is None:
        raise Http404
    return case, party


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


def _log_outside_scope(
    *, case_id: Any, party_id: Any, field: str, reason: str, actor: User, via: str, remote_addr: str
) -> None:
    """An attempt on an existing case the user may not see: logged, then answered 404."""
    party = CaseParty.objects.select_related("case").filter(pk=_int(party_id), case_id=_int(case_id)).first()
    if party is not None:
        _log(
            case=party.case,
            party=party,
            field=field,
            reason=reason,
            actor=actor,
            granted=False,
            via=via,
            remote_addr=remote_addr,
        )


def personal_data_reveal(
    *,
    case_id: Any,
    party_id: Any,
    field: str,
    reason: str,
    actor: User,
    via: str = "web",
    remote_addr: str = "",
) -> Revealed:
    """Reveal one value of one party: 404 outside the actor's scope and 403 for a role that
    may not reveal (both logged as refused), 400 without a reason of at least
    MIN_REASON_LENGTH characters or for a field the party does not have."""
    reason = (reason or "").strip()
    try:
        case, party = reveal_target_get(case_id=case_id, party_id=party_id, user=actor)
    except Http404:
        _log_outside_scope(
            case_id=case_id,
            party_id=party_id,
            field=field,
            reason=reason,
            actor=actor,
            via=via,
            remote_addr=remote_addr,
        )
        raise
    if not may_reveal(actor, case):
        _log(
            case=case,
            party=party,
            field=field,
            reason=reason,
            actor=actor,
            granted=False,
            via=via,
            remote_addr=remote_addr,
        )
        raise PermissionDeniedError(_("您的角色不能查看完整的个人信息。本次尝试已记录。"))
    errors: dict[str, list[str]] = {}
    if field not in RevealField.values:
        errors["field"] = [_("请选择要查看的项目：证件号码或联系电话。")]
    if len(reason) < MIN_REASON_LENGTH:
        errors["reason"] = [_("请填写查看理由（至少 %d 个字）。") % MIN_REASON_LENGTH]
    elif len(reason) > MAX_REASON_LENGTH:
        errors["reason"] = [_("查看理由最多 %d 个字。") % MAX_REASON_LENGTH]
    value = party_value(party, field) if not errors else ""
    if not errors and not value:
        errors["field"] = [_("该当事人没有登记此项信息。")]
    if errors:
        raise ApplicationError(_("无法查看，请按提示修改。"), fields=errors)
    with transaction.atomic():
        _log(
            case=case,
            party=party,
            field=field,
            reason=reason,
            actor=actor,
            granted=True,
            via=via,
            remote_addr=remote_addr,
        )
        CaseEvent.objects.create(
            case=case,
            kind=EventKind.NOTE,
            name=REVEAL_EVENT,
            actor=actor,
            reason=reason,
            payload={"party": party.pk, "field": field},
        )
    return Revealed(case=case, party=party, field=field, value=value)
