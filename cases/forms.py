"""Forms for the transition dialogs. They only parse input; the services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.lawyers import lawyer_suggest
from accounts.models import Role, User
from accounts.selectors import staff_of
from cases import vocab
from cases.models import Case
from cases.workflow import Status


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ReasonRequiredForm(forms.Form):
    note = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}))


class ReasonCodeForm(forms.Form):
    reason_code = forms.ChoiceField(label=_("理由"))
    note = forms.CharField(
        label=_("具体说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("选择“其他”时必填。"),
    )

    def __init__(self, *args: Any, choices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["reason_code"]).choices = [("", _("——请选择——")), *choices]


class AcceptForm(forms.Form):
    lead_mediator = forms.ModelChoiceField(
        label=_("主调解员"), queryset=User.objects.none(), empty_label=_("——请选择——")
    )
    co_mediators = forms.ModelMultipleChoiceField(
        label=_("协助调解员"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )
    clerk = forms.ModelChoiceField(
        label=_("书记员"), queryset=User.objects.none(), required=False, empty_label=_("——不指定——")
    )
    note = forms.CharField(label=_("审查意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mediators = staff_of(organization=case.organization, role=Role.MEDIATOR)
        cast(forms.ModelChoiceField, self.fields["lead_mediator"]).queryset = mediators
        cast(forms.ModelMultipleChoiceField, self.fields["co_mediators"]).queryset = mediators
        cast(forms.ModelChoiceField, self.fields["clerk"]).queryset = staff_of(
            organization=case.organization, role=Role.CLERK
        )
        # The duty lawyer of the case's zone today, pre-selected as lead (docs/lawyers.md).
        self.suggestion = lawyer_suggest(case=case)
        self.fields["lead_mediator"].help_text = self.suggestion.note
        if self.suggestion.lawyer is not None:
            self.initial.setdefault("lead_mediator", self.suggestion.lawyer.pk)

    def mediators(self) -> list[User]:
        lead = self.cleaned_data["lead_mediator"]
        return [lead, *(m for m in self.cleaned_data["co_mediators"] if m != lead)]


def form_for(name: str, case: Case, data: Any = None) -> forms.Form:
    if name == "accept":
        return AcceptForm(data, case=case)
    if name == "reject":
        return ReasonCodeForm(data, choices=vocab.RejectionReason.choices)
    if name == "terminate":
        choices = vocab.TerminationReason.choices
        if case.status == Status.ACCEPTED:
            choices = [c for c in choices if c[0] != vocab.TerminationReason.DEADLINE_EXPIRED]
        return ReasonCodeForm(data, choices=choices)
    if name == "withdraw":
        return ReasonCodeForm(data, choices=vocab.WithdrawalReason.choices)
    if name == "return_closure":
        return ReasonRequiredForm(data)
    return NoteForm(data)
