"""Upward reporting (上报, reports.upward): a locked snapshot, corrections, the district's
review, scope, and bad input (docs/statistics.md "Upward reporting")."""

from __future__ import annotations

import copy
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from cases.models import Case
from cases.workflow import Status
from core.exceptions import ApplicationError, ConflictError, PermissionDeniedError
from core.history import save_with_history
from documents.models import ArchiveVolume, VolumeStatus
from reports import upward
from reports.models import FileVerdict, ReportSubmission, SubmissionFile, SubmissionStatus
from tests.factories import CaseFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _persona(username: str, role: str, organization: Any) -> User:
    user = UserFactory(username=username, full_name=username)
    MembershipFactory(user=user, role=role, organization=organization)
    return user


@pytest.fixture
def town_director(world: SimpleNamespace) -> User:
    return _persona("town_director", "director", world.town)


@pytest.fixture
def other_town_director(world: SimpleNamespace) -> User:
    return _persona("other_town_director", "director", world.other_town)


def filed(case: Case, clerk: User) -> ArchiveVolume:
    """An archived volume of a closed case, without rendering the bundle (the archive build
    is tested in tests/documents; here only the volume matters)."""
    volume = ArchiveVolume(
        case=case,
        status=VolumeStatus.ARCHIVED,
        volume_type=case.file_type,
        archive_number=f"XHM-2026-D10-TJ-{case.pk:04d}",
        retention="10y",
        filed_by=clerk,
        filed_at=timezone.now(),
    )
    save_with_history(volume, actor=clerk, reason="filed")
    return volume


@pytest.fixture
def archived_pair(world: SimpleNamespace, case_in: Any, clerk: User) -> list[Case]:
    """Two closed cases of the town with archived files, closed today (this month)."""
    cases = [case_in(Status.CLOSED, world.town) for _ in range(2)]
    for case in cases:
        filed(case, clerk)
    return cases


def _this_month() -> dict[str, Any]:
    today = timezone.localdate()
    return {"period_kind": "month", "year": today.year, "number": today.month}


def _submit(actor: User, world: SimpleNamespace, **extra: Any) -> ReportSubmission:
    return upward.submission_submit(actor=actor, organization=world.town, **_this_month(), **extra)


def test_a_locked_report_does_not_change_when_later_cases_are_edited(
    world: SimpleNamespace, town_director: User, director: User, archived_pair: list[Case], people: Any
) -> None:
    submission = _submit(town_director, world)
    locked = copy.deepcopy(submission.snapshot)
    stats = locked["stats"]
    assert stats["by_outcome"]["rejected"]["cases"] == 2
    assert submission.case_ids == sorted(case.pk for case in archived_pair)
    assert submission.query_version == upward.QUERY_VERSION
    assert submission.files.count() == 2

    # later: a case of the period is edited, and a new case of the period is rejected
    case = Case.objects.get(pk=archived_pair[0].pk)
    case.workers_involved = 99
    save_with_history(case, actor=people.clerk, reason="corrected")
    new_case = CaseFactory(organization=world.town, created_by=people.clerk)
    from tests.conftest import drive

    for step in ("register", "reject"):
        new_case = drive(new_case, step, people)

    again = upward.submission_preview(actor=town_director, organization=world.town, **_this_month())
    assert again.snapshot["stats"]["by_outcome"]["rejected"]["cases"] == 3  # the live figures moved

    stored = ReportSubmission.objects.get(pk=submission.pk)
    assert stored.snapshot == locked
    assert stored.case_ids == submission.case_ids

    client = APIClient()
    client.force_authenticate(director)
    body = client.get(f"/api/v1/report-submissions/{submission.pk}/").json()
    assert body["snapshot"] == locked


