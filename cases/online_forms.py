"""Forms of the public pages (/apply/, /apply/status/) and of the consultation log. They
parse what was typed; cases.online and cases.consultations decide what is valid."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from cases import online, vocab
from cases.intake_forms import _blank_first

#: Applicant-facing keys of the service's field messages -> the form's field names.
APPLICATION_FIELDS = {
    "organization": "organization",
    "applicant.name": "applicant_name",
    "applicant.id_number": "id_number",
    "applicant.phone": "phone",
    "applicant.address": "address",
    "employer.name": "employer_name",
    "employer.uscc": "employer_uscc",
    "dispute_type": "dispute_type",
    "facts": "facts",
    **{f"consents.{key}": key for key in (*online.REQUIRED_CONSENTS, *online.OPTIONAL_CONSENTS)},
}


class PublicApplicationForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("向哪个调解中心申请"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("——请选择——"),
    )
    applicant_name = forms.CharField(label=_("申请人姓名"), required=False, max_length=50)
    id_number = forms.CharField(label=_("居民身份证号码"), required=False, max_length=30)
    phone = forms.CharField(
        label=_("联系电话"), required=False, max_length=30, help_text=_("查询办理进度时需要此号码的后4位。")
    )
    address = forms.CharField(label=_("送达地址"), required=False, max_length=200)
    employer_name = forms.CharField(label=_("用人单位名称"), required=False, max_length=200)
    employer_uscc = forms.CharField(
        label=_("统一社会信用代码"), required=False, max_length=30, help_text=_("可不填；见营业执照。")
    )
    dispute_type = forms.CharField(
        label=_("争议类型"), required=False, widget=forms.Select(choices=_blank_first(vocab.DisputeType.choices))
    )
    facts = forms.CharField(
        label=_("事实与理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": online.MAX_FACTS}),
        help_text=_("何时入职、岗位、发生了什么、您希望如何解决。"),
    )
    evidence_1 = forms.FileField(label=_("证据材料1"), required=False)
    evidence_2 = forms.FileField(label=_("证据材料2"), required=False)
    evidence_3 = forms.FileField(label=_("证据材料3"), required=False)
    # Declarations (DOMAIN.md §8 D1); labels from cases.online.
    pipl_notice = forms.BooleanField(label=online.REQUIRED_CONSENTS["pipl_notice"], required=False)
    voluntary = forms.BooleanField(label=online.REQUIRED_CONSENTS["voluntary"], required=False)
    truthful = forms.BooleanField(label=online.REQUIRED_CONSENTS["truthful"], required=False)
    e_service = forms.BooleanField(label=online.OPTIONAL_CONSENTS["e_service"], required=False)
    transfer_court = forms.BooleanField(label=online.OPTIONAL_CONSENTS["transfer_court"], required=False)
    transfer_arbitration = forms.BooleanField(label=online.OPTIONAL_CONSENTS["transfer_arbitration"], required=False)
    transfer_inspection = forms.BooleanField(label=online.OPTIONAL_CONSENTS["transfer_inspection"], required=False)
    # Anti-abuse: a field people do not see (bots fill it) and the signed time the form was shown.
    website = forms.CharField(label=_("网址"), required=False)
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["organization"])
        field.queryset = Organization.objects.filter(active=True).order_by("level", "code")
        field.error_messages["invalid_choice"] = _("请选择列表中的调解中心。")

    #: The file fields that carried a file, in order: the service numbers them from 0.
    evidence_names: list[str]

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        self.evidence_names = [name for name in ("evidence_1", "evidence_2", "evidence_3") if data.get(name)]
        return {
            "organization": data.get("organization"),
            "applicant": {key: data.get(field) for key, field in _APPLICANT.items()},
            "employer": {"name": data.get("employer_name"), "uscc": data.get("employer_uscc")},
            "dispute_type": data.get("dispute_type") or "",
            "facts": data.get("facts") or "",
            "evidence": [data[name] for name in self.evidence_names],
            "consents": {key: bool(data.get(key)) for key in (*online.REQUIRED_CONSENTS, *online.OPTIONAL_CONSENTS)},
        }

    @property
    def consent_fields(self) -> list[Any]:
        return [self[key] for key in (*online.REQUIRED_CONSENTS, *online.OPTIONAL_CONSENTS)]


_APPLICANT = {"name": "applicant_name", "id_number": "id_number", "phone": "phone", "address": "address"}


class ClaimRowForm(forms.Form):
    claim_type = forms.CharField(
        label=_("请求类型"), required=False, widget=forms.Select(choices=_blank_first(vocab.ClaimType.choices))
    )
    description = forms.CharField(label=_("请求内容"), required=False, max_length=300)
    amount = forms.CharField(label=_("金额（元）"), required=False, max_length=30)

    def is_blank(self) -> bool:
        return not any(str(value or "").strip() for value in self.cleaned_data.values())


ClaimRowFormSet = forms.formset_factory(ClaimRowForm, extra=online.MAX_CLAIMS, max_num=online.MAX_CLAIMS)


class StatusLookupForm(forms.Form):
    tracking_code = forms.CharField(label=_("查询码"), max_length=30, required=False)
    phone_last4 = forms.CharField(label=_("联系电话后4位"), max_length=4, required=False)


class ConsultationForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("调解组织"), queryset=Organization.objects.none(), empty_label=_("——请选择——")
    )
    channel = forms.CharField(
        label=_("咨询渠道"),
        required=False,
        widget=forms.Select(choices=_blank_first(vocab.ConsultationChannel.choices)),
    )
    date = forms.DateField(label=_("咨询日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    topic = forms.CharField(label=_("咨询事项"), required=False, max_length=100)
    dispute_type = forms.CharField(
        label=_("争议类型"), required=False, widget=forms.Select(choices=_blank_first(vocab.DisputeType.choices))
    )
    caller_name = forms.CharField(label=_("咨询人（可不填）"), required=False, max_length=50)
    reference = forms.CharField(label=_("工单号（可不填）"), required=False, max_length=80)
    note = forms.CharField(label=_("情况记录"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, organizations: Sequence[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["organization"])
        field.queryset = Organization.objects.filter(pk__in=[o.pk for o in organizations]).order_by("level", "code")
        if len(organizations) == 1:
            self.fields["organization"].initial = organizations[0].pk
