"""The agreement (调解协议书, D10): drafted from the claims, clauses and obligations, signed
by every party (an agent only with special authority), by the mediator, sealed, effective."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from cases import deadlines
from cases import vocab as case_vocab
from cases.models import Case, CaseParty
from cases.services import case_transition, parse_amount
from cases.workflow import Status
from core.exceptions import ApplicationError, ConflictError, PermissionDeniedError
from core.history import delete_with_history, save_with_history
from core.money import format_yuan
from mediation import vocab
from mediation.models import Agreement, AgreementSignature, AgreementTerm, FollowUp, Obligation
from mediation.services.common import current_status, is_mediator_of, require_role

FOLLOW_UP_AFTER_DUE_DAYS = 3
#: A due date is within ten years of today; anything else is a typing error.
DUE_DATE_HORIZON = dt.timedelta(days=3660)


def _due_date_problem(due_on: dt.date | None) -> str | None:
    if due_on is None:
        return None
    today = timezone.localdate()
    if not today - DUE_DATE_HORIZON <= due_on <= today + DUE_DATE_HORIZON:
        return _("履行期限应在今天前后十年之内，请核对。")
    return None


_CLAIM_TO_OBLIGATION: dict[str, str] = {
    case_vocab.ClaimType.CERT: vocab.ObligationKind.CERTIFICATE,
    case_vocab.ClaimType.FILE_SI_TRANSFER: vocab.ObligationKind.SOCIAL_INSURANCE,
}


def live_agreement(case: Case) -> Agreement | None:
    prefetched = getattr(case, "live_agreements", None)  # the case page's prefetch (mediation.selectors)
    if prefetched is not None:
        return prefetched[0] if prefetched else None
    return case.agreements.exclude(status=vocab.AgreementStatus.VOID).order_by("-created_at").first()


def _require_draft(agreement: Agreement, actor: User, action: str) -> None:
    require_role(actor, agreement.case, (Role.MEDIATOR,), action)
    if agreement.status != vocab.AgreementStatus.DRAFT or current_status(agreement.case_id) != Status.AGREEMENT_PENDING:
        raise ConflictError(_("协议已生效或已作废，不能%s。") % action)


def _require_unsigned(agreement: Agreement) -> None:
    if agreement.signatures.exists() or agreement.mediator_signed_at or agreement.sealed_at:
        raise ConflictError(_("协议已有签名或已盖章，内容不能再修改；如需修改，请选择“重新协商”。"))


def agreement_draft(*, case: Case, actor: User, note: str = "", at: dt.datetime | None = None) -> Agreement:
    """拟定调解协议: transition draft_agreement, then a draft with one obligation per claim."""
    created: dict[str, Agreement] = {}

    def prepare(locked: Case) -> dict[str, Any]:
        agreement = Agreement(case=locked, created_by=actor, created_at=at or timezone.now())
        save_with_history(agreement, actor=actor, reason="draft")
        applicants = list(locked.parties.filter(side=case_vocab.Side.APPLICANT))
        respondent = locked.parties.filter(side=case_vocab.Side.RESPONDENT).first()
        position = 0
        for claim in locked.claims.select_related("claimant"):
            claimant = claim.claimant or applicants[0]
            kind = vocab.ObligationKind.PAYMENT if claim.amount else _CLAIM_TO_OBLIGATION.get(claim.claim_type)
            if kind is None or respondent is None:
                continue
            obligor, obligee = (
                (respondent, claimant) if claimant.side == case_vocab.Side.APPLICANT else (claimant, respondent)
            )
            position += 1
            obligation = Obligation(
                agreement=agreement,
                kind=kind,
                obligor=obligor,
                obligee=obligee,
                description=claim.description,
                amount=claim.amount if kind == vocab.ObligationKind.PAYMENT else None,
                position=position,
            )
            save_with_history(obligation, actor=actor, reason="draft from claim")
        created["agreement"] = agreement
        return {"agreement": agreement.pk}

    case_transition(case=case, actor=actor, name="draft_agreement", reason=note, prepare=prepare, at=at)
    return created["agreement"]


def agreement_set_terms(*, agreement: Agreement, actor: User, terms: Sequence[str]) -> Agreement:
    """Replace the clauses (paragraphs of any length)."""
    _require_draft(agreement, actor, _("修改协议条款"))
    _require_unsigned(agreement)
    with transaction.atomic():
        for term in agreement.terms.all():
            delete_with_history(term, actor=actor, reason="replace terms")
        for position, text in enumerate(t.strip() for t in terms):
            if text:
                save_with_history(
                    AgreementTerm(agreement=agreement, text=text, position=position), actor=actor, reason="terms"
                )
    return agreement


def obligation_add(
    *,
    agreement: Agreement,
    actor: User,
    kind: str,
    obligor: CaseParty,
    obligee: CaseParty,
    description: str,
    amount: Any = None,
    due_on: dt.date | None = None,
) -> Obligation:
    _require_draft(agreement, actor, _("修改履行义务"))
    _require_unsigned(agreement)
    errors: dict[str, list[str]] = {}
    if kind not in vocab.ObligationKind.values:
        errors["kind"] = [_("请选择义务类别。")]
    value = parse_amount(amount)
    if kind == vocab.ObligationKind.PAYMENT and not value:
        errors["amount"] = [_("支付义务须填写大于0的金额。")]
    if kind != vocab.ObligationKind.PAYMENT and value is not None:
        errors["amount"] = [_("非金钱义务不填写金额。")]
    for field, party in (("obligor", obligor), ("obligee", obligee)):
        if party.case_id != agreement.case_id:
            errors[field] = [_("该当事人不属于本案。")]
    if obligor == obligee:
        errors["obligee"] = [_("义务人和权利人不能是同一方。")]
    if not description.strip():
        errors["description"] = [_("请填写义务内容。")]
    if problem := _due_date_problem(due_on):
        errors["due_on"] = [problem]
    if errors:
        raise ApplicationError(_("履行义务有误，请按提示修改。"), fields=errors)
    position = agreement.obligations.count() + 1
    obligation = Obligation(
        agreement=agreement,
        kind=kind,
        obligor=obligor,
        obligee=obligee,
        description=description.strip(),
        amount=value,
        due_on=due_on,
        position=position,
    )
    save_with_history(obligation, actor=actor, reason="add obligation")
    return obligation


def obligation_set_due(*, obligation: Obligation, actor: User, due_on: dt.date, amount: Any = None) -> Obligation:
    """Set the due date (and for a payment, the agreed amount) of a drafted obligation."""
    agreement = obligation.agreement
    _require_draft(agreement, actor, _("修改履行义务"))
    _require_unsigned(agreement)
    if problem := _due_date_problem(due_on):
        raise ApplicationError(problem, fields={"due_on": [problem]})
    if obligation.is_payment and amount is not None:
        value = parse_amount(amount)
        if not value:
            raise ApplicationError(_("支付义务须填写大于0的金额。"), fields={"amount": [_("请填写金额。")]})
        obligation.amount = value
    obligation.due_on = due_on
    save_with_history(obligation, actor=actor, reason="set due date")
    return obligation


def obligation_remove(*, obligation: Obligation, actor: User) -> None:
    _require_draft(obligation.agreement, actor, _("修改履行义务"))
    _require_unsigned(obligation.agreement)
    delete_with_history(obligation, actor=actor, reason="remove obligation")


def agreement_sign(
    *,
    agreement: Agreement,
    actor: User,
    party: CaseParty,
    agent_name: str = "",
    agent_authority: str = "",
    signed_at: dt.datetime | None = None,
) -> AgreementSignature:
    """Record a party's signature. An agent signs only with special authority (特别授权)."""
    _require_draft(agreement, actor, _("记录协议签名"))
    if party.case_id != agreement.case_id or party.side == case_vocab.Side.THIRD_PARTY:
        raise ApplicationError(_("只有本案申请人、被申请人签署调解协议。"), fields={"party": [_("请选择本案当事人。")]})
    if agent_authority == vocab.AgentAuthority.GENERAL:
        raise ApplicationError(
            _("一般授权代理人无权签署调解协议，须由当事人本人或特别授权代理人签署。"),
            fields={"agent_authority": [_("须为特别授权。")]},
        )
    if agent_authority and not agent_name.strip():
        raise ApplicationError(_("请填写代理人姓名。"), fields={"agent_name": [_("请填写代理人姓名。")]})
    if agreement.signatures.filter(party=party).exists():
        raise ConflictError(_("%s 已经签名。") % party)
    signature = AgreementSignature(
        agreement=agreement,
        party=party,
        signed_at=signed_at or timezone.now(),
        agent_name=agent_name.strip(),
        agent_authority=agent_authority,
        recorded_by=actor,
    )
    save_with_history(signature, actor=actor, reason="sign")
    return signature