def test_the_snapshot_refuses_to_be_changed(
    world: SimpleNamespace, town_director: User, archived_pair: list[Case]
) -> None:
    submission = ReportSubmission.objects.get(pk=_submit(town_director, world).pk)
    submission.snapshot = {"stats": {"cases_received": 1000}}
    with pytest.raises(TypeError):
        submission.save()
    in_place = ReportSubmission.objects.get(pk=submission.pk)
    in_place.snapshot["stats"]["cases_received"] = 1000
    with pytest.raises(TypeError):
        in_place.save()
    in_place = ReportSubmission.objects.get(pk=submission.pk)
    in_place.status = SubmissionStatus.UNDER_REVIEW  # the review fields do change
    save_with_history(in_place, actor=town_director, reason="test")
    with pytest.raises(TypeError):
        ReportSubmission.objects.get(pk=submission.pk).delete()
    assert ReportSubmission.objects.get(pk=submission.pk).snapshot["stats"]["cases_received"] == 2


def test_a_correction_is_a_new_version_with_a_reason(
    world: SimpleNamespace, town_director: User, archived_pair: list[Case]
) -> None:
    first = _submit(town_director, world)
    history_rows = ReportSubmission.history.count()

    with pytest.raises(ApplicationError) as refused:
        _submit(town_director, world)
    assert "correction_reason" in refused.value.fields
    with pytest.raises(ApplicationError) as blank:
        _submit(town_director, world, correction_reason="   ")
    assert "correction_reason" in blank.value.fields
    assert ReportSubmission.objects.count() == 1
    assert ReportSubmission.history.count() == history_rows

    second = _submit(town_director, world, correction_reason="补报一件漏报的案件。")
    assert (second.version, second.supersedes_id, second.correction_reason) == (2, first.pk, "补报一件漏报的案件。")
    assert second.status == SubmissionStatus.SUBMITTED
    assert upward.latest_version(first) == second
    assert second.history.first().history_user == town_director  # type: ignore[union-attr]


def test_a_first_submission_with_a_correction_reason_is_refused(
    world: SimpleNamespace, town_director: User, archived_pair: list[Case]
) -> None:
    with pytest.raises(ApplicationError) as refused:
        _submit(town_director, world, correction_reason="更正")
    assert "correction_reason" in refused.value.fields
    assert not ReportSubmission.objects.exists()


def test_an_empty_period_is_refused(world: SimpleNamespace, town_director: User) -> None:
    with pytest.raises(ApplicationError) as refused:
        upward.submission_submit(actor=town_director, organization=world.town, period_kind="year", year=2001)
    assert "period" in refused.value.fields
    assert not ReportSubmission.objects.exists()


def test_the_review_flow_accepts_when_every_file_is_standard(
    world: SimpleNamespace, town_director: User, director: User, archived_pair: list[Case]
) -> None:
    submission = _submit(town_director, world)
    first, second = upward.submission_files(submission)

    upward.submission_review_file(actor=director, file=first, verdict=FileVerdict.ACCEPTED)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.UNDER_REVIEW
    with pytest.raises(ConflictError):  # one file still pending
        upward.submission_finish_review(actor=director, submission=submission)

    upward.submission_review_file(actor=director, file=second, verdict=FileVerdict.ACCEPTED)
    done = upward.submission_finish_review(actor=director, submission=submission, comment="材料齐全。")
    assert (done.status, done.reviewed_by, done.review_comment) == (SubmissionStatus.ACCEPTED, director, "材料齐全。")
    with pytest.raises(ConflictError):  # finished: verdicts are final
        upward.submission_review_file(actor=director, file=first, verdict=FileVerdict.RETURNED, comment="x")


def test_a_returned_file_returns_the_submission(
    world: SimpleNamespace, town_director: User, director: User, archived_pair: list[Case]
) -> None:
    submission = _submit(town_director, world)
    first, second = upward.submission_files(submission)
    with pytest.raises(ApplicationError) as no_comment:
        upward.submission_review_file(actor=director, file=first, verdict=FileVerdict.RETURNED)
    assert "comment" in no_comment.value.fields
    assert SubmissionFile.objects.get(pk=first.pk).verdict == FileVerdict.PENDING

    upward.submission_review_file(actor=director, file=first, verdict=FileVerdict.RETURNED, comment="缺送达回证。")
    upward.submission_review_file(actor=director, file=second, verdict=FileVerdict.ACCEPTED)
    done = upward.submission_finish_review(actor=director, submission=submission)
    assert done.status == SubmissionStatus.RETURNED
    assert done.review_comment  # a default comment points at the files' comments
    assert SubmissionFile.objects.get(pk=first.pk).comment == "缺送达回证。"

    correction = _submit(town_director, world, correction_reason="按审核意见补正案卷。")
    assert correction.version == 2 and correction.files.count() == 2


