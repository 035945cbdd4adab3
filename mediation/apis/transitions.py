"""Transitions of the mediation work, and the case amounts shown by the case API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.models import User
from cases.apis import (
    CaseTransitionApi,
    register_case_amounts,
    transition_endpoint,
)
from cases.models import Case
from mediation import services
from mediation.apis.common import (
    _agreed_and_recovered,
)

# --- transitions of the mediation work ------------------------------------------------------------


@transition_endpoint
class CaseExtendApi(CaseTransitionApi):
    """批准待审批的延期申请（先由调解员 POST /cases/{id}/extensions/ 申请）；调解期限相应顺延。"""

    name = "extend"

    def perform(self, *, case: Case, actor: User, data: dict[str, Any]) -> None:
        services.case_extend(case=case, actor=actor)


@transition_endpoint
class CaseDraftAgreementApi(CaseTransitionApi):
    """根据请求事项生成协议草稿（每项请求一项履行义务）。须至少有一份已完成的笔录。"""

    name = "draft_agreement"

    def perform(self, *, case: Case, actor: User, data: dict[str, Any]) -> None:
        services.agreement_draft(case=case, actor=actor)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="理由（必填）")


@transition_endpoint
class CaseReopenNegotiationApi(CaseTransitionApi):
    """协议草稿作废（已有签名一并作废），案件回到“调解中”。"""

    name = "reopen_negotiation"
    InputSerializer = ReasonSerializer

    def perform(self, *, case: Case, actor: User, data: dict[str, Any]) -> None:
        services.case_reopen_negotiation(case=case, actor=actor, reason=data["reason"])


@transition_endpoint
class CaseMakeEffectiveApi(CaseTransitionApi):
    """协议生效：须各项义务有期限和金额、各方和调解员已签名、已盖章。生效后安排回访并生成协议书送达记录。"""

    name = "make_effective"

    def perform(self, *, case: Case, actor: User, data: dict[str, Any]) -> None:
        services.case_make_effective(case=case, actor=actor)


@transition_endpoint
class CaseConfirmPerformanceApi(CaseTransitionApi):
    """各项义务均已履行（付款足额、非金钱义务已确认）。"""

    name = "confirm_performance"

    def perform(self, *, case: Case, actor: User, data: dict[str, Any]) -> None:
        services.case_confirm_performance(case=case, actor=actor)


@transition_endpoint
class CaseRecordNonPerformanceApi(CaseTransitionApi):
    """有义务逾期未履行，且在期限届满后已登记督促。"""

    name = "record_non_performance"
    InputSerializer = ReasonSerializer

    def perform(self, *, case: Case, actor: User, data: dict[str, Any]) -> None:
        services.case_record_non_performance(case=case, actor=actor, reason=data["reason"])


def register() -> None:
    """Called from MediationConfig.ready(): the case API shows the agreed and recovered sums."""
    register_case_amounts(_agreed_and_recovered)
