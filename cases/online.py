"""Online applications (网上申请, docs/intake.md): the public form /apply/ and partner platforms
file a draft case without a login; the applicant follows it with a tracking code.

- `online_application_submit` validates everything first (field by field, nothing written
  when anything is wrong), then writes the draft, its parties, claims and evidence in one
  transaction, with the system user as the actor (no staff member did it).
- The tracking code is random (12 characters of an alphabet without 0/O, 1/I/L) and is
  stored only as a keyed hash; so are the last four digits of the applicant's phone.
- `online_application_status` answers the public status lookup: the state in plain words and
  the next step, never a party's data; a wrong code and a wrong phone get the same None.
- Anti-abuse without CAPTCHA: per-address counters in the Django cache (`rate_limited`,
  `rate_count`), a signed form timestamp (`form_stamp`, refused when too fast or stale) and a
  honeypot field (the views).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organization, User
from accounts.services import system_user
from cases import services, vocab
from cases.models import (
    Case,
    OnlineApplication,
    OnlineApplicationFile,
    PlatformClient,
)
from cases.workflow import Status
from core import crypto
from core.exceptions import ApplicationError, ConflictError
from core.history import save_with_history
from core.uploads import evidence_problem, stored_name
from core.validators import normalize_phone, normalize_resident_id, normalize_uscc

#: Unambiguous characters only: no 0/O, 1/I/L, so a code read over the phone is typed right.
TRACKING_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
TRACKING_LENGTH = 12
MAX_CLAIMS = 5
MAX_EVIDENCE = 3
MAX_FACTS = 5000

#: Successful (or refused-as-automated) submissions per client address and hour.
SUBMIT_LIMIT = 5
#: Status lookups per client address and hour, and failed lookups per tracking code and hour.
LOOKUP_LIMIT = 20
LOOKUP_FAILURES_PER_CODE = 10
WINDOW_SECONDS = 3600
#: A person needs more than this to fill in the form; the signed stamp expires after a day.
MIN_FILL_SECONDS = 5
FORM_MAX_AGE = 24 * 3600
_STAMP_SALT = "cases.online.form-stamp"

#: Declarations of the application (DOMAIN.md §8 D1): the first three are required.
REQUIRED_CONSENTS: dict[str, Any] = {
    "pipl_notice": gettext_lazy(
        "我已阅读《个人信息处理告知书》，同意调解中心为办理本次调解处理我提供的个人信息（含身份证号、联系电话）。"
    ),
    "voluntary": gettext_lazy("我自愿申请调解。"),
    "truthful": gettext_lazy("我保证所填内容真实，知悉虚假陈述的后果。"),
}
OPTIONAL_CONSENTS: dict[str, Any] = {
    "e_service": gettext_lazy("同意以短信、电子邮件等电子方式向我送达调解文书。"),
    "transfer_court": gettext_lazy("单独同意：需要时将我的申请材料提供给人民法院（司法确认、诉调对接）。"),
    "transfer_arbitration": gettext_lazy("单独同意：需要时将我的申请材料提供给劳动人事争议仲裁委员会。"),
    "transfer_inspection": gettext_lazy("单独同意：需要时将我的申请材料提供给劳动保障监察机构。"),
}


# --- tracking codes ----------------------------------------------------------------------------


def tracking_code_new() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _i in range(TRACKING_LENGTH))


def tracking_code_normalize(raw: str) -> str:
    """What the applicant typed, as stored: upper case, without spaces or dashes."""
    return "".join(ch for ch in (raw or "").upper() if ch not in " -\t")


def tracking_code_display(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _code_hash(code: str) -> str:
    return crypto.lookup_hash("online-tracking:" + code)


def _phone_hash(code: str, last4: str) -> str:
    # Salted with the code: the same four digits hash differently on every application.
    return crypto.lookup_hash(f"online-phone:{code}:{last4}")


# --- anti-abuse ---------------------------------------------------------------------------------


def _counter_key(scope: str, subject: str) -> str:
    return f"online:{scope}:{crypto.lookup_hash(subject)[:32]}"


def rate_count(scope: str, subject: str) -> int:
    """Add one to the hourly counter of `scope` for `subject` (an address, a code)."""
    key = _counter_key(scope, subject)
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        return 1


def rate_limited(scope: str, subject: str, limit: int) -> bool:
    """True when `subject` has used up `limit` in the current hour of `scope`."""
    return int(cache.get(_counter_key(scope, subject), 0)) >= limit


def form_stamp() -> str:
    """A signed timestamp for the public form's hidden field."""
    return signing.dumps(time.time(), salt=_STAMP_SALT)