def test_scope_another_town_gets_404_and_a_town_cannot_review(
    world: SimpleNamespace,
    town_director: User,
    other_town_director: User,
    director: User,
    clerk: User,
    archived_pair: list[Case],
) -> None:
    submission = _submit(town_director, world)
    row = upward.submission_files(submission)[0]
    from django.http import Http404

    with pytest.raises(Http404):
        upward.submission_get_for_user(submission_id=submission.pk, user=other_town_director)
    with pytest.raises(PermissionDeniedError):
        upward.submission_review_file(actor=town_director, file=row, verdict=FileVerdict.ACCEPTED)
    with pytest.raises(PermissionDeniedError):  # the district director does not submit for a town
        _submit(director, world)

    other = APIClient()
    other.force_authenticate(other_town_director)
    base = f"/api/v1/report-submissions/{submission.pk}/"
    assert other.get(base).status_code == 404
    assert other.post(base + f"files/{row.pk}/review/", {"verdict": "accepted"}, format="json").status_code == 404
    assert other.post(base + "finish-review/", {}, format="json").status_code == 404
    assert other.get("/api/v1/report-submissions/").json()["results"] == []

    town = APIClient()
    town.force_authenticate(town_director)
    answer = town.post(base + f"files/{row.pk}/review/", {"verdict": "accepted"}, format="json")
    assert answer.status_code == 403 and set(answer.json()) == {"error"}
    assert town.post(base + "finish-review/", {}, format="json").status_code == 403
    assert SubmissionFile.objects.get(pk=row.pk).verdict == FileVerdict.PENDING

    web = Client()
    web.force_login(other_town_director)
    assert web.get(f"/reports/upward/{submission.pk}/").status_code == 404
    web.force_login(town_director)
    assert (
        web.post(f"/reports/upward/{submission.pk}/files/{row.pk}/review/", {"verdict": "accepted"}).status_code == 403
    )
    web.force_login(clerk)
    assert web.get("/reports/upward/").status_code == 403