def agreement_mediator_sign(*, agreement: Agreement, actor: User, at: dt.datetime | None = None) -> Agreement:
    _require_draft(agreement, actor, _("签署调解协议"))
    if not is_mediator_of(actor, agreement.case):
        raise PermissionDeniedError(_("只有本案调解员可以在协议上签名。"))
    agreement.mediator_signed_by, agreement.mediator_signed_at = actor, at or timezone.now()
    save_with_history(agreement, actor=actor, reason="mediator signs")
    return agreement


def agreement_seal(*, agreement: Agreement, actor: User, at: dt.datetime | None = None) -> Agreement:
    """用印: the director approves the organisation's seal once every signature is there."""
    require_role(actor, agreement.case, (Role.DIRECTOR,), _("批准加盖印章"))
    if agreement.status != vocab.AgreementStatus.DRAFT:
        raise ConflictError(_("协议已生效或已作废。"))
    missing = signature_blockers(agreement)
    if missing:
        raise ApplicationError(_("加盖印章前须完成签名：%s。") % "；".join(missing))
    agreement.sealed_by, agreement.sealed_at = actor, at or timezone.now()
    save_with_history(agreement, actor=actor, reason="seal")
    return agreement


def signature_blockers(agreement: Agreement) -> list[str]:
    signed = set(agreement.signatures.values_list("party_id", flat=True))
    parties = agreement.case.parties.exclude(side=case_vocab.Side.THIRD_PARTY)
    missing = [_("%s 未签名") % p for p in parties if p.pk not in signed]
    if agreement.mediator_signed_at is None:
        missing.append(_("调解员未签名"))
    return missing


