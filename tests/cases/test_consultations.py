"""Consultations (咨询, docs/intake.md): logged, listed in scope, converted into a draft in one
step, counted in the consultation statistics (page and API)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases import consultations
from cases.models import Case, CaseEvent, Consultation
from cases.workflow import Status
from core.exceptions import ConflictError, PermissionDeniedError

URL = "/cases/consultations/"


def _api(user: Any) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _log(actor: Any, organization: Any, **overrides: Any) -> Consultation:
    data: dict[str, Any] = {"channel": "hotline_12351", "topic": "被拖欠工资怎么办"}
    data.update(overrides)
    return consultations.consultation_log(actor=actor, organization=organization, **data)


def test_a_clerk_logs_a_consultation_on_the_page(client, clerk, world):
    client.force_login(clerk)

    response = client.post(
        URL,
        {
            "organization": str(world.district.pk),
            "channel": "walk_in",
            "date": "",
            "topic": "试用期被辞退能否要求赔偿",
            "dispute_type": "TER",
            "caller_name": "赵某",
            "reference": "",
            "note": "入职两个月被口头辞退。",
        },
    )

    assert response.status_code == 302
    consultation = Consultation.objects.get()
    assert (consultation.organization, consultation.channel, consultation.dispute_type) == (
        world.district,
        "walk_in",
        "TER",
    )
    assert consultation.handled_by == clerk and consultation.date == timezone.localdate()
    assert consultation.history.get().history_user == clerk
    page = client.get(URL).content.decode()
    assert "试用期被辞退能否要求赔偿" in page and "转为案件" in page


def test_bad_input_is_refused_field_by_field_and_nothing_is_logged(client, mediator, world):
    client.force_login(mediator)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    response = client.post(
        URL, {"organization": str(world.district.pk), "channel": "", "topic": "", "date": tomorrow.isoformat()}
    )

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["channel"] == ["请选择咨询渠道。"]
    assert errors["topic"] == ["请填写咨询事项。"]
    assert errors["date"] == ["咨询日期不能晚于今天。"]
    assert not Consultation.objects.exists()


def test_read_only_roles_and_outsiders_cannot_log_or_convert(client, auditor, other_town_clerk, clerk, world):
    consultation = _log(clerk, world.district)
    with pytest.raises(PermissionDeniedError):
        _log(auditor, world.district)
    client.force_login(auditor)
    assert (
        client.post(URL, {"organization": str(world.district.pk), "channel": "walk_in", "topic": "x"}).status_code
        == 403
    )
    assert client.post(f"{URL}{consultation.pk}/convert/").status_code == 403
    client.force_login(other_town_clerk)
    assert client.post(f"{URL}{consultation.pk}/convert/").status_code == 404
    assert "被拖欠工资怎么办" not in client.get(URL).content.decode()
    assert Consultation.objects.count() == 1 and not Case.objects.exists()


def test_converting_makes_a_prefilled_draft_and_links_it(client, clerk, world):
    consultation = _log(clerk, world.town, dispute_type="PAY", caller_name="钱某", note="三个月工资未发。")
    client.force_login(clerk)

    response = client.post(f"{URL}{consultation.pk}/convert/")

    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert (case.organization, case.status, case.dispute_type) == (world.town, Status.DRAFT, "PAY")
    assert (case.source, case.channel) == ("hotline_12351", "oral")
    assert case.source_reference == f"咨询记录 {consultation.pk}"
    assert case.facts_summary == "被拖欠工资怎么办\n三个月工资未发。"
    assert case.parties.get(side="applicant").person.name == "钱某"
    assert case.created_by == clerk and CaseEvent.objects.filter(case=case, kind="created").count() == 1
    consultation.refresh_from_db()
    assert consultation.converted_case == case
    assert consultation.history.latest().history_change_reason == "converted to case"


def test_a_consultation_is_converted_once(clerk, world):
    consultation = _log(clerk, world.district, channel="online", dispute_type="SOC", reference="WS-1")
    case = consultations.consultation_convert(consultation=consultation, actor=clerk)
    assert (case.source, case.channel, case.source_reference) == ("online_platform", "online", "WS-1")

    with pytest.raises(ConflictError):
        consultations.consultation_convert(consultation=consultation, actor=clerk)
    assert Case.objects.count() == 1


def test_converting_without_a_dispute_type_asks_for_one(client, clerk, world):
    consultation = _log(clerk, world.district)
    client.force_login(clerk)

    response = client.post(f"{URL}{consultation.pk}/convert/", follow=True)

    assert "请选择争议类型" in response.content.decode()
    assert not Case.objects.exists()
    assert client.post(f"{URL}{consultation.pk}/convert/", {"dispute_type": "PAY"}).status_code == 302
    assert Case.objects.get().dispute_type == "PAY"


def test_consultations_count_in_the_statistics_by_channel_and_month(
    clerk, town_clerk, world, django_assert_max_num_queries
):
    today = timezone.localdate()
    first = today.replace(day=1)
    last_month = first - dt.timedelta(days=1)
    _log(clerk, world.district, date=first)
    _log(clerk, world.district, channel="walk_in", date=first)
    converted = _log(clerk, world.district, channel="walk_in", date=last_month, dispute_type="PAY")
    consultations.consultation_convert(consultation=converted, actor=clerk)
    _log(town_clerk, world.town, channel="petition_12345", date=first)
    _log(clerk, world.district, date=first - dt.timedelta(days=400))  # outside the period

    with django_assert_max_num_queries(3):
        stats = consultations.consultation_stats(
            organization=world.district, date_from=last_month.replace(day=1), date_to=today
        )

    assert stats["consultations"] == 3 and stats["converted_to_cases"] == 1
    assert stats["by_channel"] == {"walk_in": 2, "hotline_12351": 1, "petition_12345": 0, "online": 0, "other": 0}
    assert stats["by_month"][f"{first:%Y-%m}"]["total"] == 2
    assert stats["by_month"][f"{last_month:%Y-%m}"]["by_channel"]["walk_in"] == 1
    with_towns = consultations.consultation_stats(
        organization=world.district, date_from=last_month.replace(day=1), date_to=today, include_children=True
    )
    assert with_towns["consultations"] == 4 and with_towns["by_channel"]["petition_12345"] == 1


def test_the_api_logs_lists_converts_and_counts(clerk, auditor, other_town_clerk, world):
    created = _api(clerk).post(
        "/api/v1/consultations/",
        {"organization": "DX", "channel": "other", "topic": "社保断缴", "dispute_type": "SOC"},
        format="json",
    )
    assert created.status_code == 201, created.content
    consultation_id = created.json()["id"]
    assert created.json()["handled_by"]["id"] == clerk.pk and created.json()["converted_case_id"] is None

    listed = _api(auditor).get("/api/v1/consultations/?channel=other").json()
    assert [row["id"] for row in listed["results"]] == [consultation_id]
    assert _api(other_town_clerk).get("/api/v1/consultations/").json()["results"] == []
    assert _api(auditor).post(f"/api/v1/consultations/{consultation_id}/convert/", {}, format="json").status_code == 403

    converted = _api(clerk).post(f"/api/v1/consultations/{consultation_id}/convert/", {}, format="json")
    assert converted.status_code == 201
    assert converted.json()["status"] == "draft" and converted.json()["source"] == "walk_in_written"
    again = _api(clerk).post(f"/api/v1/consultations/{consultation_id}/convert/", {}, format="json")
    assert again.status_code == 409

    today = timezone.localdate().isoformat()
    stats = _api(auditor).get(f"/api/v1/consultations/stats/?organization=DX&date_from={today}&date_to={today}")
    assert stats.status_code == 200
    assert stats.json()["consultations"] == 1 and stats.json()["converted_to_cases"] == 1
    assert stats.json()["by_channel"]["other"] == 1
    outside = _api(other_town_clerk).get(
        f"/api/v1/consultations/stats/?organization=DX&date_from={today}&date_to={today}"
    )
    assert outside.status_code == 404


@pytest.mark.parametrize("role", ["liaison", "admin_user"])
def test_liaisons_and_admins_neither_read_nor_log_consultations(request, role, clerk, world):
    _log(clerk, world.district)
    user = request.getfixturevalue(role)
    client = _api(user)
    today = timezone.localdate().isoformat()
    stats_url = f"/api/v1/consultations/stats/?organization=DX&date_from={today}&date_to={today}"
    for response in (
        client.get("/api/v1/consultations/"),
        client.get(stats_url),
        client.get("/api/v1/consultations/stats/"),  # refused before the missing parameters
        client.post("/api/v1/consultations/", {}, format="json"),
        client.post("/api/v1/consultations/", {"organization": "DX", "channel": "other", "topic": "x"}, format="json"),
    ):
        assert response.status_code == 403, response.content
        assert set(response.json()) == {"error"}
    assert Consultation.objects.count() == 1
    page = Client()
    page.force_login(user)
    assert page.get(URL).status_code == 403


def test_an_auditor_reads_but_cannot_log_whatever_the_body(auditor, world):
    client = _api(auditor)
    assert client.get("/api/v1/consultations/").status_code == 200
    for body in ({}, {"organization": "DX", "channel": "other", "topic": "社保断缴"}):
        assert client.post("/api/v1/consultations/", body, format="json").status_code == 403
    assert not Consultation.objects.exists()


def test_a_writer_with_an_empty_body_gets_the_field_errors(mediator, world):
    response = _api(mediator).post("/api/v1/consultations/", {}, format="json")
    assert response.status_code == 400
    assert {"organization", "channel", "topic"} <= set(response.json()["error"]["fields"])


def test_the_dashboard_shows_the_consultations_of_the_period(client, clerk, town_clerk, director, world):
    today = timezone.localdate()
    _log(clerk, world.district, channel="walk_in", date=today)
    converted = _log(clerk, world.district, channel="hotline_12351", date=today, dispute_type="PAY")
    consultations.consultation_convert(consultation=converted, actor=clerk)
    _log(town_clerk, world.town, channel="walk_in", date=today)
    _log(clerk, world.district, channel="walk_in", date=today - dt.timedelta(days=400))  # another period

    client.force_login(director)
    html = client.get(f"/reports/?organization=DX&period=custom&from={today}&to={today}").content.decode()
    assert 'data-figure="consultations">2<' in html
    assert 'data-figure="consultations_converted">1<' in html
    assert 'data-consultation-channel="walk_in">1<' in html
    assert 'data-consultation-channel="hotline_12351">1<' in html
    with_towns = client.get(f"/reports/?organization=DX&period=custom&from={today}&to={today}&include_children=1")
    assert 'data-figure="consultations">3<' in with_towns.content.decode()