def form_stamp_problem(stamp: str) -> tuple[str, bool] | None:
    """Why a submission carrying `stamp` is refused, and whether the form needs a new stamp
    (stale or forged) or keeps its own (too fast: the time it was opened still counts)."""
    try:
        started = float(signing.loads(stamp or "", salt=_STAMP_SALT, max_age=FORM_MAX_AGE))
    except signing.SignatureExpired:
        return _("表单已超过24小时未提交，请核对后重新提交。"), True
    except (signing.BadSignature, TypeError, ValueError):
        return _("表单校验未通过，请核对后重新提交。"), True
    if time.time() - started > FORM_MAX_AGE:
        return _("表单已超过24小时未提交，请核对后重新提交。"), True
    if time.time() - started < MIN_FILL_SECONDS:
        return _("提交过快，请核对填写的内容后再提交。"), False
    return None


# --- submission -----------------------------------------------------------------------------------


@dataclass
class _Clean:
    applicant: dict[str, str]
    employer: dict[str, str]
    claims: list[dict[str, Any]]
    consents: dict[str, bool]


def _text(value: Any) -> str:
    return str(value or "").strip()


def _validate(
    *,
    organization: Organization | None,
    applicant: dict[str, Any],
    employer: dict[str, Any],
    dispute_type: str,
    claims: list[dict[str, Any]],
    facts: str,
    evidence: list[UploadedFile],
    consents: dict[str, Any],
) -> _Clean:
    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    if organization is None or not organization.active:
        add("organization", _("请选择受理申请的调解中心。"))
    person = {key: _text(applicant.get(key)) for key in ("name", "id_number", "phone", "address")}
    if not person["name"]:
        add("applicant.name", _("请填写申请人姓名。"))
    elif len(person["name"]) > 50:
        add("applicant.name", _("姓名不能超过50个字。"))
    try:
        person["id_number"] = normalize_resident_id(person["id_number"])
    except ValueError as exc:
        add("applicant.id_number", _("请填写身份证号码。") if not person["id_number"] else str(exc))
    try:
        person["phone"] = normalize_phone(person["phone"])
    except ValueError as exc:
        add("applicant.phone", _("请填写联系电话（手机号）。") if not person["phone"] else str(exc))
    if not person["address"]:
        add("applicant.address", _("请填写送达地址（接收调解文书的地址）。"))
    elif len(person["address"]) > 200:
        add("applicant.address", _("地址不能超过200个字。"))
    unit = {"name": _text(employer.get("name")), "uscc": _text(employer.get("uscc"))}
    if not unit["name"]:
        add("employer.name", _("请填写用人单位名称。"))
    elif len(unit["name"]) > 200:
        add("employer.name", _("单位名称不能超过200个字。"))
    if unit["uscc"]:
        try:
            unit["uscc"] = normalize_uscc(unit["uscc"])
        except ValueError as exc:
            add("employer.uscc", str(exc))
    if dispute_type not in vocab.DisputeType.values:
        add("dispute_type", _("请选择争议类型。"))
    if not _text(facts):
        add("facts", _("请简要写明事实与理由。"))
    elif len(_text(facts)) > MAX_FACTS:
        add("facts", _("事实与理由不能超过%d个字。") % MAX_FACTS)
    cleaned_claims = _validate_claims(claims, add)
    if len(evidence) > MAX_EVIDENCE:
        add("evidence", _("最多上传%d个证据文件。") % MAX_EVIDENCE)
    for index, upload in enumerate(evidence[:MAX_EVIDENCE]):
        if problem := evidence_problem(upload):
            add(f"evidence.{index}", problem)
    given = {key: consents.get(key) is True for key in (*REQUIRED_CONSENTS, *OPTIONAL_CONSENTS)}
    for key in REQUIRED_CONSENTS:
        if not given[key]:
            add(f"consents.{key}", _("请阅读并勾选此项，否则无法提交申请。"))
    if errors:
        raise ApplicationError(_("申请信息有误，请按提示修改。"), fields=errors)
    return _Clean(applicant=person, employer=unit, claims=cleaned_claims, consents=given)


def _validate_claims(claims: list[dict[str, Any]], add: Any) -> list[dict[str, Any]]:
    if not claims:
        add("claims", _("请至少填写一项请求事项。"))
    if len(claims) > MAX_CLAIMS:
        add("claims", _("最多填写%d项请求事项。") % MAX_CLAIMS)
    cleaned = []
    for index, item in enumerate(claims[:MAX_CLAIMS]):
        claim_type, description = _text(item.get("claim_type")), _text(item.get("description"))
        if claim_type not in vocab.ClaimType.values:
            add(f"claims.{index}.claim_type", _("请选择请求类型。"))
        if not description:
            add(f"claims.{index}.description", _("请填写请求内容。"))
        elif len(description) > 300:
            add(f"claims.{index}.description", _("请求内容不能超过300个字。"))
        try:
            amount = services.parse_amount(item.get("amount"))
        except ApplicationError as exc:
            add(f"claims.{index}.amount", exc.message)
            amount = None
        if claim_type in vocab.NON_MONETARY_CLAIMS and amount is not None:
            add(f"claims.{index}.amount", _("非金钱请求（如出具离职证明）不填写金额。"))
        cleaned.append({"claim_type": claim_type, "description": description, "amount": amount})
    return cleaned