def effectiveness_blockers(case: Case) -> list[str]:
    """Everything that still keeps the agreement from taking effect, precisely."""
    agreement = live_agreement(case)
    if agreement is None:
        return [_("尚未拟定调解协议。")]
    problems = []
    obligations = list(agreement.obligations.all())
    if not obligations:
        problems.append(_("协议没有任何履行义务"))
    for obligation in obligations:
        if obligation.due_on is None:
            problems.append(_("“%s”未填写履行期限") % obligation.description)
        if obligation.is_payment and not obligation.amount:
            problems.append(_("“%s”未填写金额") % obligation.description)
    total = sum((o.amount or Decimal("0") for o in obligations if o.is_payment), Decimal("0"))
    if obligations and total <= 0 and all(o.is_payment for o in obligations):
        problems.append(_("协议金额为0且没有非金钱义务"))
    problems += signature_blockers(agreement)
    if agreement.sealed_at is None:
        problems.append(_("未加盖调解组织印章"))
    return [f"{p}。" if not p.endswith("。") else p for p in problems]


def case_make_effective(*, case: Case, actor: User, note: str = "", at: dt.datetime | None = None) -> Agreement:
    """协议生效: the agreement takes effect; clock E starts; follow-ups are planned at each
    obligation's due date + 3 days; the agreement is to be served on every party."""
    from mediation.services.service_of_documents import open_service_records

    result: dict[str, Agreement] = {}

    def prepare(locked: Case) -> dict[str, Any]:
        agreement = live_agreement(locked)
        if agreement is None:  # the guard checked it; a race would end here
            raise RuntimeError("no live agreement")
        when = at or timezone.now()
        agreement.status = vocab.AgreementStatus.EFFECTIVE
        agreement.effective_at = when
        agreement.judicial_confirmation_due_on = deadlines.add_calendar_days(timezone.localdate(when), 30)
        save_with_history(agreement, actor=actor, reason="effective")
        for obligation in agreement.obligations.all():
            follow_up = FollowUp(
                case=locked,
                obligation=obligation,
                purpose=vocab.FollowUpPurpose.INSTALMENT,
                planned_on=(obligation.due_on or timezone.localdate(when))
                + dt.timedelta(days=FOLLOW_UP_AFTER_DUE_DAYS),
            )
            save_with_history(follow_up, actor=actor, reason="planned at agreement")
        open_service_records(locked, actor, vocab.DocumentCode.D10, all_parties=True)
        result["agreement"] = agreement
        agreed = sum((o.amount or Decimal("0") for o in agreement.obligations.all()), Decimal("0"))
        return {"agreement": agreement.pk, "amount_agreed": format_yuan(agreed)}

    case_transition(case=case, actor=actor, name="make_effective", reason=note, prepare=prepare, at=at)
    return result["agreement"]


def case_reopen_negotiation(*, case: Case, actor: User, reason: str, at: dt.datetime | None = None) -> Case:
    """A party declined to sign: the draft is void and mediation goes on."""

    def prepare(locked: Case) -> None:
        agreement = live_agreement(locked)
        if agreement is not None:
            agreement.status = vocab.AgreementStatus.VOID
            agreement.void_reason = reason
            save_with_history(agreement, actor=actor, reason="void")

    return case_transition(case=case, actor=actor, name="reopen_negotiation", reason=reason, prepare=prepare, at=at)
