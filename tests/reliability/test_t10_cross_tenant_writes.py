"""T10 Cross-tenant writes via related fields (RELIABILITY.md §3; unicef/hope#6353).

API: every writable relation field of every input serializer behind every write route
(found by walking the URL resolver and the serializers, not from a list) must be in `API_FKS`
below; each is then sent, on the caller's own case, an id that exists in another town
(another case's party or obligation, another town's mediator, clerk or room, another
district's agency) and an id that does not exist.
Forms: the same for every ModelChoiceField of every form of the staff screens.

Pass: 0 accepted; the refusal is a 400 on that field, word for word the one a missing id
gets (the submitted id itself aside)."""

from __future__ import annotations

import json
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django import forms
from django.db import transaction
from rest_framework import serializers
from rest_framework.relations import ManyRelatedField, RelatedField
from rest_framework.views import APIView

from accounts.models import Organization
from cases import edit_forms, intake_forms
from cases import forms as case_forms
from linkage import forms as linkage_forms
from linkage.apis import AgencyField
from mediation import forms as mediation_forms
from mediation import selectors as mediation_selectors
from mediation.models import Room
from tests.api.test_authorization_table import api_routes, build_world, client_for, town_staff
from tests.factories import AgencyFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

MISSING = 987654

# (route, method, field) -> what kind of object the field names
API_FKS: dict[tuple[str, str, str], str] = {
    ("/api/v1/cases/{case_id}/claims/", "post", "claimant"): "party",
    ("/api/v1/cases/{case_id}/claims/{claim_id}/", "patch", "claimant"): "party",
    ("/api/v1/cases/{case_id}/transitions/accept/", "post", "mediators"): "mediator",
    ("/api/v1/cases/{case_id}/transitions/accept/", "post", "clerk"): "clerk",
    ("/api/v1/cases/{case_id}/sessions/", "post", "mediators"): "mediator",
    ("/api/v1/cases/{case_id}/sessions/", "post", "room"): "room",
    ("/api/v1/cases/{case_id}/sessions/", "post", "clerk"): "clerk",
    ("/api/v1/cases/{case_id}/sessions/{session_id}/attendances/", "post", "party"): "party",
    ("/api/v1/cases/{case_id}/agreement/obligations/", "post", "obligor"): "party",
    ("/api/v1/cases/{case_id}/agreement/obligations/", "post", "obligee"): "party",
    ("/api/v1/cases/{case_id}/agreement/signatures/", "post", "party"): "party",
    ("/api/v1/cases/{case_id}/service-records/", "post", "recipient"): "party",
    ("/api/v1/cases/{case_id}/transfers/", "post", "agency"): "agency",
    ("/api/v1/cases/{case_id}/transfers/{transfer_id}/outcome/", "post", "obligation"): "obligation",
}


def _is_relation(field: Any) -> bool:
    return isinstance(field, RelatedField | ManyRelatedField | AgencyField)


def writable_relation_fields() -> set[tuple[str, str, str]]:
    """(route, method, field) for every relation field an API write accepts."""
    found = set()
    for path, _methods in api_routes().items():
        from django.urls import resolve

        url = path.replace("{kind}", "periodic")
        for name in {p[1:-1] for p in __import__("re").findall(r"\{\w+\}", url)}:
            url = url.replace("{" + name + "}", "1")
        view = getattr(resolve(url).func, "cls", None)
        for klass in (view, *getattr(view, "__bases__", ())):
            if not (isinstance(klass, type) and issubclass(klass, APIView)):
                continue
            inputs = [
                v
                for v in vars(klass).values()
                if isinstance(v, type) and issubclass(v, serializers.Serializer) and "Output" not in v.__name__
            ]
            for method in ("post", "patch", "put"):
                if not hasattr(klass, method):
                    continue
                for serializer in inputs:
                    for name, field in serializer().fields.items():
                        if field.read_only:
                            continue
                        if _is_relation(field) or _is_relation(getattr(field, "child", None)):
                            found.add((path, method, name))
    return found


def test_every_writable_relation_field_is_checked(db: Any) -> None:
    found = writable_relation_fields()
    assert len(found) >= 12
    assert found == set(API_FKS), f"unlisted: {found - set(API_FKS)}; gone: {set(API_FKS) - found}"


@pytest.fixture
def foreign(world: SimpleNamespace, people: SimpleNamespace, case_in: Any) -> SimpleNamespace:
    """The town's case with its sub-objects, the other town's, and foreign objects of each kind."""
    own, other = build_world(world, people, case_in)
    other_district = OrganizationFactory(code="FT", name="丰台区总工会", short_code="京丰工调", level="district")
    ids: dict[str, int] = {
        "party": other.ids["party_id"],
        "obligation": other.ids["obligation_id"],
        "room": Room.objects.create(organization=world.other_town, name="旧宫一室").pk,
        "agency": AgencyFactory(code="ft-court", name="丰台法院", kind="court", district=other_district).pk,
    }
    for role in ("mediator", "clerk"):
        user = UserFactory(username=f"other_{role}", full_name=f"other_{role}")
        MembershipFactory(user=user, role=role, organization=world.other_town)
        ids[role] = user.pk
    registered = case_in("registered", world.town)  # accept is refused by state (409) before its body
    return SimpleNamespace(own=own, other=other, ids=ids, users=town_staff(world), world=world, registered=registered)


