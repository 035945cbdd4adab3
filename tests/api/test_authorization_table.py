"""RELIABILITY.md T9: the authorization table of the REST API.

Every route under /api/v1/ (taken from the URL resolver, not from a hand-written list) x every
method x every role (clerk, mediator, director, auditor, liaison, admin and anonymous, the
staff roles held in one town) x an object of the caller's own town and one of another town.
The expected outcome of each cell comes from `TABLE` below, which doubles as the written
authorization rules (ASVS 8.1.1):

- anonymous: 401 everywhere except the token endpoint;
- another town's object: 404, indistinguishable from a missing one;
- inside the caller's scope: the methods the role may use answer 2xx, 400 (the test sends an
  empty body) or 409 (the case's state does not allow it now); the others answer 403.

A route that is not classified in `TABLE` fails the test, so a new route needs a line here.
Each request runs in a savepoint that is rolled back, so every cell sees the same data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import system_user
from cases.models import Case
from cases.workflow import TRANSITIONS, Status
from core.history import save_with_history
from documents.models import ArchiveVolume, VolumeStatus
from documents.services import document_request, document_store
from linkage import services as linkage_services
from mediation import vocab as mediation_vocab
from mediation.models import Extension
from tests.api.conftest import draft_payload
from tests.factories import MembershipFactory, UserFactory

API_PREFIX = "api/v1/"
PATH_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")

# --- the world: one town's staff, a case of their town and one of another town ---------------------

#: The staff roles, each held by one user in the town (XHM); the liaison in the court.
STAFF_ROLES = ("clerk", "mediator", "director", "auditor", "admin")
ROLES = (*STAFF_ROLES, "liaison", "anonymous")


@dataclass
class Objects:
    """The ids a route's path parameters take, for one case and its sub-objects."""

    case: Case
    ids: dict[str, int]


