"""The case state machine (DESIGN.md §4): states, transitions, who may fire them, guards.

The transition methods themselves are declared on `Case` (cases/models.py) from the table
below; this module holds the table, the role checks and the guards. Guards are pure
functions of the case returning a message (Chinese) when the transition must not happen.
Higher layers (mediation, linkage, documents) add their guards with `register_guard` in
their AppConfig.ready(), so the lower layer never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts.models import Role

if TYPE_CHECKING:
    from cases.models import Case


class Status(models.TextChoices):
    DRAFT = "draft", gettext_lazy("草稿")
    REGISTERED = "registered", gettext_lazy("已登记（待审查）")
    AWAITING_CONSENT = "awaiting_consent", gettext_lazy("征询对方意见中")
    ACCEPTED = "accepted", gettext_lazy("已受理")
    IN_MEDIATION = "in_mediation", gettext_lazy("调解中")
    AGREEMENT_PENDING = "agreement_pending", gettext_lazy("协议待签署")
    AGREEMENT_EFFECTIVE = "agreement_effective", gettext_lazy("调解成功（履行中）")
    PERFORMED = "performed", gettext_lazy("已履行完毕")
    NOT_PERFORMED = "not_performed", gettext_lazy("未履行（已引导救济）")
    TERMINATED = "terminated", gettext_lazy("调解终止（调解不成）")
    WITHDRAWN = "withdrawn", gettext_lazy("已撤回")
    REJECTED = "rejected", pgettext_lazy("case status", "不予受理")
    CLOSING = "closing", gettext_lazy("结案审批中")
    CLOSED = "closed", gettext_lazy("已结案")
    ARCHIVED = "archived", gettext_lazy("已归档")


S = Status
#: Outcome states from which closure may be submitted (and to which return_closure goes back).
OUTCOME_STATES = (S.REJECTED, S.WITHDRAWN, S.TERMINATED, S.PERFORMED, S.NOT_PERFORMED)
#: States in which the case is still open work (not an outcome, not closed).
OPEN_STATES = (
    S.DRAFT,
    S.REGISTERED,
    S.AWAITING_CONSENT,
    S.ACCEPTED,
    S.IN_MEDIATION,
    S.AGREEMENT_PENDING,
    S.AGREEMENT_EFFECTIVE,
)
#: States counted as 调解成功 (an effective agreement was reached).
SETTLED_STATES = (S.AGREEMENT_EFFECTIVE, S.PERFORMED, S.NOT_PERFORMED)
#: States whose clock C (mediation period) is running.
MEDIATION_CLOCK_STATES = (S.ACCEPTED, S.IN_MEDIATION, S.AGREEMENT_PENDING)


@dataclass(frozen=True)
class TransitionSpec:
    name: str
    sources: tuple[str, ...]
    target: str | None  # None: back to the state recorded before closure (return_closure)
    roles: frozenset[str]
    label: Any
    reason_required: bool = False
    confirm: Any = ""


def _spec(
    name: str,
    sources: tuple[str, ...],
    target: str | None,
    roles: set[str],
    label: Any,
    *,
    reason_required: bool = False,
) -> TransitionSpec:
    return TransitionSpec(name, tuple(sources), target, frozenset(roles), label, reason_required)


CLERK, MEDIATOR, DIRECTOR = Role.CLERK, Role.MEDIATOR, Role.DIRECTOR

TRANSITIONS: dict[str, TransitionSpec] = {
    spec.name: spec
    for spec in (
        _spec("register", (S.DRAFT,), S.REGISTERED, {CLERK, MEDIATOR}, gettext_lazy("登记")),
        _spec("seek_consent", (S.REGISTERED,), S.AWAITING_CONSENT, {CLERK, MEDIATOR}, gettext_lazy("征询对方意见")),
        _spec("accept", (S.REGISTERED, S.AWAITING_CONSENT), S.ACCEPTED, {DIRECTOR}, gettext_lazy("受理")),
        _spec("reject", (S.REGISTERED, S.AWAITING_CONSENT), S.REJECTED, {DIRECTOR}, gettext_lazy("不予受理")),
        # Automatic when the first session is scheduled, by whoever schedules it.
        _spec("start", (S.ACCEPTED,), S.IN_MEDIATION, {MEDIATOR, CLERK}, gettext_lazy("开始调解")),
        # The reason is the one in the extension request the director approves.
        _spec("extend", (S.IN_MEDIATION,), S.IN_MEDIATION, {DIRECTOR}, gettext_lazy("延期")),
        _spec("draft_agreement", (S.IN_MEDIATION,), S.AGREEMENT_PENDING, {MEDIATOR}, gettext_lazy("拟定调解协议")),
        _spec(
            "reopen_negotiation",
            (S.AGREEMENT_PENDING,),
            S.IN_MEDIATION,
            {MEDIATOR},
            gettext_lazy("重新协商"),
            reason_required=True,
        ),
        _spec("make_effective", (S.AGREEMENT_PENDING,), S.AGREEMENT_EFFECTIVE, {MEDIATOR}, gettext_lazy("协议生效")),
        _spec(
            "terminate",
            (S.ACCEPTED, S.IN_MEDIATION, S.AGREEMENT_PENDING),
            S.TERMINATED,
            {DIRECTOR},
            gettext_lazy("终止调解"),
        ),
        _spec(
            "withdraw",
            (S.REGISTERED, S.AWAITING_CONSENT, S.ACCEPTED, S.IN_MEDIATION, S.AGREEMENT_PENDING),
            S.WITHDRAWN,
            {CLERK, MEDIATOR},
            gettext_lazy("撤回"),
        ),
        _spec(
            "confirm_performance",
            (S.AGREEMENT_EFFECTIVE, S.NOT_PERFORMED),
            S.PERFORMED,
            {MEDIATOR, CLERK},
            gettext_lazy("确认履行完毕"),
        ),
        _spec(
            "record_non_performance",
            (S.AGREEMENT_EFFECTIVE,),
            S.NOT_PERFORMED,
            {MEDIATOR, CLERK},
            gettext_lazy("记录未履行"),
            reason_required=True,
        ),
        _spec("submit_closure", OUTCOME_STATES, S.CLOSING, {MEDIATOR, CLERK}, gettext_lazy("提交结案")),
        _spec("approve_closure", (S.CLOSING,), S.CLOSED, {DIRECTOR}, gettext_lazy("批准结案")),
        _spec("return_closure", (S.CLOSING,), None, {DIRECTOR}, gettext_lazy("退回结案"), reason_required=True),
        _spec("archive", (S.CLOSED,), S.ARCHIVED, {CLERK}, gettext_lazy("归档")),
    )
}

#: Transitions whose services this foundation wires for the UI; the mediation, linkage and
#: documents issues wire the rest (their guards need the sessions, agreements, documents).
WIRED_TRANSITIONS = (
    "register",
    "seek_consent",
    "accept",
    "reject",
    "withdraw",
    "terminate",
    "submit_closure",
    "approve_closure",
    "return_closure",
)

Guard = Callable[["Case"], "str | None"]
GUARDS: dict[str, list[Guard]] = {name: [] for name in TRANSITIONS}

#: Effects run inside the transition's transaction, after the case and its event are saved
#: (e.g. the mediation app opens the service records of a rejection notice). They receive
#: the case, the actor and the time of the transition; they must only write to the database.
Effect = Callable[["Case", Any, Any], None]
EFFECTS: dict[str, list[Effect]] = {name: [] for name in TRANSITIONS}


def register_effect(name: str) -> Callable[[Effect], Effect]:
    if name not in TRANSITIONS:
        raise KeyError(f"unknown transition {name!r}")

    def decorator(func: Effect) -> Effect:
        if func not in EFFECTS[name]:
            EFFECTS[name].append(func)
        return func

    return decorator


def register_guard(name: str) -> Callable[[Guard], Guard]:
    """Decorator: add a guard to transition `name` (used by this module and higher layers)."""
    if name not in TRANSITIONS:
        raise KeyError(f"unknown transition {name!r}")

    def decorator(func: Guard) -> Guard:
        if func not in GUARDS[name]:
            GUARDS[name].append(func)
        return func

    return decorator


def blockers(case: Case, name: str) -> list[str]:
    """Messages of every guard that refuses transition `name` now (empty: allowed)."""
    return [msg for guard in GUARDS[name] if (msg := guard(case))]


def guards_pass(name: str) -> Callable[[Case], bool]:
    def condition(case: Case) -> bool:
        return not blockers(case, name)

    condition.__name__ = f"guards_pass_{name}"
    return condition


def role_permission(name: str) -> Callable[[Case, Any], bool]:
    """django-fsm `permission=` callable: the user holds one of the transition's roles over
    the case's organisation. Closure is never approved by a mediator of the same case."""
    from accounts.access import roles_for_organization

    spec = TRANSITIONS[name]

    def permission(case: Case, user: Any) -> bool:
        if not roles_for_organization(user, case.organization) & spec.roles:
            return False
        if name == "approve_closure" and case.assignments.filter(user=user, active=True).exists():
            return False
        return True

    permission.__name__ = f"may_{name}"
    return permission


