"""Forms of the mediation screens. They only parse what the user typed (types, dates, the
uploaded file); the services decide whether it is allowed."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from accounts.selectors import staff_of
from cases import vocab as case_vocab
from cases.models import Case, CaseParty
from core.uploads import evidence_problem
from mediation import vocab
from mediation.models import Room


def date_input() -> forms.DateInput:
    """An HTML date input; its value must be ISO whatever the locale's display format."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


PLEASE_CHOOSE = _("——请选择——")


def _choices(choices: Any, empty: Any = PLEASE_CHOOSE) -> list[tuple[str, Any]]:
    return [("", empty), *choices]


def _parties(case: Case, *, with_third_parties: bool = True) -> QuerySet[CaseParty]:
    parties = case.parties.select_related("person", "employer")
    if not with_third_parties:
        parties = parties.exclude(side=case_vocab.Side.THIRD_PARTY)
    return parties


class PartyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_side_display()} {obj.name}"


class LocalDateTimeField(forms.DateTimeField):
    """An HTML datetime-local input, read as a time in Asia/Shanghai (settings.TIME_ZONE)
    whatever timezone happens to be active."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]

    def to_python(self, value: Any) -> dt.datetime | None:
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None
            for fmt in self.input_formats:
                try:
                    naive = dt.datetime.strptime(value, fmt)  # noqa: DTZ007 - made aware on the next line
                except ValueError:
                    continue
                return naive.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


# --- sessions -------------------------------------------------------------------------------


class SessionForm(forms.Form):
    kind = forms.ChoiceField(label=_("调解方式"), choices=_choices(vocab.SessionKind.choices), required=False)
    starts_at = LocalDateTimeField(label=_("开始时间"))
    ends_at = LocalDateTimeField(label=_("结束时间"))
    mediators = forms.ModelMultipleChoiceField(
        label=_("调解员"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )
    room = forms.ModelChoiceField(
        label=_("调解室"), queryset=Room.objects.none(), required=False, empty_label=_("——不使用调解室——")
    )
    place = forms.CharField(
        label=_("其他地点"), required=False, max_length=200, help_text=_("现场调解或在调解室以外进行时填写。")
    )
    clerk = forms.ModelChoiceField(
        label=_("记录人（书记员）"), queryset=User.objects.none(), required=False, empty_label=_("——不指定——")
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = self.fields
        cast(forms.ModelMultipleChoiceField, fields["mediators"]).queryset = staff_of(
            organization=case.organization, role=Role.MEDIATOR
        )
        cast(forms.ModelChoiceField, fields["clerk"]).queryset = staff_of(
            organization=case.organization, role=Role.CLERK
        )
        rooms = Room.objects.filter(organization_id__in=case.organization.ancestor_ids(), active=True)
        cast(forms.ModelChoiceField, fields["room"]).queryset = rooms.select_related("organization").order_by(
            "organization__level", "name"
        )


class CancelSessionForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AttendanceForm(forms.Form):
    party = PartyChoiceField(
        label=_("对应当事人"),
        queryset=CaseParty.objects.none(),
        required=False,
        empty_label=_("——非当事人（代理人、证人等）——"),
    )
    name = forms.CharField(label=_("姓名"), required=False, max_length=50, help_text=_("选择当事人时可不填。"))
    capacity = forms.ChoiceField(label=_("身份"), choices=_choices(vocab.Capacity.choices), required=False)
    identity_checked = forms.BooleanField(label=_("已核对身份证件"), required=False)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "attendance")
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["party"]).queryset = _parties(case)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        party = data.get("party")
        if party is not None and not (data.get("name") or "").strip():
            data["name"] = party.name
        return data


class AttendanceSignForm(forms.Form):
    decision = forms.ChoiceField(choices=[("sign", _("签名")), ("refuse", _("拒绝签名"))])
    refusal_note = forms.CharField(label=_("拒签情况"), required=False, max_length=200)


class TranscriptForm(forms.Form):
    """One textarea per part of the transcript (调解笔录), in the order of BlockKind."""

    def __init__(self, *args: Any, initial_blocks: dict[str, str] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "transcript")
        super().__init__(*args, **kwargs)
        for kind, label in vocab.BlockKind.choices:
            self.fields[kind] = forms.CharField(
                label=label,
                required=False,
                initial=(initial_blocks or {}).get(kind, ""),
                widget=forms.Textarea(attrs={"rows": 4}),
            )

    def blocks(self) -> list[tuple[str, str]]:
        return [(kind, self.cleaned_data.get(kind, "")) for kind in vocab.BlockKind.values]


# --- extension ------------------------------------------------------------------------------


class ExtensionRequestForm(forms.Form):
    days = forms.IntegerField(label=_("延期天数"), min_value=1, max_value=15)
    reason = forms.CharField(label=_("延期理由"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    applicant_consent_on = forms.DateField(label=_("申请人同意日期"), widget=date_input())
    respondent_consent_on = forms.DateField(label=_("被申请人同意日期"), widget=date_input())


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}))


class ConfirmForm(forms.Form):
    """A transition that needs nothing but the user's confirmation."""


# --- agreement ------------------------------------------------------------------------------