def _sub_objects(case: Case, people: SimpleNamespace, court: Any, *, send: bool) -> Objects:
    session = case.sessions.get()
    agreement = case.agreements.get()
    extension = Extension(
        case=case,
        days=5,
        reason="双方同意延期。",
        applicant_consent_on=timezone.localdate(),
        respondent_consent_on=timezone.localdate(),
        requested_by=people.mediator,
        status=mediation_vocab.ExtensionStatus.PENDING,
    )
    save_with_history(extension, actor=people.mediator, reason="request")
    transfer = linkage_services.transfer_create(
        case=case, actor=people.mediator, agency=court, transfer_type="judicial_confirmation", reason="申请司法确认。"
    )
    if send:
        transfer = linkage_services.transfer_approve(transfer=transfer, actor=people.director)
        transfer = linkage_services.transfer_send(
            transfer=transfer, actor=people.clerk, sent_on=timezone.localdate(), channel="in_person"
        )
    document = document_request(case=case, actor=people.clerk, kind="D3", render=False)
    document_store(document.pk, b"%PDF-1.4\n%%EOF\n", 1)  # ready, without rendering
    volume = ArchiveVolume(  # an archived volume, so that the package route has something to serve
        case=case,
        status=VolumeStatus.ARCHIVED,
        volume_type="mediation",
        archive_number=f"T9-{case.pk}",
        retention="permanent",
        filed_by=people.clerk,
        filed_at=timezone.now(),
    )
    volume.package.save(f"T9-{case.pk}.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=False)
    save_with_history(volume, actor=people.clerk, reason="filed")
    return Objects(
        case=case,
        ids={
            "case_id": case.pk,
            "party_id": case.parties.order_by("pk").first().pk,  # type: ignore[union-attr]
            "claim_id": case.claims.order_by("pk").first().pk,  # type: ignore[union-attr]
            "session_id": session.pk,
            "attendance_id": session.attendances.order_by("pk").first().pk,  # type: ignore[union-attr]
            "obligation_id": agreement.obligations.order_by("pk").first().pk,  # type: ignore[union-attr]
            "extension_id": extension.pk,
            "follow_up_id": case.follow_ups.order_by("pk").first().pk,  # type: ignore[union-attr]
            "record_id": case.service_records.order_by("pk").first().pk,  # type: ignore[union-attr]
            "transfer_id": transfer.pk,
            "document_id": document.pk,
        },
    )


def build_world(
    world: SimpleNamespace, people: SimpleNamespace, case_in: Callable[..., Case]
) -> tuple[Objects, Objects]:
    """A case of the town (XHM) with a transfer sent to the court, and a case of the other
    town (JG) with every sub-object too (its transfer is a draft: the court never sees it)."""
    for organization in (world.town, world.other_town):  # their agreements can be confirmed
        organization.court_listed = True
        save_with_history(organization, actor=system_user(), reason="listed by the court")
    own = _sub_objects(case_in(Status.AGREEMENT_EFFECTIVE, world.town), people, world.court, send=True)
    other = _sub_objects(case_in(Status.AGREEMENT_EFFECTIVE, world.other_town), people, world.court, send=False)
    return own, other


def town_staff(world: SimpleNamespace) -> dict[str, User]:
    """One user per role: staff of the town XHM, the liaison of the court."""
    users: dict[str, User] = {}
    for role in STAFF_ROLES:
        user = UserFactory(username=f"town_{role}", full_name=f"town_{role}")
        MembershipFactory(user=user, role=role, organization=world.town)
        users[role] = user
    liaison = UserFactory(username="court_liaison", full_name="court_liaison")
    MembershipFactory(user=liaison, role="liaison", organization=None, agency=world.court)
    users["liaison"] = liaison
    return users


def client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


# --- the routes, from the URL resolver ------------------------------------------------------------


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.callback


def api_routes() -> dict[str, tuple[str, ...]]:
    """{"/api/v1/cases/{case_id}/": ("get",), ...}: every route under /api/v1/ and its methods."""
    found: dict[str, tuple[str, ...]] = {}
    for route, callback in _walk(get_resolver().url_patterns):
        if not route.startswith(API_PREFIX):
            continue
        view_class = getattr(callback, "cls", None)
        assert view_class is not None, f"/{route} is not an API view"
        methods = tuple(
            sorted(m for m in view_class.http_method_names if m not in ("options", "head") and hasattr(view_class, m))
        )
        found["/" + PATH_PARAMETER.sub(r"{\1}", route)] = methods
    return found


# --- the table ---------------------------------------------------------------------------------------

CLERK, MEDIATOR, DIRECTOR, AUDITOR, LIAISON, ADMIN = "clerk", "mediator", "director", "auditor", "liaison", "admin"
WRITERS = frozenset({CLERK, MEDIATOR, DIRECTOR})
READERS = WRITERS | {AUDITOR}
EVERYONE = READERS | {LIAISON, ADMIN}
#: An answer of a permitted request: done, refused for its (empty) body, or for the case's state.
PERMITTED = frozenset({200, 201, 202, 204, 400, 409})


@dataclass(frozen=True)
class Rule:
    """Who may use one method of one route.

    `may`: the roles for which the request is permitted (answers one of PERMITTED); the other
    roles that see the object answer 403. `liaison_sees`: a case sent to the liaison's agency
    shows this to them (else 404 for them, as for an object outside their scope). Admins
    configure and see no case content: every route under a case answers them 404.
    `scoped`: the route is under an object (a case, a document); another town's answers 404.
    `transition`: a writer without the role gets 409 instead of 403 when the case's state
    refuses the transition anyway (the state is checked first: cases.services.transition_precheck).
    """

    may: frozenset[str]
    liaison_sees: bool = False
    scoped: bool = True
    transition: str | None = None
    public: bool = False
    #: The fixture data has no such object (yet): every token answers 404.
    no_fixture: bool = False
    #: Not for tokens at all (partner platforms sign their requests): every token answers 401.
    platform: bool = False


def read(*, liaison: bool = True) -> Rule:
    return Rule(may=READERS | ({LIAISON} if liaison else set()), liaison_sees=liaison)


def write(*roles: str, liaison_sees: bool = True) -> Rule:
    return Rule(may=frozenset(roles or WRITERS), liaison_sees=liaison_sees)


def transition(name: str, *roles: str) -> Rule:
    return Rule(may=frozenset(roles), liaison_sees=True, transition=name)


C = "/api/v1/cases/{case_id}/"
S = C + "sessions/{session_id}/"
A = C + "agreement/"
T = C + "transfers/{transfer_id}/"

#: The authorization rules of the API, route by route (ASVS 8.1.1). docs/api.md says the same
#: in prose; a new route fails test_every_route_is_in_the_table until it has a line here.
TABLE: dict[str, dict[str, Rule]] = {
    # no object: anyone with a token (the answer is scoped by content, checked below)
    "/api/v1/auth/token/": {"post": Rule(may=EVERYONE, scoped=False, public=True)},
    "/api/v1/me/": {"get": Rule(may=EVERYONE, scoped=False)},
    "/api/v1/staff/": {"get": Rule(may=EVERYONE, scoped=False)},
    "/api/v1/stats/": {"get": Rule(may=EVERYONE, scoped=False)},
    "/api/v1/transfers/": {"get": Rule(may=EVERYONE, scoped=False)},
    "/api/v1/cases/export.xlsx": {"get": Rule(may=EVERYONE, scoped=False)},
    "/api/v1/imports/": {"post": Rule(may=frozenset({DIRECTOR}), scoped=False)},
    # intake channels (docs/intake.md): partner platforms only, with their key (tokens: 401)
    "/api/v1/online-applications/": {"post": Rule(may=frozenset(), scoped=False, platform=True)},
    # the consultation log is the centre's own record: its staff read it, its writers log and
    # convert; liaisons and admins get 403 (checked before the body); another town's code: 404
    "/api/v1/consultations/": {"get": Rule(may=READERS, scoped=False), "post": Rule(may=WRITERS, scoped=False)},
    "/api/v1/consultations/stats/": {"get": Rule(may=READERS, scoped=False)},
    "/api/v1/consultations/{consultation_id}/convert/": {"post": Rule(may=WRITERS, no_fixture=True)},
    # standard reports: directors and auditors, of the organisations they hold those roles in
    # (the object is the organisation named in the query: another town's answers 404)
    "/api/v1/reports/{kind}/": {"get": Rule(may=frozenset({DIRECTOR, AUDITOR}), scoped=False)},
    "/api/v1/workload/": {"get": Rule(may=frozenset({DIRECTOR, AUDITOR}), scoped=False)},
    # upward reporting (上报): directors and auditors read; a town's director submits; the
    # district's director reviews (the fixture has no submission: those routes answer 404)
    "/api/v1/report-submissions/": {
        "get": Rule(may=frozenset({DIRECTOR, AUDITOR}), scoped=False),
        "post": Rule(may=frozenset({DIRECTOR}), scoped=False),
    },
    "/api/v1/report-submissions/{submission_id}/": {"get": Rule(may=frozenset({DIRECTOR, AUDITOR}), no_fixture=True)},
    "/api/v1/report-submissions/{submission_id}/files/{file_id}/review/": {
        "post": Rule(may=frozenset({DIRECTOR}), no_fixture=True)
    },
    "/api/v1/report-submissions/{submission_id}/finish-review/": {
        "post": Rule(may=frozenset({DIRECTOR}), no_fixture=True)
    },
    C + "lawyer-suggestion/": {"get": read()},
    # the object of a new case is its organisation: the own town (201) or the other one (404)
    "/api/v1/cases/": {"get": Rule(may=EVERYONE, scoped=False), "post": write()},
    # the case
    C: {"get": read(), "patch": write()},
    C + "history/": {"get": read()},
    C + "parties/": {"post": write()},
    C + "claims/": {"post": write()},
    C + "parties/{party_id}/": {"patch": write(), "delete": write()},
    C + "claims/{claim_id}/": {"patch": write(), "delete": write()},
    C + "parties/{party_id}/reveal/": {"post": write()},
    # transitions (docs/api.md, "Transitions")
    C + "transitions/register/": {"post": transition("register", CLERK, MEDIATOR)},
    C + "transitions/seek_consent/": {"post": transition("seek_consent", CLERK, MEDIATOR)},
    C + "transitions/accept/": {"post": transition("accept", DIRECTOR)},
    C + "transitions/reject/": {"post": transition("reject", DIRECTOR)},
    C + "transitions/terminate/": {"post": transition("terminate", DIRECTOR)},
    C + "transitions/withdraw/": {"post": transition("withdraw", DIRECTOR, CLERK, MEDIATOR)},
    C + "transitions/extend/": {"post": transition("extend", DIRECTOR)},
    C + "transitions/draft_agreement/": {"post": transition("draft_agreement", MEDIATOR)},
    C + "transitions/make_effective/": {"post": transition("make_effective", MEDIATOR)},
    C + "transitions/confirm_performance/": {"post": transition("confirm_performance", MEDIATOR, CLERK)},
    C + "transitions/reopen_negotiation/": {"post": transition("reopen_negotiation", MEDIATOR)},
    C + "transitions/record_non_performance/": {"post": transition("record_non_performance", MEDIATOR, CLERK)},
    C + "transitions/submit_closure/": {"post": transition("submit_closure", CLERK, MEDIATOR)},
    C + "transitions/approve_closure/": {"post": transition("approve_closure", DIRECTOR)},
    C + "transitions/return_closure/": {"post": transition("return_closure", DIRECTOR)},
    C + "transitions/archive/": {"post": transition("archive", CLERK, MEDIATOR, DIRECTOR)},
    # sessions, attendance, transcripts
    C + "sessions/": {"get": read(), "post": write()},
    S: {"get": read()},
    S + "cancel/": {"post": write()},
    S + "attendances/": {"post": write()},
    S + "attendances/{attendance_id}/sign/": {"post": write()},
    S + "transcript/": {"get": read(), "put": write()},
    S + "transcript/read-back/": {"post": write(CLERK, MEDIATOR)},
    S + "transcript/complete/": {"post": write(CLERK, MEDIATOR)},
    # extensions
    C + "extensions/": {"get": read(), "post": write()},
    C + "extensions/{extension_id}/refuse/": {"post": write()},
    # agreement
    A: {"get": read()},
    A + "terms/": {"put": write()},
    A + "obligations/": {"post": write()},
    A + "obligations/{obligation_id}/": {"put": write(), "delete": write(MEDIATOR)},
    A + "signatures/": {"post": write()},
    A + "mediator-signature/": {"post": write(MEDIATOR)},
    A + "seal/": {"post": write(DIRECTOR)},
    # performance
    C + "obligations/{obligation_id}/payments/": {"get": read(), "post": write()},
    C + "obligations/{obligation_id}/performed/": {"post": write()},
    C + "follow-ups/": {"get": read(), "post": write()},
    C + "follow-ups/{follow_up_id}/record/": {"post": write()},
    # service of documents
    C + "service-records/": {"get": read(), "post": write()},
    C + "service-records/{record_id}/serve/": {"post": write()},
    C + "service-records/{record_id}/undeliverable/": {"post": write()},
    # linkage
    C + "transfers/": {"get": read(), "post": write()},
    C + "transfer-options/": {"get": read()},
    C + "referral-report/": {"post": write()},
    T + "approve/": {"post": write(DIRECTOR)},
    T + "send/": {"post": write(CLERK, MEDIATOR)},
    T + "acknowledge/": {"post": write(LIAISON)},
    T + "outcome/": {"post": write(LIAISON)},
    T + "return/": {"post": write(LIAISON)},
    # documents and archiving: staff only (a liaison reads only the letters sent to the agency)
    C + "documents/": {"get": read(), "post": write()},
    "/api/v1/documents/{document_id}/": {"get": read(liaison=False)},
    "/api/v1/documents/{document_id}/download/": {"get": read(liaison=False)},
    C + "archive/": {"get": read(liaison=False)},
    C + "archive/package/": {"get": read(liaison=False)},
    C + "archive/verify/": {"get": read(liaison=False)},
    C + "archive/supplements/": {"post": write()},
}

#: Path parameters of objects the fixture data does not have (yet).
MISSING_IDS = {"consultation_id": 999999, "submission_id": 999999, "file_id": 999999}

#: Path parameters that are names, not ids.
NAMES = {"kind": "periodic"}

#: Bodies for the requests whose refusal must not depend on the body: without them every
#: role would get the same 400.
BODIES: dict[tuple[str, str], Callable[[str], dict[str, Any]]] = {
    ("post", "/api/v1/cases/"): lambda org: draft_payload(organization=org),
    ("post", T + "send/"): lambda org: {"sent_on": timezone.localdate().isoformat(), "channel": "in_person"},
    ("get", "/api/v1/reports/{kind}/"): lambda org: {"organization": org, "from": "2026-01-01", "to": "2026-03-31"},
}
#: Routes whose object is the organisation named in the body or query.
ORGANIZATION_OBJECT = {("get", "/api/v1/reports/{kind}/")}


def expected(method: str, path: str, role: str, *, own: bool, status: str) -> frozenset[int]:
    """The answers the table allows for one cell."""
    rule = TABLE[path][method]
    if rule.public:
        return PERMITTED
    if role == "anonymous" or rule.platform:
        return frozenset({401})
    if rule.no_fixture:
        return frozenset({404})
    if (path, method) == ("/api/v1/cases/", "post"):  # the object is the organisation
        if not own or role in (LIAISON, ADMIN):
            return frozenset({404})
        return PERMITTED if role in rule.may else frozenset({403})
    if (method, path) in ORGANIZATION_OBJECT:  # the role is checked first, then the organisation
        if role not in rule.may:
            return frozenset({403})
        return PERMITTED if own else frozenset({404})
    if not rule.scoped:
        return PERMITTED if role in rule.may else frozenset({403})
    if not own or role == ADMIN or (role == LIAISON and not rule.liaison_sees):
        return frozenset({404})
    if role in rule.may:
        return PERMITTED
    if rule.transition and role in WRITERS and status not in TRANSITIONS[rule.transition].sources:
        return frozenset({409})
    return frozenset({403})


# --- the tests ---------------------------------------------------------------------------------------


def test_every_route_is_in_the_table(db: Any) -> None:
    routes = {(path, method) for path, methods in api_routes().items() for method in methods}
    table = {(path, method) for path, rules in TABLE.items() for method in rules}

    assert len(routes) > 70
    assert routes - table == set(), "routes without a line in TABLE"
    assert table - routes == set(), "lines in TABLE for routes that do not exist"


def test_the_check_sees_an_unclassified_route(db: Any) -> None:
    """Negative control: a route missing from the table is reported."""
    routes = {(path, method) for path, methods in api_routes().items() for method in methods}
    table = {(path, method) for path, rules in TABLE.items() for method in rules} - {(C + "history/", "get")}
    assert (C + "history/", "get") in routes - table


def test_authorization_table(world: SimpleNamespace, people: SimpleNamespace, case_in: Any) -> None:
    own, other = build_world(world, people, case_in)
    users = town_staff(world)
    clients = {role: client_for(users.get(role)) for role in ROLES}
    codes = {True: world.town.code, False: world.other_town.code}
    deviations: list[str] = []
    cells = 0
    for path, methods in sorted(api_routes().items()):
        for method in methods:
            if method not in TABLE.get(path, {}):
                continue  # test_every_route_is_in_the_table reports it
            body_for = BODIES.get((method, path))
            rule = TABLE[path][method]
            variants = ((True, own), (False, other)) if rule.scoped or body_for else ((True, own),)
            for is_own, objects in variants:
                url = path.format(**{**objects.ids, **MISSING_IDS, **NAMES})
                body = body_for(codes[is_own]) if body_for else ({} if method != "get" else None)
                for role in ROLES:
                    allowed = expected(method, path, role, own=is_own, status=objects.case.status)
                    with transaction.atomic():  # every cell sees the same data
                        response = getattr(clients[role], method)(url, body, format="json")
                        transaction.set_rollback(True)
                    cells += 1
                    if response.status_code not in allowed:
                        which = "own" if is_own else "other"
                        deviations.append(
                            f"{method.upper()} {path} {role} {which}: {response.status_code} not in {sorted(allowed)}"
                            f" {response.content[:160]!r}"
                        )
                    if response.status_code >= 400 and path != "/api/v1/auth/token/":
                        assert set(response.json()) == {"error"}, (method, url, role)
    assert cells > 900
    assert not deviations, f"{len(deviations)} of {cells} cells deviate from TABLE:\n" + "\n".join(deviations)


def _listed(client: APIClient, url: str) -> set[int]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    body = response.json()
    return {item["id"] for item in (body["results"] if isinstance(body, dict) else body)}


def test_lists_show_only_what_the_role_may_see(world: SimpleNamespace, people: SimpleNamespace, case_in: Any) -> None:
    """List endpoints are checked by content: the ids returned are a subset of the allowed ones."""
    own, other = build_world(world, people, case_in)
    users = town_staff(world)
    own_case, other_case = own.ids["case_id"], other.ids["case_id"]
    own_transfer, other_transfer = own.ids["transfer_id"], other.ids["transfer_id"]
    for role in ROLES[:-1]:
        client = client_for(users[role])
        cases = _listed(client, "/api/v1/cases/?limit=200")
        transfers = _listed(client, "/api/v1/transfers/?limit=200")
        assert other_case not in cases and other_transfer not in transfers, role
        if role == ADMIN:
            assert cases == set() and transfers == set()
        else:  # staff read their town; the liaison the case sent to the court
            assert own_case in cases and own_transfer in transfers, role
        if role == LIAISON:
            assert cases == {own_case} and transfers == {own_transfer}
