"""T20 Masking and minimisation per role (RELIABILITY.md §3, ASVS 14.2.1, 14.2.6).

Every party of the T9 world (a town case transferred to the court, another town's case)
gets a full ID number and mobile. Then, for every role (none of whom has used a reveal),
every GET route of the API and of the web screens (taken from the URL resolver, ids of the
town's case filled in), the case list export and the history CSV are fetched, and the
documents an outside reader gets (the respondent's copy, the court's referral letter) are
rendered.

Pass: 0 full 18-character ID numbers and 0 11-digit mobiles in any response body, header
(Location) or generated link; the planted values appear nowhere."""

from __future__ import annotations

import io
import re
import zipfile
from types import SimpleNamespace
from typing import Any

from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from cases.models import Employer, Person
from core import crypto
from core.history import save_with_history
from documents.models import Copy
from tests.api.test_authorization_table import api_routes, build_world, client_for, town_staff
from tests.documents.pdfs import pdf_text
from tests.documents.test_access_and_safety import ready_document

ID_RX = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
MOBILE_RX = re.compile(r"(?<![0-9A-Za-z])1[3-9][0-9]{9}(?![0-9A-Za-z])")
IDS = ["11010519491231002X", "110105198001011238", "320106198506123011", "110101199003074477"]
MOBILES = ["13812345678", "13900001111", "15011112222", "18633334444"]
#: Web routes that are not pages about cases (login, admin, language switch, the public forms).
SKIPPED_PREFIXES = ("admin/", "accounts/", "i18n/", "api/", "apply/")


def _plant(world: SimpleNamespace, clerk: Any) -> list[str]:
    planted = []
    for index, person in enumerate(Person.objects.all()):
        person.id_number, person.phone = IDS[index % len(IDS)], MOBILES[index % len(MOBILES)]
        person.id_number_hash = crypto.lookup_hash(person.id_number)
        save_with_history(person, actor=clerk, reason="补录")
        planted += [person.id_number, person.phone]
    for employer in Employer.objects.all():
        employer.contact_phone = "17755556666"
        save_with_history(employer, actor=clerk, reason="补录")
    return [*planted, "17755556666"]


def _findings(where: str, text: str, planted: list[str]) -> list[str]:
    hits = [m.group(0) for m in ID_RX.finditer(text)] + [m.group(0) for m in MOBILE_RX.finditer(text)]
    hits += [p for p in planted if p in text]
    return [f"{where}: {hit}" for hit in hits]


def _text(response: Any) -> str:
    content = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    kind = response.get("Content-Type", "")
    if content.startswith(b"%PDF"):
        try:
            return pdf_text(content)
        except Exception:  # the T9 world stores a stub PDF: read its bytes
            return content.decode("latin-1")
    if content.startswith(b"PK"):  # xlsx / zip: every XML part
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return " ".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist() if "xml" in n)
    return content.decode("utf-8", "replace") + " " + response.get("Location", "") + kind


def _web_get_routes() -> list[str]:
    routes = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and not route.startswith(SKIPPED_PREFIXES):
                routes.append(route)

    walk(get_resolver().url_patterns, "")
    return routes


def test_no_full_id_or_mobile_reaches_any_role(world: SimpleNamespace, people: SimpleNamespace, case_in: Any) -> None:
    own, _other = build_world(world, people, case_in)
    planted = _plant(world, people.clerk)
    users = town_staff(world)
    ids = {**own.ids, "kind": "periodic", "consultation_id": 1, "file_id": 1, "submission_id": 1}
    findings: list[str] = []
    fetched = 0
    for role, user in users.items():
        api = client_for(user)
        for path, methods in api_routes().items():
            if "get" not in methods:
                continue
            url = path.format(**ids)
            with transaction.atomic():
                response = api.get(url)
                transaction.set_rollback(True)
            fetched += 1
            findings += _findings(f"{role} GET {url} {response.status_code}", _text(response), planted)
        web = Client()
        web.force_login(user)
        for route in _web_get_routes():
            try:
                url = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids[m.group(1)]), route)
            except KeyError:
                continue
            with transaction.atomic():
                response = web.get(url)
                transaction.set_rollback(True)
            if response.status_code == 405:
                continue
            fetched += 1
            findings += _findings(f"{role} GET {url} {response.status_code}", _text(response), planted)
    assert fetched > 300
    assert not findings, "\n".join(findings[:40])


def test_documents_for_outside_readers_are_masked(
    case_in: Any, world: Any, clerk: Any, django_capture_on_commit_callbacks: Any
) -> None:
    case = case_in("accepted")
    planted = _plant(world, clerk)
    own_copy = ready_document(case, clerk, django_capture_on_commit_callbacks, kind="D3")
    outside = ready_document(
        case, clerk, django_capture_on_commit_callbacks, kind="D3", copy_for=Copy.RESPONDENT, reason="被申请人副本"
    )

    assert any(p in pdf_text(own_copy.file.open("rb").read()) for p in planted)  # the file's original: in full
    assert _findings("D3 respondent copy", pdf_text(outside.file.open("rb").read()), planted) == []
