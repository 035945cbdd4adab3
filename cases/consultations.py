"""Consultations (咨询, DOMAIN.md §3 step 0; docs/intake.md): logged by the clerk or mediator
who answered, listed within the user's scope, converted into a draft case in one step and
counted in the statistics (`consultation_stats`: database aggregates by channel and month).

IMPORT_FORMAT.md fixes the JSON of `case_stats` and has no consultation figure, so the
consultation figures are a selector and an endpoint of their own
(`GET /api/v1/consultations/stats/`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import active_memberships, can_write_cases_of, organizations_in_scope
from accounts.models import CASE_WRITER_ROLES, Organization, User
from cases import services, vocab
from cases.models import Case, Consultation
from core.exceptions import ApplicationError, ConflictError, PermissionDeniedError
from core.history import save_with_history

# --- who may use the log -----------------------------------------------------------------------------


def consultation_access_check(*, user: Any, write: bool = False) -> None:
    """The consultation log is the centre's own record: its clerks, mediators and directors log
    and convert, its auditors read; liaisons of partner agencies and administrators neither
    read nor write it (403). Checked before the request's content, so the refusal does not
    depend on what was sent; which organisation is then a matter of scope (404 outside it)."""
    if write:
        allowed = any(m.role in CASE_WRITER_ROLES and m.organization_id for m in active_memberships(user))
    else:
        allowed = bool(organizations_in_scope(user))
    if not allowed:
        raise PermissionDeniedError(
            _("只有调解组织的书记员、调解员和中心主任可以登记咨询。")
            if write
            else _("只有调解组织的工作人员可以查看咨询记录。")
        )


# --- writes ----------------------------------------------------------------------------------------


def consultation_log(
    *,
    actor: User,
    organization: Organization,
    channel: str,
    topic: str,
    date: dt.date | None = None,
    dispute_type: str = "",
    caller_name: str = "",
    reference: str = "",
    note: str = "",
) -> Consultation:
    """Record a consultation answered by `actor` (clerk, mediator or director of the centre)."""
    if not can_write_cases_of(actor, organization):
        raise PermissionDeniedError(_("您没有在“%s”登记咨询的权限。") % organization.name)
    errors: dict[str, list[str]] = {}
    topic = (topic or "").strip()
    if channel not in vocab.ConsultationChannel.values:
        errors["channel"] = [_("请选择咨询渠道。")]
    if not topic:
        errors["topic"] = [_("请填写咨询事项。")]
    elif len(topic) > 100:
        errors["topic"] = [_("咨询事项不能超过100个字。")]
    if dispute_type and dispute_type not in vocab.DisputeType.values:
        errors["dispute_type"] = [_("请选择争议类型。")]
    date = date or timezone.localdate()
    if date > timezone.localdate():
        errors["date"] = [_("咨询日期不能晚于今天。")]
    if len(caller_name or "") > 50:
        errors["caller_name"] = [_("咨询人姓名不能超过50个字。")]
    if len(reference or "") > 80:
        errors["reference"] = [_("工单号不能超过80个字符。")]
    if errors:
        raise ApplicationError(_("咨询记录有误，请按提示修改。"), fields=errors)
    consultation = Consultation(
        organization=organization,
        channel=channel,
        topic=topic,
        dispute_type=dispute_type,
        date=date,
        caller_name=(caller_name or "").strip(),
        reference=(reference or "").strip(),
        note=(note or "").strip(),
        handled_by=actor,
    )
    save_with_history(consultation, actor=actor, reason="log consultation")
    return consultation


def consultation_convert(*, consultation: Consultation, actor: User, dispute_type: str = "") -> Case:
    """转为案件: a draft case with the consultation's dispute type, the source of its channel
    and its note as the facts; the caller (when named) becomes the applicant. Linked both
    ways; a consultation is converted once."""
    with transaction.atomic():
        locked = Consultation.objects.select_for_update().select_related("organization").get(pk=consultation.pk)
        if locked.converted_case_id is not None:
            raise ConflictError(_("该咨询已转为案件，不能重复转换。"))
        source, channel = vocab.CONSULTATION_CASE_SOURCE[locked.channel]
        facts = "\n".join(part for part in (locked.topic, locked.note) if part)
        case = services.case_create(
            actor=actor,
            organization=locked.organization,
            dispute_type=dispute_type or locked.dispute_type,
            source=source,
            channel=channel,
            facts_summary=facts,
            source_reference=locked.reference or _("咨询记录 %s") % locked.pk,
        )
        if locked.caller_name:
            person = services.person_get_or_create(actor=actor, name=locked.caller_name)
            services.case_party_add(case=case, actor=actor, side=vocab.Side.APPLICANT, person=person)
        locked.converted_case = case
        save_with_history(locked, actor=actor, reason="converted to case", update_fields=["converted_case"])
    return case


# --- reads -------------------------------------------------------------------------------------------


def consultation_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Consultation]:
    """Consultations of the organisations the user reads, newest first."""
    filters = filters or {}
    org_ids = [org.pk for org in organizations_in_scope(user)]
    qs = Consultation.objects.filter(organization_id__in=org_ids).select_related(
        "organization", "handled_by", "converted_case"
    )
    if filters.get("organization"):
        qs = qs.filter(organization__code=filters["organization"])
    if filters.get("channel"):
        qs = qs.filter(channel=filters["channel"])
    if filters.get("date_from"):
        qs = qs.filter(date__gte=filters["date_from"])
    if filters.get("date_to"):
        qs = qs.filter(date__lte=filters["date_to"])
    return qs.order_by("-date", "-id")


def consultation_get_for_user(*, consultation_id: Any, user: Any, for_write: bool = False) -> Consultation:
    """404 outside the user's scope; 403 for a read-only role asked to write."""
    try:
        pk = int(consultation_id)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    consultation = consultation_list(user=user).filter(pk=pk).first()
    if consultation is None:
        raise Http404
    if for_write and not can_write_cases_of(user, consultation.organization):
        raise PermissionDeniedError(_("您的角色只能查看，不能修改。"))
    return consultation


def consultation_stats(
    *, organization: Organization, date_from: dt.date, date_to: dt.date, include_children: bool = False
) -> dict[str, Any]:
    """Consultations of one organisation (optionally with its sub-organisations) in a period,
    by date of the consultation: totals, converted to cases, by channel and by month. Two
    grouped aggregates whatever the number of consultations."""
    org_ids = organization.subtree_ids() if include_children else [organization.pk]
    rows = Consultation.objects.filter(organization_id__in=org_ids, date__gte=date_from, date__lte=date_to)
    channels = list(vocab.ConsultationChannel.values)
    by_channel = dict.fromkeys(channels, 0)
    totals = rows.aggregate(total=Count("id"), converted=Count("id", filter=Q(converted_case__isnull=False)))
    for row in rows.order_by().values("channel").annotate(n=Count("id")):
        by_channel[row["channel"]] = row["n"]
    by_month: dict[str, dict[str, Any]] = {}
    monthly = rows.order_by().annotate(month=TruncMonth("date")).values("month", "channel").annotate(n=Count("id"))
    for row in monthly.order_by("month", "channel"):
        key = f"{row['month']:%Y-%m}"
        entry = by_month.setdefault(key, {"total": 0, "by_channel": dict.fromkeys(channels, 0)})
        entry["total"] += row["n"]
        entry["by_channel"][row["channel"]] = row["n"]
    return {
        "organization": organization.code,
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "consultations": totals["total"],
        "converted_to_cases": totals["converted"],
        "by_channel": by_channel,
        "by_month": by_month,
    }