def test_the_api_flow_and_its_field_errors(
    world: SimpleNamespace, town_director: User, director: User, archived_pair: list[Case]
) -> None:
    town = APIClient()
    town.force_authenticate(town_director)
    bad = town.post(
        "/api/v1/report-submissions/",
        {"organization": "XHM", "period_kind": "quarter", "year": 2026, "number": 7},
        format="json",
    )
    assert bad.status_code == 400 and "number" in bad.json()["error"]["fields"]
    bad_kind = town.post("/api/v1/report-submissions/", {"organization": "XHM", "period_kind": "week", "year": 2026})
    assert bad_kind.status_code == 400 and "period_kind" in bad_kind.json()["error"]["fields"]
    assert town.post("/api/v1/report-submissions/", {"organization": "JG", **_this_month()}).status_code == 404
    assert not ReportSubmission.objects.exists()

    created = town.post("/api/v1/report-submissions/", {"organization": "XHM", **_this_month()}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["version"] == 1 and body["status"] == "submitted" and len(body["files"]) == 2
    again = town.post("/api/v1/report-submissions/", {"organization": "XHM", **_this_month()}, format="json")
    assert again.status_code == 400 and "correction_reason" in again.json()["error"]["fields"]

    district = APIClient()
    district.force_authenticate(director)
    inbox = district.get("/api/v1/report-submissions/?inbox=true").json()
    assert [row["id"] for row in inbox["results"]] == [body["id"]]
    base = f"/api/v1/report-submissions/{body['id']}/"
    returned = district.post(base + f"files/{body['files'][0]['id']}/review/", {"verdict": "returned"}, format="json")
    assert returned.status_code == 400 and "comment" in returned.json()["error"]["fields"]
    for row in body["files"]:
        answer = district.post(base + f"files/{row['id']}/review/", {"verdict": "accepted"}, format="json")
        assert answer.status_code == 200
    finished = district.post(base + "finish-review/", {"comment": "规范。"}, format="json")
    assert finished.status_code == 200 and finished.json()["status"] == "accepted"
    assert district.post(base + "finish-review/", {}, format="json").status_code == 409


def test_the_pages_preview_submit_and_review(
    world: SimpleNamespace, town_director: User, director: User, archived_pair: list[Case]
) -> None:
    web = Client()
    web.force_login(town_director)
    assert web.get("/reports/upward/").status_code == 200
    period = {"organization": "XHM", **_this_month()}
    bad = web.get("/reports/upward/new/", {**period, "number": 13})
    assert bad.status_code == 400 and "月份或季度".encode() in bad.content
    preview = web.get("/reports/upward/new/", period)
    assert preview.status_code == 200
    assert f"XHM-2026-D10-TJ-{archived_pair[0].pk:04d}".encode() in preview.content
    assert not ReportSubmission.objects.exists()
    answer = web.post("/reports/upward/new/", {**period, "correction_reason": ""})
    assert answer.status_code == 302, answer.content.decode()[-3000:]
    submission = ReportSubmission.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/reports/upward/{submission.pk}/"
    again = web.post("/reports/upward/new/", {**period, "correction_reason": ""})
    assert again.status_code == 400 and "更正原因".encode() in again.content
    assert ReportSubmission.objects.count() == 1

    web.force_login(director)
    page = web.get(f"/reports/upward/{submission.pk}/")
    assert page.status_code == 200 and "规范".encode() in page.content
    rows = upward.submission_files(submission)
    no_comment = web.post(f"/reports/upward/{submission.pk}/files/{rows[0].pk}/review/", {"verdict": "returned"})
    assert no_comment.status_code == 400 and "退回案卷须填写审核意见".encode() in no_comment.content
    for row in rows:
        web.post(f"/reports/upward/{submission.pk}/files/{row.pk}/review/", {"verdict": "accepted"})
    assert web.post(f"/reports/upward/{submission.pk}/finish/", {"comment": ""}).status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.ACCEPTED


def test_seed_upward_creates_an_accepted_a_returned_and_a_waiting_submission(
    world: SimpleNamespace, town_director: User, director: User, archived_pair: list[Case]
) -> None:
    from accounts.services import system_user
    from reports.upward_demo import seed_upward

    assert seed_upward(system_user()) == 3
    statuses = dict(ReportSubmission.objects.values_list("period_kind", "status"))
    assert statuses == {
        "month": SubmissionStatus.ACCEPTED,
        "quarter": SubmissionStatus.RETURNED,
        "year": SubmissionStatus.SUBMITTED,
    }
    returned = ReportSubmission.objects.get(period_kind="quarter")
    assert returned.files.filter(verdict=FileVerdict.RETURNED).exclude(comment="").count() == 1
    assert seed_upward(system_user()) == 0  # once only


def test_the_lists_cost_the_same_queries_for_more_submissions(
    world: SimpleNamespace,
    town_director: User,
    director: User,
    archived_pair: list[Case],
    django_assert_max_num_queries: Any,
) -> None:
    _submit(town_director, world)
    for n in range(4):
        _submit(town_director, world, correction_reason=f"第{n + 1}次更正。")
    api = APIClient()
    api.force_authenticate(director)
    web = Client()
    web.force_login(director)
    with django_assert_max_num_queries(12):
        listed = api.get("/api/v1/report-submissions/")
    assert listed.json()["count"] == 5
    with django_assert_max_num_queries(16):
        page = web.get("/reports/upward/")
    assert len(page.context["inbox"]) == 5
