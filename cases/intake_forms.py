"""Forms of the 登记申请 page. They only parse what the clerk typed: every field is text
(or a select that may be left blank) and cases.intake.case_intake decides what is valid."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from cases import vocab

APPLICANT_ROWS = 3
CLAIM_ROWS = 4


def _blank_first(choices: Sequence[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", _("——请选择——")), *choices]


class CaseIntakeForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("调解组织"), queryset=Organization.objects.none(), empty_label=_("——请选择——")
    )
    channel = forms.CharField(
        label=_("申请方式"),
        required=False,
        initial=vocab.Channel.WRITTEN,
        widget=forms.Select(choices=_blank_first(vocab.Channel.choices)),
    )
    source = forms.CharField(
        label=_("案件来源"),
        required=False,
        initial=vocab.CaseSource.WALK_IN_WRITTEN,
        widget=forms.Select(choices=_blank_first(vocab.CaseSource.choices)),
    )
    source_reference = forms.CharField(
        label=_("来源编号"), required=False, max_length=80, help_text=_("转办单号、委派函号等，没有可不填。")
    )
    referring_body = forms.CharField(label=_("委派/转办单位"), required=False, max_length=100)
    dispute_type = forms.CharField(
        label=_("争议类型"), required=False, widget=forms.Select(choices=_blank_first(vocab.DisputeType.choices))
    )
    workers_involved = forms.CharField(
        label=_("涉及职工人数"),
        required=False,
        initial="1",
        widget=forms.NumberInput(attrs={"min": 1}),
        help_text=_("10人及以上按集体争议办理。"),
    )
    facts_summary = forms.CharField(label=_("事实与理由"), required=False, widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args: Any, organizations: Sequence[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["organization"])
        field.queryset = Organization.objects.filter(pk__in=[o.pk for o in organizations]).order_by("level", "code")
        if len(organizations) == 1:
            self.fields["organization"].initial = organizations[0].pk

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        raw = (data.get("workers_involved") or "").strip()
        try:
            data["workers_involved"] = int(raw)
        except ValueError:
            data["workers_involved"] = raw  # the service says what is wrong with it
        return data


class _RowForm(forms.Form):
    def is_blank(self) -> bool:
        return not any(str(value or "").strip() for value in self.cleaned_data.values())

    def service_data(self) -> dict[str, Any]:
        return {key: str(value or "").strip() for key, value in self.cleaned_data.items()}


class ApplicantForm(_RowForm):
    name = forms.CharField(label=_("姓名"), required=False, max_length=50)
    id_number = forms.CharField(label=_("身份证号"), required=False, max_length=30)
    phone = forms.CharField(label=_("电话"), required=False, max_length=30)
    address = forms.CharField(label=_("地址"), required=False, max_length=200)


class RespondentForm(_RowForm):
    name = forms.CharField(label=_("单位名称"), required=False, max_length=200)
    uscc = forms.CharField(label=_("统一社会信用代码"), required=False, max_length=30)
    legal_rep_name = forms.CharField(label=_("法定代表人/负责人"), required=False, max_length=50)
    registered_address = forms.CharField(label=_("住所"), required=False, max_length=200)
    contact_name = forms.CharField(label=_("联系人"), required=False, max_length=50)
    contact_phone = forms.CharField(label=_("联系电话"), required=False, max_length=30)


class ClaimForm(_RowForm):
    claim_type = forms.CharField(
        label=_("类型"), required=False, widget=forms.Select(choices=_blank_first(vocab.ClaimType.choices))
    )
    description = forms.CharField(label=_("请求内容"), required=False, max_length=300)
    amount = forms.CharField(label=_("金额（元）"), required=False, max_length=30)

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        data["amount"] = data["amount"] or None
        return data


ApplicantFormSet = forms.formset_factory(ApplicantForm, extra=APPLICANT_ROWS, max_num=APPLICANT_ROWS)
ClaimFormSet = forms.formset_factory(ClaimForm, extra=CLAIM_ROWS, max_num=CLAIM_ROWS)