# --- the foundation's guards -------------------------------------------------------------


@register_guard("register")
def _has_parties_and_claims(case: Case) -> str | None:
    from cases.vocab import Side

    missing = []
    sides = set(case.parties.values_list("side", flat=True))
    if Side.APPLICANT not in sides:
        missing.append(_("至少一名申请人"))
    if Side.RESPONDENT not in sides:
        missing.append(_("至少一名被申请人"))
    if not case.claims.exists():
        missing.append(_("至少一项请求事项"))
    if missing:
        return _("登记前需补充：%s。") % "、".join(missing)
    return None


@register_guard("reject")
def _rejection_reason_given(case: Case) -> str | None:
    return None if case.rejection_reason else _("不予受理须选择理由。")


@register_guard("terminate")
def _termination_reason_given(case: Case) -> str | None:
    return None if case.termination_reason else _("终止调解须选择理由。")


@register_guard("terminate")
def _deadline_expired_only_after_due(case: Case) -> str | None:
    from django.utils import timezone

    if case.termination_reason == "deadline_expired" and (
        case.mediation_due_on is None or timezone.localdate() <= case.mediation_due_on
    ):
        return _("以“期限届满”终止须在调解期限（%s）届满之后。") % case.mediation_due_on
    return None


@register_guard("withdraw")
def _withdrawal_reason_given(case: Case) -> str | None:
    return None if case.withdrawal_reason else _("撤回须选择理由。")


def _other_reason_explained(field: str) -> Guard:
    def guard(case: Case) -> str | None:
        if getattr(case, field) == "other" and not case.outcome_note.strip():
            return _("理由选择“其他”时须填写具体说明。")
        return None

    return guard


register_guard("reject")(_other_reason_explained("rejection_reason"))
register_guard("terminate")(_other_reason_explained("termination_reason"))
register_guard("withdraw")(_other_reason_explained("withdrawal_reason"))


@register_guard("return_closure")
def _has_state_to_return_to(case: Case) -> str | None:
    return None if case.pre_closure_status else _("找不到结案前的状态，无法退回。")


def may_fire(case: Case, name: str, user: Any) -> bool:
    """The user's role allows transition `name` on this case from its current state.
    (django_fsm.has_transition_perm also evaluates the guards; this deliberately does not,
    so a refusal by a guard is reported as such, not as a missing permission.)"""
    spec = TRANSITIONS[name]
    if case.status not in spec.sources:
        return False
    meta = getattr(type(case), name)._django_fsm
    return bool(meta.has_transition_perm(case, case.status, user))