def _public_reference() -> str:
    """The number staff see as the case's 来源编号 (not the tracking code, which is a secret)."""
    today = timezone.localdate()
    return f"WS{today:%Y%m%d}-" + "".join(secrets.choice(TRACKING_ALPHABET) for _i in range(6))


def online_application_submit(
    *,
    organization: Organization | None,
    applicant: dict[str, Any],
    employer: dict[str, Any],
    dispute_type: str,
    claims: list[dict[str, Any]],
    facts: str,
    evidence: list[UploadedFile] | None = None,
    consents: dict[str, Any],
    platform: PlatformClient | None = None,
    platform_reference: str = "",
) -> tuple[OnlineApplication, str]:
    """A draft case (source 网上调解平台, channel 网上) in `organization`, created by the system
    user. Returns the application and its tracking code, which exists nowhere else in clear."""
    evidence = list(evidence or [])
    clean = _validate(
        organization=organization,
        applicant=applicant,
        employer=employer,
        dispute_type=dispute_type,
        claims=claims,
        facts=facts,
        evidence=evidence,
        consents=consents,
    )
    assert organization is not None  # checked by _validate  # noqa: S101
    if platform is not None:
        platform_reference = _text(platform_reference)
        if OnlineApplication.objects.filter(platform=platform, reference=platform_reference).exists():
            raise ConflictError(
                _("编号为“%s”的申请已提交过，不会重复登记。") % platform_reference,
                fields={"platform_reference": [_("该平台编号已提交过。")]},
            )
    actor = system_user()
    code = tracking_code_new()
    reference = platform_reference if platform is not None else _public_reference()
    try:
        with transaction.atomic():
            case = services.case_create(
                actor=actor,
                organization=organization,
                dispute_type=dispute_type,
                source=vocab.CaseSource.ONLINE_PLATFORM,
                channel=vocab.Channel.ONLINE,
                facts_summary=_text(facts),
                source_reference=reference,
                event_payload={"via": "online", "reference": reference},
            )
            person = services.person_get_or_create(actor=actor, **clean.applicant)
            services.case_party_add(case=case, actor=actor, side=vocab.Side.APPLICANT, person=person)
            unit = services.employer_get_or_create(actor=actor, **clean.employer)
            services.case_party_add(case=case, actor=actor, side=vocab.Side.RESPONDENT, employer=unit)
            for item in clean.claims:
                services.claim_add(case=case, actor=actor, **item)
            application = OnlineApplication(
                case=case,
                reference=reference,
                platform=platform,
                tracking_code_hash=_code_hash(code),
                phone_last4_hash=_phone_hash(code, clean.applicant["phone"][-4:]),
                consents={**clean.consents, "at": timezone.now().isoformat()},
            )
            save_with_history(application, actor=actor, reason="online application")
            for upload in evidence:
                attachment = OnlineApplicationFile(
                    application=application, original_name=(upload.name or "")[-200:], size=upload.size or 0
                )
                attachment.file.save(stored_name(upload), upload, save=False)
                attachment.save()
    except IntegrityError as exc:  # a concurrent retry with the same platform reference
        raise ConflictError(_("该申请已提交过，不会重复登记。")) from exc
    return application, code


def evidence_from_base64(items: list[dict[str, str]]) -> list[UploadedFile]:
    """Evidence sent by a platform as {"filename", "content_base64"}; bad base64 is a field error."""
    files: list[UploadedFile] = []
    for index, item in enumerate(items):
        try:
            content = base64.b64decode(item.get("content_base64", ""), validate=True)
        except (binascii.Error, ValueError) as exc:
            message = _("文件内容应为 base64 编码。")
            raise ApplicationError(message, fields={f"evidence.{index}.content_base64": [message]}) from exc
        files.append(SimpleUploadedFile(item.get("filename") or "evidence", content))
    return files


# --- status lookup ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusAnswer:
    """What the applicant may know: the state in plain words, the next step, the case number
    once accepted, and when the application was received. Nothing about any party."""

    state: str
    next_step: str
    case_number: str
    submitted_at: Any


