"""Forms of the case page's corrections: add, correct or remove a party or a claim while the
case is still editable (草稿/待审查). The services check everything; the forms only parse."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from cases import vocab
from cases.intake_forms import ApplicantForm, RespondentForm
from cases.models import Case, CaseParty, ClaimItem

__all__ = ["ApplicantForm", "ClaimEditForm", "PartyEditForm", "RespondentForm"]


def _blank_first(choices: Any) -> list[tuple[str, Any]]:
    return [("", "---------"), *choices]


class ClaimEditForm(forms.Form):
    claim_type = forms.ChoiceField(label=_("请求类型"), choices=_blank_first(vocab.ClaimType.choices))
    description = forms.CharField(label=_("请求内容"), max_length=300)
    amount = forms.CharField(
        label=_("金额（元）"), required=False, max_length=30, help_text=_("非金钱请求（如出具离职证明）不填。")
    )
    claimant = forms.ModelChoiceField(
        label=_("请求人"), queryset=CaseParty.objects.none(), required=False, empty_label=_("（全体申请人）")
    )
    period_start = forms.DateField(label=_("期间起"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("期间止"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, case: Case, claim: ClaimItem | None = None, **kwargs: Any) -> None:
        if claim is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "claim_type": claim.claim_type,
                "description": claim.description,
                "amount": "" if claim.amount is None else f"{claim.amount:.2f}",
                "claimant": claim.claimant_id,
                "period_start": claim.period_start,
                "period_end": claim.period_end,
            }
        super().__init__(*args, **kwargs)
        claimant = cast(forms.ModelChoiceField, self.fields["claimant"])
        claimant.queryset = case.parties.filter(side=vocab.Side.APPLICANT).select_related("person", "employer")

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["amount"] = (data.get("amount") or "").strip() or None
        return data


class PartyEditForm(forms.Form):
    """A party's role in the case and the contact data of the person or employer behind it.
    Telephones are shown masked: an empty field keeps the number on file."""

    is_representative = forms.BooleanField(label=_("推举代表"), required=False)
    position = forms.CharField(label=_("岗位"), max_length=50, required=False)

    PERSON_FIELDS: dict[str, forms.CharField] = {
        "phone": forms.CharField(label=_("电话"), max_length=30, required=False),
        "address": forms.CharField(label=_("送达地址"), max_length=200, required=False),
    }
    EMPLOYER_FIELDS: dict[str, forms.CharField] = {
        "legal_rep_name": forms.CharField(label=_("法定代表人/负责人"), max_length=50, required=False),
        "registered_address": forms.CharField(label=_("住所"), max_length=200, required=False),
        "contact_name": forms.CharField(label=_("联系人"), max_length=50, required=False),
        "contact_phone": forms.CharField(label=_("联系电话"), max_length=30, required=False),
    }

    def __init__(self, *args: Any, party: CaseParty, **kwargs: Any) -> None:
        self.party = party
        holder: Any = party.person or party.employer
        extra = self.PERSON_FIELDS if party.person_id else self.EMPLOYER_FIELDS
        self.phone_field = "phone" if party.person_id else "contact_phone"
        initial = {"is_representative": party.is_representative, "position": party.position}
        initial.update({name: getattr(holder, name) for name in extra if name != self.phone_field})
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for name, field in extra.items():
            self.fields[name] = forms.CharField(label=field.label, max_length=field.max_length, required=False)
        masked = getattr(holder, f"{self.phone_field}_masked", "")
        self.fields[self.phone_field].help_text = (
            _("现登记为 %s；留空则不修改。") % masked if masked else _("尚未登记电话。")
        )

    def service_data(self) -> dict[str, Any]:
        data = {key: value.strip() if isinstance(value, str) else value for key, value in self.cleaned_data.items()}
        if not data.get(self.phone_field):
            data.pop(self.phone_field, None)  # empty keeps the number on file
        return data
