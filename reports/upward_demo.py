"""Demo submissions (上报) for `manage.py seed_demo`: from the archived demo cases of the
towns, one submission accepted by the district, one returned with comments and one waiting
for review — each written through reports.upward, as the pages would have written it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from accounts.models import Membership, Organization, OrganizationLevel, Role, User
from documents.models import ArchiveVolume, VolumeStatus
from reports import upward
from reports.models import FileVerdict, PeriodKind, ReportSubmission
from reports.selectors import BEIJING

#: (outcome, comment on the first file when returned, closing comment)
OUTCOMES = (
    ("accepted", "", "案卷装订规范，文书齐全，同意。"),
    ("returned", "送达回证缺少受送达人签名，请补正后重新上报。", ""),
    ("waiting", "", ""),
)


def _director(organization: Organization) -> User | None:
    membership = (
        Membership.objects.filter(organization=organization, role=Role.DIRECTOR, active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def _combos() -> list[tuple[Organization, str, int, int | None]]:
    """(town, period kind, year, number) for each town with archived files: month first for
    every town, then quarter, then year, so that the submissions spread over the towns."""
    latest: dict[int, Any] = {}
    volumes = ArchiveVolume.objects.filter(
        status=VolumeStatus.ARCHIVED,
        case__organization__level=OrganizationLevel.STREET_TOWN,
        case__closed_at__isnull=False,
    ).select_related("case__organization")
    for volume in volumes.order_by("case__closed_at"):
        latest[volume.case.organization_id] = volume.case
    towns = sorted({case.organization for case in latest.values()}, key=lambda org: org.code)
    combos: list[tuple[Organization, str, int, int | None]] = []
    for kind in (PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR):
        for town in towns:
            closed = latest[town.pk].closed_at.astimezone(BEIJING).date()
            number = {PeriodKind.MONTH: closed.month, PeriodKind.QUARTER: (closed.month - 1) // 3 + 1}.get(kind)
            combos.append((town, kind, closed.year, number))
    return combos


def seed_upward(system_user: User, *, write: Callable[[str], Any] | None = None) -> int:
    """Create the demo submissions (nothing when there are already some, or no town has an
    archived file or a director). `system_user` is not an actor here: the towns' and the
    district's directors are; it names who ran the seeding in the log line only."""
    if ReportSubmission.objects.exists():
        return 0
    created = 0
    for (town, kind, year, number), (outcome, file_comment, comment) in zip(_combos(), OUTCOMES, strict=False):
        submitter, reviewer = _director(town), _director(town.parent) if town.parent else None
        if submitter is None or reviewer is None:
            continue
        submission = upward.submission_submit(
            actor=submitter, organization=town, period_kind=kind, year=year, number=number
        )
        created += 1
        if outcome == "waiting":
            continue
        for index, row in enumerate(upward.submission_files(submission)):
            returned = outcome == "returned" and index == 0
            upward.submission_review_file(
                actor=reviewer,
                file=row,
                verdict=FileVerdict.RETURNED if returned else FileVerdict.ACCEPTED,
                comment=file_comment if returned else "",
            )
        upward.submission_finish_review(actor=reviewer, submission=submission, comment=comment)
    if write is not None:
        write(f"  {created} 份上报 / upward report submissions (seeded by {system_user})")
    return created
