"""A search by ID number or phone never travels in a URL (RELIABILITY.md T20, ASVS 14.2.1):
the search form posts, and the list's URL, its pager and its Excel link carry only the keyed
hash. Other searches keep their plain `q`."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from cases.models import CaseParty
from cases.workflow import Status
from core import crypto

pytestmark = pytest.mark.django_db
FULL_ID = re.compile(r"[0-9]{17}[0-9Xx]")


def _person_of(case: Any) -> Any:
    """The case's applicant, given an ID number and a phone (the factories leave them empty)."""
    person = CaseParty.objects.filter(case=case, person__isnull=False).first().person
    person.id_number, person.phone = "11010519491231002X", "13800138000"
    person.id_number_hash, person.phone_hash = crypto.lookup_hash(person.id_number), crypto.lookup_hash(person.phone)
    person.save()
    return person


def test_an_id_number_search_is_redirected_to_its_hash(client: Any, clerk: Any, case_in: Any) -> None:
    case, other = case_in(Status.REGISTERED), case_in(Status.REGISTERED)
    person = _person_of(case)
    client.force_login(clerk)
    response = client.post(reverse("cases:list"), {"q": person.id_number.lower(), "status": "registered"})
    assert response.status_code == 302
    location = response["Location"]
    assert person.id_number not in location.upper() and "qh=" in location and "status=registered" in location
    page = client.get(location)
    html = page.content.decode()
    assert [c.pk for c in page.context["page"].object_list] == [case.pk]
    assert other.pk not in [c.pk for c in page.context["page"].object_list]
    assert not FULL_ID.search(html)
    # a typed URL with the number is sent to the hash too
    response = client.get(reverse("cases:list"), {"q": person.id_number})
    assert response.status_code == 302 and person.id_number not in response["Location"]


def test_a_phone_search_and_a_plain_search(client: Any, clerk: Any, case_in: Any) -> None:
    case = case_in(Status.REGISTERED)
    person = _person_of(case)
    client.force_login(clerk)
    response = client.post(reverse("cases:list"), {"q": person.phone})
    assert response.status_code == 302 and person.phone not in response["Location"]
    assert case.pk in [c.pk for c in client.get(response["Location"]).context["page"].object_list]
    # a name stays a plain query, and replaces the earlier number search
    response = client.post(reverse("cases:list"), {"q": person.name, "qh": "ab" * 32})
    assert response["Location"].endswith(f"?q={person.name}") or "qh=" not in response["Location"]
    assert case.pk in [c.pk for c in client.get(response["Location"]).context["page"].object_list]