def _normalised(value: Any, submitted: int) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True).replace(str(submitted), "{id}")


def test_foreign_ids_are_refused_like_missing_ids_in_the_api(foreign: SimpleNamespace) -> None:
    director, liaison = client_for(foreign.users["director"]), client_for(foreign.users["liaison"])
    problems = []
    for (path, method, field), kind in sorted(API_FKS.items()):
        ids = {**foreign.own.ids, "case_id": foreign.registered.pk} if "accept" in path else foreign.own.ids
        url = path.format(**ids)
        client = liaison if path.endswith("/outcome/") else director  # the court records outcomes
        answers = []
        for submitted in (foreign.ids[kind], MISSING):
            value: Any = [submitted] if field == "mediators" else submitted
            with transaction.atomic():
                response = getattr(client, method)(url, {field: value}, format="json")
                transaction.set_rollback(True)
            error_fields = response.json().get("error", {}).get("fields", {}) if response.status_code >= 400 else {}
            mine = {k: v for k, v in error_fields.items() if k == field or k.startswith(field + ".")}
            answers.append((response.status_code, _normalised(mine or None, submitted)))
        (status, message), missing = answers
        if status != 400 or message == "null" or answers[0] != missing:
            problems.append(f"{method.upper()} {path} {field}: foreign {answers[0]} vs missing {missing}")
    assert not problems, "\n".join(problems)


# --- forms ------------------------------------------------------------------------------------------

FORM_MODULES = (case_forms, edit_forms, intake_forms, mediation_forms, linkage_forms)
#: The public online-application forms list every centre on purpose (any citizen may apply to any).
PUBLIC_FORMS = {"OnlineApplicationForm", "OnlineStatusForm"}


def _form_builders(f: SimpleNamespace) -> dict[str, tuple[Callable[[dict[str, Any]], forms.Form], dict[str, str]]]:
    case = f.own.case
    obligations = mediation_selectors.case_obligations(case=case)
    return {
        "AcceptForm": (
            lambda d: case_forms.AcceptForm(d, case=case),
            {"lead_mediator": "mediator", "co_mediators": "mediator", "clerk": "clerk"},
        ),
        "ClaimEditForm": (lambda d: edit_forms.ClaimEditForm(d, case=case), {"claimant": "party"}),
        "CaseIntakeForm": (
            lambda d: intake_forms.CaseIntakeForm(d, organizations=[f.world.town]),
            {"organization": "organization"},
        ),
        "SessionForm": (
            lambda d: mediation_forms.SessionForm(d, case=case),
            {"mediators": "mediator", "room": "room", "clerk": "clerk"},
        ),
        "AttendanceForm": (lambda d: mediation_forms.AttendanceForm(d, case=case), {"party": "party"}),
        "ObligationForm": (
            lambda d: mediation_forms.ObligationForm(d, case=case),
            {"obligor": "party", "obligee": "party"},
        ),
        "SignatureForm": (lambda d: mediation_forms.SignatureForm(d, case=case), {"party": "party"}),
        "ServiceOpenForm": (lambda d: mediation_forms.ServiceOpenForm(d, case=case), {"recipient": "party"}),
        "TransferForm": (lambda d: linkage_forms.TransferForm(d, case=case, offered=[]), {"agency": "agency"}),
        "OutcomeForm": (lambda d: linkage_forms.OutcomeForm(d, obligations=obligations), {"obligation": "obligation"}),
    }


def _model_choice_fields() -> set[tuple[str, str]]:
    found = set()
    for module in FORM_MODULES:
        for name, klass in vars(module).items():
            if not (isinstance(klass, type) and issubclass(klass, forms.BaseForm)) or name in PUBLIC_FORMS:
                continue
            if klass.__module__ != module.__name__:
                continue
            for field_name, field in klass.base_fields.items():
                if isinstance(field, forms.ModelChoiceField):
                    found.add((name, field_name))
    return found


def test_foreign_ids_are_refused_like_missing_ids_in_the_forms(foreign: SimpleNamespace) -> None:
    foreign.ids["organization"] = Organization.objects.get(code="JG").pk
    builders = _form_builders(foreign)
    listed = {(form, field) for form, (_build, fields) in builders.items() for field in fields}
    assert _model_choice_fields() == listed
    problems = []
    for form_name, (build, fields) in builders.items():
        for field, kind in fields.items():
            answers = []
            for submitted in (foreign.ids[kind], MISSING):
                probe = build({})
                key = probe.add_prefix(field)
                multiple = isinstance(probe.fields[field], forms.ModelMultipleChoiceField)
                data = {key: [str(submitted)] if multiple else str(submitted)}
                form = build(data)
                form.is_valid()
                answers.append(_normalised(form.errors.get(field), submitted))
            if answers[0] == "null" or answers[0] != answers[1]:
                problems.append(f"{form_name}.{field}: foreign {answers[0]} vs missing {answers[1]}")
    assert not problems, "\n".join(problems)