class TermsForm(forms.Form):
    terms = forms.CharField(
        label=_("协议条款"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("每条条款一段，条款之间空一行。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "terms")
        super().__init__(*args, **kwargs)

    def clauses(self) -> list[str]:
        text = self.cleaned_data.get("terms", "").replace("\r\n", "\n")
        return [clause.strip() for clause in re.split(r"\n\s*\n", text) if clause.strip()]


class ObligationForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=_choices(vocab.ObligationKind.choices), required=False)
    obligor = PartyChoiceField(label=_("义务人"), queryset=CaseParty.objects.none(), empty_label=_("——请选择——"))
    obligee = PartyChoiceField(label=_("权利人"), queryset=CaseParty.objects.none(), empty_label=_("——请选择——"))
    description = forms.CharField(label=_("义务内容"), required=False, max_length=300)
    amount = forms.CharField(label=_("金额（元）"), required=False, help_text=_("非金钱义务不填。"))
    due_on = forms.DateField(label=_("履行期限"), required=False, widget=date_input())

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "obligation")
        super().__init__(*args, **kwargs)
        for name in ("obligor", "obligee"):
            cast(forms.ModelChoiceField, self.fields[name]).queryset = _parties(case)


class ObligationDueForm(forms.Form):
    due_on = forms.DateField(label=_("履行期限"), widget=date_input())
    amount = forms.CharField(label=_("金额（元）"), required=False)

    def __init__(self, *args: Any, obligation_id: int, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"due-{obligation_id}")
        super().__init__(*args, **kwargs)


class SignatureForm(forms.Form):
    party = PartyChoiceField(label=_("签署的当事人"), queryset=CaseParty.objects.none(), empty_label=_("——请选择——"))
    agent_authority = forms.ChoiceField(
        label=_("签署方式"), choices=vocab.AgentAuthority.choices, required=False, initial=""
    )
    agent_name = forms.CharField(label=_("代理人姓名"), required=False, max_length=50)

    def __init__(self, *args: Any, case: Case, signed_ids: set[int] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "signature")
        super().__init__(*args, **kwargs)
        parties = _parties(case, with_third_parties=False).exclude(pk__in=signed_ids or set())
        cast(forms.ModelChoiceField, self.fields["party"]).queryset = parties


# --- performance ----------------------------------------------------------------------------


def _check_evidence(upload: UploadedFile) -> UploadedFile:
    problem = evidence_problem(upload)
    if problem:
        raise forms.ValidationError(problem, code="file_type")
    return upload


class PaymentForm(forms.Form):
    amount = forms.CharField(label=_("金额（元）"), required=False)
    paid_on = forms.DateField(label=_("支付日期"), widget=date_input())
    method = forms.ChoiceField(label=_("支付方式"), choices=_choices(vocab.PaymentMethod.choices), required=False)
    channel = forms.ChoiceField(
        label=_("挽回渠道"), choices=vocab.RecoveryChannel.choices, initial=vocab.RecoveryChannel.AGREEMENT
    )
    evidence = forms.FileField(
        label=_("付款凭证"),
        required=False,
        help_text=_("PDF、JPG 或 PNG，不超过 10 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=200)

    def clean_evidence(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("evidence")
        return _check_evidence(upload) if upload else None


class PerformedForm(forms.Form):
    performed_on = forms.DateField(label=_("履行日期"), widget=date_input())


class FollowUpForm(forms.Form):
    method = forms.ChoiceField(label=_("回访方式"), choices=_choices(vocab.ContactMethod.choices), required=False)
    reached = forms.CharField(label=_("回访对象"), required=False, max_length=100)
    performance_status = forms.ChoiceField(
        label=_("履行情况"), choices=_choices(vocab.PerformanceStatus.choices), required=False
    )
    amount_confirmed = forms.CharField(label=_("确认已收金额（元）"), required=False)
    satisfaction = forms.ChoiceField(
        label=_("满意度"), choices=_choices(vocab.Satisfaction.choices, _("——未询问——")), required=False
    )
    risks = forms.CharField(label=_("新的风险"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    notes = forms.CharField(label=_("回访记录"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


# --- service of documents -------------------------------------------------------------------


class ServiceOpenForm(forms.Form):
    document = forms.ChoiceField(label=_("文书"), choices=_choices(vocab.DocumentCode.choices), required=False)
    recipient = PartyChoiceField(label=_("受送达人"), queryset=CaseParty.objects.none(), empty_label=_("——请选择——"))

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["recipient"]).queryset = _parties(case)


class ServeForm(forms.Form):
    method = forms.ChoiceField(label=_("送达方式"), choices=_choices(vocab.ServiceMethod.choices), required=False)
    served_on = forms.DateField(label=_("送达日期"), widget=date_input())
    tracking_number = forms.CharField(label=_("邮件单号"), required=False, max_length=40)
    witness = forms.CharField(label=_("见证人"), required=False, max_length=100)
    note = forms.CharField(label=_("备注"), required=False, max_length=200)


class UndeliverableForm(forms.Form):
    note = forms.CharField(label=_("无法送达的原因"), required=False, max_length=200)
