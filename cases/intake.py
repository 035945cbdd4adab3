"""登记申请: a draft case with its applicants, respondent and claims, all or nothing.

Runs the existing services (case_create, person_get_or_create, employer_get_or_create,
case_party_add, claim_add) in one transaction, collects every field message under a
prefixed key ("applicants-0-id_number", "respondent-uscc", "claims-1-amount") and, when
anything is wrong, raises one ApplicationError so the transaction rolls back whole.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.access import can_write_cases_of
from accounts.models import Organization, User
from cases import services, vocab
from cases.models import Case, CaseParty, Employer, Person
from cases.workflow import Status
from core.exceptions import ApplicationError, PermissionDeniedError

#: A case in one of these states is no longer open work for the duplicate check.
FINISHED_STATES = (Status.CLOSED, Status.ARCHIVED, Status.REJECTED, Status.WITHDRAWN, Status.TERMINATED)

T = TypeVar("T")


class _Collector:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)

    def run(self, prefix: str, call: Callable[[], T]) -> T | None:
        """Run one service call in a savepoint; file its field messages under `prefix`."""
        try:
            with transaction.atomic():
                return call()
        except PermissionDeniedError:
            raise
        except ApplicationError as exc:
            for field, messages in exc.fields.items():
                key = f"{prefix}-{field}" if prefix else field
                for message in messages:
                    self.add(key, message)
            if not exc.fields:
                self.add(prefix or "__all__", exc.message)
            return None


def case_intake(
    *,
    actor: User,
    organization: Organization,
    dispute_type: str,
    source: str,
    channel: str,
    facts_summary: str,
    workers_involved: Any,
    source_reference: str,
    referring_body: str,
    applicants: list[dict[str, Any]],
    respondent: dict[str, Any],
    claims: list[dict[str, Any]],
) -> Case:
    """A new draft (草稿) with its parties and claims. Nothing is written when anything is wrong."""
    if not can_write_cases_of(actor, organization):
        raise PermissionDeniedError(_("您没有在“%s”办理案件的权限。") % organization.name)
    found = _Collector()
    if not applicants:
        found.add("applicants", _("请至少填写一名申请人。"))
    if not claims:
        found.add("claims", _("请至少填写一项请求事项。"))
    if problem := vocab.source_reference_problem(source, source_reference):
        found.add("source_reference", problem)
    with transaction.atomic():
        case = found.run(
            "",
            partial(
                services.case_create,
                actor=actor,
                organization=organization,
                dispute_type=dispute_type,
                source=source,
                channel=channel,
                facts_summary=(facts_summary or "").strip(),
                workers_involved=workers_involved,
                source_reference=(source_reference or "").strip(),
                referring_body=(referring_body or "").strip(),
            ),
        )
        for index, item in enumerate(applicants):
            prefix = f"applicants-{index}"
            person = found.run(prefix, partial(services.person_get_or_create, actor=actor, **item))
            if case is not None and person is not None:
                found.run(
                    prefix,
                    partial(services.case_party_add, case=case, actor=actor, side=vocab.Side.APPLICANT, person=person),
                )
        employer = found.run("respondent", partial(services.employer_get_or_create, actor=actor, **respondent))
        if case is not None and employer is not None:
            found.run(
                "respondent",
                partial(services.case_party_add, case=case, actor=actor, side=vocab.Side.RESPONDENT, employer=employer),
            )
        for index, item in enumerate(claims):
            prefix = f"claims-{index}"
            if case is not None:
                found.run(prefix, partial(services.claim_add, case=case, actor=actor, **item))
            else:  # no draft to attach to: check what can be checked without one
                found.run(prefix, partial(services.parse_amount, item.get("amount")))
        if found.errors or case is None:
            raise ApplicationError(_("申请信息有误，请按提示修改。"), fields=found.errors)
    return case


def intake_duplicates(*, case: Case, user: Any) -> QuerySet[Case]:
    """Other open cases, within what `user` may see, between one of this case's applicants
    (same ID number) and its respondent (same USCC): a hint that it was filed before."""
    from cases.selectors import case_queryset_for_user

    parties = CaseParty.objects.filter(case=case)
    persons = Person.objects.filter(
        pk__in=parties.filter(side=vocab.Side.APPLICANT, person__isnull=False).values("person_id")
    ).exclude(id_number_hash="")
    employers = Employer.objects.filter(
        pk__in=parties.filter(side=vocab.Side.RESPONDENT, employer__isnull=False).values("employer_id")
    ).exclude(uscc="")
    return (
        case_queryset_for_user(user)
        .exclude(pk=case.pk)
        .exclude(status__in=FINISHED_STATES)
        .filter(parties__side=vocab.Side.APPLICANT, parties__person__in=persons)
        .filter(parties__side=vocab.Side.RESPONDENT, parties__employer__in=employers)
        .select_related("organization")
        .distinct()
        .order_by("-created_at")
    )
