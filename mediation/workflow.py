"""What the mediation work adds to the case state machine: guards, effects and clock E.
Registered from MediationConfig.ready(), so `cases` never imports this app."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from cases import deadlines
from cases.models import Case, Clock
from cases.services import SWEEP_RULES
from cases.workflow import register_effect, register_guard
from mediation import vocab
from mediation.models import Agreement, Transcript
from mediation.services.agreements import effectiveness_blockers
from mediation.services.performance import non_performance_blockers, performance_blockers
from mediation.services.service_of_documents import closure_service_blockers, open_service_records
from mediation.services.sessions import cancel_future_sessions, pending_extension

JUDICIAL_CONFIRMATION_REMINDERS = ((Clock.E20, 20), (Clock.E27, 27))


def _first(messages: list[str]) -> str | None:
    return " ".join(messages) or None


@register_guard("start")
def _has_a_session(case: Case) -> str | None:
    if case.sessions.exclude(status=vocab.SessionStatus.CANCELLED).exists():
        return None
    return _("开始调解须先安排调解会议。")


@register_guard("extend")
def _extension_allowed(case: Case) -> str | None:
    extension = pending_extension(case)
    if extension is None:
        return _("没有待审批的延期申请（须有双方当事人同意）。")
    if case.mediation_due_on is None or timezone.localdate() > case.mediation_due_on:
        return _("调解期限（%s）已届满，不能再延期。") % case.mediation_due_on
    if case.extension_days + extension.days > deadlines.MAX_EXTENSION_DAYS:
        return _("延期累计不能超过15天（已延期%d天）。") % case.extension_days
    return None


@register_guard("draft_agreement")
def _has_a_completed_transcript(case: Case) -> str | None:
    if Transcript.objects.filter(session__case=case, completed_at__isnull=False).exists():
        return None
    return _("拟定协议前须至少有一份已完成（已宣读并签名）的调解笔录。")


@register_guard("make_effective")
def _agreement_complete(case: Case) -> str | None:
    return _first(effectiveness_blockers(case))


@register_guard("reopen_negotiation")
def _still_within_period(case: Case) -> str | None:
    if case.mediation_due_on is not None and timezone.localdate() > case.mediation_due_on:
        return _("调解期限已届满，不能重新协商；请终止调解。")
    return None


@register_guard("confirm_performance")
def _all_performed(case: Case) -> str | None:
    return _first(performance_blockers(case))


@register_guard("record_non_performance")
def _overdue_and_reminded(case: Case) -> str | None:
    return _first(non_performance_blockers(case))


@register_guard("submit_closure")
def _documents_served(case: Case) -> str | None:
    return _first(closure_service_blockers(case))


@register_effect("reject")
def _serve_rejection_notice(case: Case, actor: Any, at: dt.datetime) -> None:
    open_service_records(case, actor, vocab.DocumentCode.D6, all_parties=False)


@register_effect("terminate")
def _serve_termination_notice(case: Case, actor: Any, at: dt.datetime) -> None:
    open_service_records(case, actor, vocab.DocumentCode.D11, all_parties=True)


@register_effect("make_effective")
@register_effect("terminate")
@register_effect("withdraw")
def _free_future_sessions(case: Case, actor: Any, at: dt.datetime) -> None:
    cancel_future_sessions(case, actor, at)


def judicial_confirmation_reminders(today: dt.date) -> Iterable[tuple[Case, str, dt.date]]:
    """Clock E: reminders at day 20 and 27 of the 30-day window (人民调解法 Art 33)."""
    live = Agreement.objects.filter(
        status=vocab.AgreementStatus.EFFECTIVE, judicial_confirmation_due_on__gte=today
    ).select_related("case")
    for agreement in live:
        if agreement.effective_at is None or agreement.judicial_confirmation_due_on is None:
            continue
        effective = timezone.localdate(agreement.effective_at)
        for clock, day in JUDICIAL_CONFIRMATION_REMINDERS:
            if today >= effective + dt.timedelta(days=day):
                yield agreement.case, clock, agreement.judicial_confirmation_due_on


def register() -> None:
    if judicial_confirmation_reminders not in SWEEP_RULES:
        SWEEP_RULES.append(judicial_confirmation_reminders)
