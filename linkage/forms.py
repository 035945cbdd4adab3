"""Forms of the linkage screens. They only parse what the user typed; the services decide
whether it is allowed (a type that is not offered is refused by linkage.services with its
reason, not by the form)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AgencyKind, PartnerAgency
from cases.models import Case
from linkage import vocab
from mediation.forms import PLEASE_CHOOSE, date_input
from mediation.models import Obligation


def _choices(choices: Any) -> list[tuple[str, Any]]:
    return [("", PLEASE_CHOOSE), *choices]


def district_agencies(case: Case) -> QuerySet[PartnerAgency]:
    """Active partner agencies of the case's district (a transfer goes to no other)."""
    return PartnerAgency.objects.filter(district_id__in=case.organization.ancestor_ids(), active=True).order_by(
        "kind", "name"
    )


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class TransferForm(forms.Form):
    transfer_type = forms.ChoiceField(label=_("移送类型"), choices=_choices(vocab.TransferType.choices))
    agency = AgencyChoiceField(label=_("联动单位"), queryset=PartnerAgency.objects.none())
    reason = forms.CharField(
        label=_("移送事由"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("写入移送函：当事人申请的事项、调解情况及移送的理由。"),
    )
    worker_consent_on = forms.DateField(
        label=_("劳动者同意日期"),
        required=False,
        widget=date_input(),
        help_text=_("转法律援助须征得劳动者同意：填写劳动者同意的日期。"),
    )

    def __init__(self, *args: Any, case: Case, offered: list[str], transfer_type: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        type_field = cast(forms.ChoiceField, self.fields["transfer_type"])
        # Every type parses, so that a type not offered reaches the service and its reason;
        # the select shows only the offered ones.
        type_field.widget.choices = _choices((t.value, t.label) for t in vocab.TransferType if t.value in offered)
        if transfer_type and transfer_type != vocab.TransferType.LEGAL_AID:
            del self.fields["worker_consent_on"]  # asked only for a legal aid referral
        agency_field = cast(forms.ModelChoiceField, self.fields["agency"])
        agency_field.queryset = district_agencies(case)
        kind = vocab.AGENCY_KIND_OF_TYPE.get(vocab.TransferType(transfer_type)) if transfer_type else None
        if kind is not None:
            matching = district_agencies(case).filter(kind=kind)
            agency_field.widget.choices = _choices((a.pk, a.name) for a in matching)
            agency_field.help_text = _("仅列出本区的%s。") % AgencyKind(kind).label
            if len(matching) == 1 and not self.is_bound:
                self.initial.setdefault("agency", matching[0].pk)


class ApproveForm(forms.Form):
    """Approval of the letter: nothing to type."""


class SendForm(forms.Form):
    sent_on = forms.DateField(label=_("移送日期"), widget=date_input())
    channel = forms.ChoiceField(label=_("移送方式"), choices=_choices(vocab.SendChannel.choices))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "send")
        kwargs.setdefault("initial", {"sent_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class AcknowledgeForm(forms.Form):
    external_number = forms.CharField(
        label=_("本单位案号"),
        required=False,
        max_length=80,
        help_text=_("如（2026）京0115民特123号；尚未立案的可以不填，反馈结果时再填。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "ack")
        super().__init__(*args, **kwargs)


class ObligationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        amount = f"（{obj.amount}元）" if obj.amount is not None else ""
        return f"{obj.description}{amount}"


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("处理结果"), choices=_choices(vocab.TransferOutcome.choices))
    outcome_on = forms.DateField(label=_("结果日期"), widget=date_input())
    external_number = forms.CharField(label=_("本单位案号"), required=False, max_length=80)
    note = forms.CharField(label=_("结果说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    amount_recovered = forms.DecimalField(
        label=_("挽回金额（元）"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("经本单位为劳动者实际追回的款项；不填表示没有。"),
    )
    obligation = ObligationChoiceField(
        label=_("对应的协议义务"),
        queryset=Obligation.objects.none(),
        required=False,
        empty_label=_("——不登记挽回金额——"),
        help_text=_("挽回金额记入调解协议中这一项付款义务的履行。"),
    )

    def __init__(self, *args: Any, obligations: QuerySet[Obligation] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "outcome")
        kwargs.setdefault("initial", {"outcome_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        if obligations is None:
            del self.fields["amount_recovered"], self.fields["obligation"]
        else:
            cast(forms.ModelChoiceField, self.fields["obligation"]).queryset = obligations


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("退回理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如：不属于本院管辖、材料不全（请列明所缺材料）。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "return")
        super().__init__(*args, **kwargs)


class ReferralReportForm(forms.Form):
    reported_on = forms.DateField(label=_("反馈日期"), widget=date_input())
    channel = forms.ChoiceField(label=_("反馈方式"), choices=_choices(vocab.ReportChannel.choices))
    summary = forms.CharField(
        label=_("反馈内容"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("调解结果：达成协议的，写明协议主要内容及履行情况；未达成的，写明原因。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"reported_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class PeriodForm(forms.Form):
    date_from = forms.DateField(label=_("起始日期"), widget=date_input())
    date_to = forms.DateField(label=_("截止日期"), widget=date_input())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and start > end:
            raise forms.ValidationError(_("起始日期不能晚于截止日期。"))
        return data
