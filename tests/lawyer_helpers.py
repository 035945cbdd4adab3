"""Law firms, lawyer mediators, zones and the duty roster for the tests of docs/lawyers.md."""

from __future__ import annotations

import datetime as dt
from typing import Any

from accounts.models import DutyAssignment, LawFirm, LawyerProfile, Organization, User, Zone
from tests.factories import MembershipFactory, UserFactory

_licences = iter(range(11101201510000001, 11101201519999999))


def make_firm(name: str) -> LawFirm:
    return LawFirm.objects.create(name=name)


def make_lawyer(username: str, firm: LawFirm, organization: Organization) -> User:
    """A user with a mediator membership in `organization` and a lawyer profile at `firm`."""
    user = UserFactory(username=username, full_name=username)
    MembershipFactory(user=user, role="mediator", organization=organization)
    LawyerProfile.objects.create(user=user, licence_number=str(next(_licences)), firm=firm)
    return user


def make_zone(district: Organization, name: str, towns: list[Organization] | None = None, streets: str = "") -> Zone:
    zone = Zone.objects.create(organization=district, name=name, street_names=streets)
    zone.towns.set(towns or [])
    return zone


def on_duty(zone: Zone, lawyer: User, day: dt.date) -> Any:
    return DutyAssignment.objects.create(date=day, zone=zone, lawyer=lawyer)