def _plain_state(case: Case) -> tuple[str, str]:
    status = case.status
    if status in (Status.CLOSING, Status.CLOSED, Status.ARCHIVED):
        status = case.pre_closure_status or status
    settled = (Status.AGREEMENT_EFFECTIVE, Status.PERFORMED, Status.NOT_PERFORMED)
    table: dict[str, tuple[str, str]] = {
        Status.DRAFT: (
            _("已收到，待登记"),
            _("工作人员将核对您的申请材料，并通过您留下的电话与您联系。"),
        ),
        Status.REGISTERED: (
            _("审查中"),
            _("调解中心将在3个工作日内决定是否受理，并征询对方是否同意调解。"),
        ),
        Status.AWAITING_CONSENT: (
            _("审查中（正在征询对方意见）"),
            _("调解中心正在联系对方当事人，征询其是否同意调解。"),
        ),
        Status.ACCEPTED: (_("已受理"), _("调解员将与您联系，约定调解的时间和地点。")),
        Status.IN_MEDIATION: (_("调解中"), _("请按调解员通知的时间参加调解。")),
        Status.AGREEMENT_PENDING: (_("调解中（协议待签署）"), _("请按通知签署调解协议。")),
        Status.TERMINATED: (
            _("调解已结束，未达成协议"),
            _("您可以依法向劳动人事争议仲裁委员会申请仲裁，请注意仲裁时效。"),
        ),
        Status.WITHDRAWN: (_("已撤回申请"), _("调解程序已结束。如需再次调解，可重新申请。")),
        Status.REJECTED: (
            _("不予受理"),
            _("调解中心已书面告知不予受理的理由；您可以依法申请劳动仲裁或通过其他途径解决。"),
        ),
    }
    if status in settled:
        next_steps = {
            Status.AGREEMENT_EFFECTIVE: _("请按调解协议履行；双方可在协议生效后30日内共同申请司法确认。"),
            Status.PERFORMED: _("调解协议已履行完毕。"),
            Status.NOT_PERFORMED: _("对方未按协议履行，您可以依法申请支付令、仲裁或向法院起诉。"),
        }
        return _("已达成调解协议"), str(next_steps[status])
    state, next_step = table.get(status, (_("处理中"), _("如有疑问请致电调解中心。")))
    if case.status in (Status.CLOSED, Status.ARCHIVED):
        state = _("已结束（%s）") % state
    return str(state), str(next_step)


def online_application_status(*, tracking_code: str, phone_last4: str) -> StatusAnswer | None:
    """The status of the application with this code, if the phone's last four digits match;
    None otherwise (one answer for a wrong code and a wrong phone: no oracle)."""
    code = tracking_code_normalize(tracking_code)
    digits = (phone_last4 or "").strip()
    application = (
        OnlineApplication.objects.select_related("case").filter(tracking_code_hash=_code_hash(code)).first()
        if len(code) == TRACKING_LENGTH
        else None
    )
    expected = application.phone_last4_hash if application is not None else _phone_hash("-", "----")
    matches = hmac.compare_digest(expected, _phone_hash(code, digits))
    if application is None or not matches:
        return None
    case = application.case
    state, next_step = _plain_state(case)
    show_number = case.case_number and case.status not in (Status.DRAFT, Status.REGISTERED, Status.REJECTED)
    return StatusAnswer(
        state=state,
        next_step=next_step,
        case_number=(case.case_number or "") if show_number else "",
        submitted_at=application.submitted_at,
    )


# --- partner platforms --------------------------------------------------------------------------

PLATFORM_KEY_PREFIX = "plk_"


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def platform_client_issue(*, actor: User, name: str, organizations: list[Organization]) -> tuple[PlatformClient, str]:
    """A new platform account and its API key (returned once; only its hash is kept)."""
    name = (name or "").strip()
    if not name or not organizations:
        raise ApplicationError(_("请填写平台名称，并至少选择一个调解组织。"))
    key = PLATFORM_KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        client = PlatformClient(name=name, key_prefix=key[:12], key_hash=_key_hash(key))
        save_with_history(client, actor=actor, reason="issue key")
        client.organizations.set(organizations)
    return client, key


def platform_client_for_key(key: str) -> PlatformClient | None:
    """The active platform holding `key`, or None."""
    if not key.startswith(PLATFORM_KEY_PREFIX):
        return None
    return PlatformClient.objects.filter(key_hash=_key_hash(key), active=True).first()


def platform_may_file(platform: PlatformClient, organization: Organization) -> bool:
    """A platform files into the organisations it was opened for and the ones below them."""
    allowed = set(platform.organizations.values_list("pk", flat=True))
    return bool(allowed & set(organization.ancestor_ids()))
