"""The history browser (变更记录, /cases/history/): every change to the cases in the user's
scope and to their parts, for auditors, directors and admins (DOMAIN.md §11.5, T20).

Sources, each read with one query filtered by scope, case, user and period:

- case events (transitions with their reasons, notes, assignments, alerts);
- the django-simple-history rows of every historised model that leads to a case through
  its foreign keys (case, parties, claims, mediation, linkage, documents), and of the
  persons and employers that are parties of a case in scope;
- document downloads (documents.DocumentDownload) and reveals of personal data
  (PersonalDataReveal), granted or refused.

Each source is read newest first and only as far as the page needs; the pages are merged in
Python. Field changes come from `diff_against` on the previous row of the same object (one
query per model on the page). Encrypted fields are masked and ID numbers or mobile numbers
typed into free text are masked too: the browser never shows them in clear.
"""

from __future__ import annotations

import csv
import datetime as dt
import heapq
import io
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from itertools import islice
from typing import Any, TypeVar

from django.db import models
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.models import registered_models

from accounts.access import active_memberships
from accounts.models import Organization, Role, User
from cases.models import Case, CaseEvent, CaseParty, EventKind, PersonalDataReveal
from core.masking import mask_id_number, mask_phone

#: Roles that may browse the history of their organisation tree.
HISTORY_ROLES = frozenset({Role.AUDITOR, Role.DIRECTOR})
PAGE_SIZE = 50
#: Rows fetched at a time from each source (an export reads up to EXPORT_LIMIT from each).
_CHUNK = 500
#: Most rows one CSV export carries (a narrower filter gets the rest).
EXPORT_LIMIT = 20_000

#: Encrypted columns and how each is shown (history tables copy them, decrypted on read).
MASKED_FIELDS: dict[str, Callable[[str | None], str]] = {
    "id_number": mask_id_number,
    "phone": mask_phone,
    "contact_phone": mask_phone,
}
#: Bookkeeping fields that say nothing to a reader of the history.
_SKIPPED_FIELDS = {"id", "created_at", "updated_at", "id_number_hash", "phone_hash"}
#: History of configuration, not of a case, stays in the admin.
_NOT_CASE_MODELS = {"cases.casenumbersequence", "cases.holidaycalendar"}

_ID_NUMBER_RE = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
_MOBILE_RE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


class Kind(models.TextChoices):
    TRANSITION = "transition", gettext_lazy("状态变更")
    EVENT = "event", gettext_lazy("案件事件")
    CHANGE = "change", gettext_lazy("数据修改")
    DOWNLOAD = "download", gettext_lazy("文书下载")
    REVEAL = "reveal", gettext_lazy("查看个人信息")


def scrub(text: Any) -> str:
    """Free text with any full ID number or mobile number in it masked."""
    value = "" if text is None else str(text)
    value = _ID_NUMBER_RE.sub(lambda m: mask_id_number(m.group(0)), value)
    return _MOBILE_RE.sub(lambda m: mask_phone(m.group(0)), value)


# --- who may browse what ---------------------------------------------------------------------


def organization_ids(user: Any) -> set[int]:
    """The organisations whose case history the user may browse (empty: none)."""
    ids: set[int] = set()
    for membership in active_memberships(user):
        if membership.role in HISTORY_ROLES and membership.organization is not None:
            if membership.organization_id not in ids:
                ids.update(membership.organization.subtree_ids())
    return ids


def may_browse(user: Any, organization: Organization) -> bool:
    """Whether the user may browse the history of `organization`'s cases."""
    ancestors = set(organization.ancestor_ids())
    return any(m.role in HISTORY_ROLES and m.organization_id in ancestors for m in active_memberships(user))


# --- filters and rows ------------------------------------------------------------------------


@dataclass
class HistoryFilters:
    user_id: int | None = None
    case_id: int | None = None
    number: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    kind: str = ""

    @classmethod
    def parse(cls, data: Any) -> tuple[HistoryFilters, dict[str, str]]:
        """Filters from a query dict; unreadable values are dropped and reported."""
        errors: dict[str, str] = {}
        filters = cls(number=(data.get("number") or "").strip()[:60])
        for key, attr in (("user", "user_id"), ("case", "case_id")):
            raw = (data.get(key) or "").strip()
            if raw:
                if raw.isdigit() and int(raw) < 2**31:
                    setattr(filters, attr, int(raw))
                else:
                    errors[key] = _("应为编号。")
        for key, attr in (("from", "date_from"), ("to", "date_to")):
            raw = (data.get(key) or "").strip()
            if raw:
                try:
                    setattr(filters, attr, dt.date.fromisoformat(raw))
                except ValueError:
                    errors[key] = _("日期格式应为 2026-01-31。")
        kind = (data.get("kind") or "").strip()
        if kind in Kind.values:
            filters.kind = kind
        elif kind:
            errors["kind"] = _("请选择类别。")
        return filters, errors

    def period(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """[start, end) in the current time zone (Beijing) covering the chosen days."""
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(self.date_from, dt.time.min, tzinfo=tz) if self.date_from else None
        end = dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz) if self.date_to else None
        return start, end


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    time: dt.datetime
    kind: str
    action: str
    object: str
    user: User | None = None
    case_ids: list[int] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    reason: str = ""
    cases: list[tuple[int, str]] = field(default_factory=list)
    # internal: how to find the diff of a history row after the page is chosen
    record: Any = None
    sort_id: int = 0

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label)


# --- history sources ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HistorySource:
    """One historised model: how its history rows reach a case."""

    model: type[models.Model]
    #: ORM path from the history row to the case ("" for the case itself, None for persons
    #: and employers, which reach cases through CaseParty).
    case_path: str | None
    party_field: str = ""

    @property
    def history_model(self) -> Any:
        return self.model.history.model  # type: ignore[attr-defined]


def _path_to_case(model: type[models.Model], depth: int = 3) -> str | None:
    """The shortest chain of foreign keys from `model` to Case ("case", "session__case")."""
    frontier: list[tuple[type[models.Model], str]] = [(model, "")]
    seen = {model}
    for _level in range(depth):
        next_frontier = []
        for current, prefix in frontier:
            for f in current._meta.concrete_fields:
                related = f.related_model if f.is_relation else None
                if related is None or not isinstance(related, type):
                    continue
                path = f"{prefix}__{f.name}" if prefix else f.name
                if related is Case:
                    return path
                if related not in seen and related._meta.app_label in ("cases", "mediation", "linkage", "documents"):
                    seen.add(related)
                    next_frontier.append((related, path))
        frontier = next_frontier
    return None


@cache
def history_sources() -> tuple[HistorySource, ...]:
    sources = []
    for model in registered_models.values():
        label = model._meta.label_lower
        if label in _NOT_CASE_MODELS or not hasattr(model, "history"):
            continue
        if model is Case:
            sources.append(HistorySource(model, ""))
        elif label == "cases.person":
            sources.append(HistorySource(model, None, party_field="person"))
        elif label == "cases.employer":
            sources.append(HistorySource(model, None, party_field="employer"))
        else:
            path = _path_to_case(model)
            if path is not None:
                sources.append(HistorySource(model, path))
    return tuple(sorted(sources, key=lambda s: s.model._meta.label_lower))


# --- reading --------------------------------------------------------------------------------


_QS = TypeVar("_QS", bound=QuerySet[Any])


@dataclass
class _Scope:
    cases: QuerySet[Case]
    filters: HistoryFilters
    start: dt.datetime | None
    end: dt.datetime | None


def _scope(*, org_ids: set[int], filters: HistoryFilters) -> _Scope:
    cases = Case.objects.filter(organization_id__in=org_ids)
    if filters.case_id is not None:
        cases = cases.filter(pk=filters.case_id)
    if filters.number:
        cases = cases.filter(Q(case_number__icontains=filters.number) | Q(registry_number__icontains=filters.number))
    start, end = filters.period()
    return _Scope(cases=cases.values("pk"), filters=filters, start=start, end=end)


def _period(qs: _QS, column: str, scope: _Scope) -> _QS:
    if scope.start is not None:
        qs = qs.filter(**{f"{column}__gte": scope.start})
    if scope.end is not None:
        qs = qs.filter(**{f"{column}__lt": scope.end})
    return qs


def _events(scope: _Scope, kinds: set[str], need: int) -> Iterator[HistoryEntry]:
    qs = CaseEvent.objects.filter(case_id__in=scope.cases).exclude(name="reveal").select_related("actor")
    if Kind.TRANSITION not in kinds:
        qs = qs.exclude(kind=EventKind.TRANSITION)
    if Kind.EVENT not in kinds:
        qs = qs.filter(kind=EventKind.TRANSITION)
    if scope.filters.user_id is not None:
        qs = qs.filter(actor_id=scope.filters.user_id)
    qs = _period(qs, "created_at", scope).order_by("-created_at", "-id")
    for event in qs[:need].iterator(chunk_size=_CHUNK):
        changes = []
        if event.from_status != event.to_status and (event.from_status or event.to_status):
            changes.append(
                Change(_("状态"), event.get_from_status_display() or "—", event.get_to_status_display() or "—")
            )
        yield HistoryEntry(
            time=event.created_at,
            kind=Kind.TRANSITION if event.kind == EventKind.TRANSITION else Kind.EVENT,
            action=f"{event.get_kind_display()}：{event.label}" if event.kind != EventKind.TRANSITION else event.label,
            object=str(Case._meta.verbose_name),
            user=event.actor,
            case_ids=[event.case_id],
            changes=changes,
            reason=scrub(event.reason),
            sort_id=event.pk,
        )


_HISTORY_TYPES = {"+": gettext_lazy("新增"), "~": gettext_lazy("修改"), "-": gettext_lazy("删除")}


def _history_rows(source: HistorySource, scope: _Scope, need: int) -> Iterator[HistoryEntry]:
    model = source.history_model
    qs = model.objects.select_related("history_user")
    if source.case_path is None:
        parties = CaseParty.objects.filter(case_id__in=scope.cases).values(f"{source.party_field}_id")
        qs = qs.filter(id__in=parties)
    elif source.case_path == "":
        qs = qs.filter(id__in=scope.cases).annotate(browse_case_id=F("id"))
    else:
        qs = qs.filter(**{f"{source.case_path}__in": scope.cases}).annotate(browse_case_id=F(f"{source.case_path}_id"))
    if scope.filters.user_id is not None:
        qs = qs.filter(history_user_id=scope.filters.user_id)
    qs = _period(qs, "history_date", scope).order_by("-history_date", "-history_id")
    verbose = str(source.model._meta.verbose_name)
    for row in qs[:need].iterator(chunk_size=_CHUNK):
        yield HistoryEntry(
            time=row.history_date,
            kind=Kind.CHANGE,
            action=str(_HISTORY_TYPES.get(row.history_type, row.history_type)),
            object=f"{verbose} #{row.id}" + (f" {scrub(_row_name(row))}" if _row_name(row) else ""),
            user=row.history_user,
            case_ids=[row.browse_case_id] if getattr(row, "browse_case_id", None) else [],
            reason=scrub(row.history_change_reason or ""),
            record=row,
            sort_id=row.history_id,
        )


def _row_name(row: Any) -> str:
    for name in ("name", "title", "description"):
        value = getattr(row, name, None)
        if isinstance(value, str) and value:
            return value[:40]
    return ""


def _downloads(scope: _Scope, need: int) -> Iterator[HistoryEntry]:
    from documents.models import DocumentDownload

    qs = (
        DocumentDownload.objects.filter(Q(document__case_id__in=scope.cases) | Q(volume__case_id__in=scope.cases))
        .select_related("user", "document", "volume")
        .annotate(browse_case_id=F("document__case_id"), browse_volume_case_id=F("volume__case_id"))
    )
    if scope.filters.user_id is not None:
        qs = qs.filter(user_id=scope.filters.user_id)
    qs = _period(qs, "at", scope).order_by("-at", "-id")
    for row in qs[:need].iterator(chunk_size=_CHUNK):
        what = row.document.title if row.document is not None else _("归档包 %s") % (row.volume or "")
        yield HistoryEntry(
            time=row.at,
            kind=Kind.DOWNLOAD,
            action=_("下载") if row.granted else _("下载（被拒绝）"),
            object=scrub(what),
            user=row.user,
            case_ids=[row.browse_case_id or row.browse_volume_case_id],
            changes=[Change(_("途径"), "", f"{row.via} {row.remote_addr}".strip())],
            sort_id=row.pk,
        )


def _reveals(scope: _Scope, need: int) -> Iterator[HistoryEntry]:
    qs = PersonalDataReveal.objects.filter(case_id__in=scope.cases).select_related(
        "user", "party__person", "party__employer"
    )
    if scope.filters.user_id is not None:
        qs = qs.filter(user_id=scope.filters.user_id)
    qs = _period(qs, "at", scope).order_by("-at", "-id")
    for row in qs[:need].iterator(chunk_size=_CHUNK):
        party = row.party.person or row.party.employer
        yield HistoryEntry(
            time=row.at,
            kind=Kind.REVEAL,
            action=_("查看个人信息") if row.granted else _("查看个人信息（被拒绝）"),
            object=f"{CaseParty._meta.verbose_name} {party.name if party else ''}".strip(),
            user=row.user,
            case_ids=[row.case_id],
            changes=[
                Change(str(row.get_field_display() or row.field or "—"), "", f"{row.via} {row.remote_addr}".strip())
            ],
            reason=scrub(row.reason),
            sort_id=row.pk,
        )


def _streams(*, org_ids: set[int], filters: HistoryFilters, need: int) -> list[Iterator[HistoryEntry]]:
    """One iterator per source, newest first, each reading at most `need` rows (one query,
    run when the merge first asks the iterator for a row)."""
    scope = _scope(org_ids=org_ids, filters=filters)
    kinds = {filters.kind} if filters.kind else set(Kind.values)
    streams: list[Iterator[HistoryEntry]] = []
    if kinds & {Kind.TRANSITION, Kind.EVENT}:
        streams.append(_events(scope, kinds, need))
    if Kind.CHANGE in kinds:
        streams.extend(_history_rows(source, scope, need) for source in history_sources())
    if Kind.DOWNLOAD in kinds:
        streams.append(_downloads(scope, need))
    if Kind.REVEAL in kinds:
        streams.append(_reveals(scope, need))
    return streams


def _merged(streams: Iterable[Iterator[HistoryEntry]]) -> Iterator[HistoryEntry]:
    return heapq.merge(*streams, key=lambda e: (e.time, e.sort_id), reverse=True)


def history_entries(
    *, org_ids: set[int], filters: HistoryFilters, offset: int = 0, limit: int = PAGE_SIZE
) -> list[HistoryEntry]:
    """`limit` entries from `offset`, newest first, with their diffs, cases and users filled in."""
    streams = _streams(org_ids=org_ids, filters=filters, need=offset + limit)
    entries = list(islice(_merged(streams), offset, offset + limit))
    _fill_diffs(entries)
    _fill_cases(entries)
    return entries


# --- diffs ---------------------------------------------------------------------------------------


def _fill_diffs(entries: list[HistoryEntry]) -> None:
    """The changes of each history row against the previous row of the same object: one
    query per historised model on the page (every earlier row of the objects concerned)."""
    by_model: dict[Any, list[HistoryEntry]] = defaultdict(list)
    for entry in entries:
        if entry.record is not None:
            by_model[type(entry.record)].append(entry)
    for model, group in by_model.items():
        ids = {e.record.id for e in group}
        latest = max(e.record.history_date for e in group)
        earlier: dict[int, list[Any]] = defaultdict(list)
        for row in model.objects.filter(id__in=ids, history_date__lte=latest).order_by("history_date", "history_id"):
            earlier[row.id].append(row)
        for entry in group:
            entry.changes = _changes(entry.record, _previous(entry.record, earlier[entry.record.id]))


def _previous(record: Any, rows: list[Any]) -> Any | None:
    key = (record.history_date, record.history_id)
    before = [r for r in rows if (r.history_date, r.history_id) < key]
    return before[-1] if before else None


def _changes(record: Any, previous: Any | None) -> list[Change]:
    fields = {f.name: f for f in record.tracked_fields if f.name not in _SKIPPED_FIELDS}
    if record.history_type == "-":
        return []
    if previous is None:
        names = [n for n, f in fields.items() if f.editable and _raw(record, f) not in (None, "", False)]
        return [Change(_label(fields[n]), "", _shown(fields[n], _raw(record, fields[n]))) for n in sorted(names)]
    delta = record.diff_against(previous, excluded_fields=_SKIPPED_FIELDS)
    return [
        Change(_label(fields[c.field]), _shown(fields[c.field], c.old), _shown(fields[c.field], c.new))
        for c in delta.changes
        if c.field in fields
    ]


def _raw(record: Any, f: models.Field) -> Any:
    return getattr(record, f.attname)


def _label(f: models.Field) -> str:
    return str(getattr(f, "verbose_name", f.name))


def _shown(f: models.Field, value: Any) -> str:
    """A value as the browser shows it: masked, labelled, never in clear for PI."""
    if value is None or value == "":
        return "—"
    if f.name in MASKED_FIELDS:
        return MASKED_FIELDS[f.name](str(value))
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date | Decimal | int):
        return str(value)
    if f.is_relation:
        return f"#{value}"
    text = scrub(value)
    return text if len(text) <= 300 else text[:300] + "…"


# --- cases of the entries --------------------------------------------------------------------------


def _fill_cases(entries: list[HistoryEntry]) -> None:
    """The case numbers of the entries; persons and employers get the cases where they are a
    party. Two queries whatever the page size."""
    person_ids = {e.record.id for e in entries if e.record is not None and _is_party_model(e.record, "person")}
    employer_ids = {e.record.id for e in entries if e.record is not None and _is_party_model(e.record, "employer")}
    party_cases: dict[tuple[str, int], list[int]] = defaultdict(list)
    if person_ids or employer_ids:
        for case_id, person_id, employer_id in CaseParty.objects.filter(
            Q(person_id__in=person_ids) | Q(employer_id__in=employer_ids)
        ).values_list("case_id", "person_id", "employer_id"):
            if person_id in person_ids:
                party_cases[("person", person_id)].append(case_id)
            if employer_id in employer_ids:
                party_cases[("employer", employer_id)].append(case_id)
    for entry in entries:
        if entry.record is not None and not entry.case_ids:
            for which in ("person", "employer"):
                if _is_party_model(entry.record, which):
                    entry.case_ids = sorted(set(party_cases[(which, entry.record.id)]))
    wanted = {case_id for e in entries for case_id in e.case_ids}
    labels = {
        case.pk: str(case)
        for case in Case.objects.filter(pk__in=wanted).only("pk", "status", "case_number", "registry_number")
    }
    for entry in entries:
        entry.cases = [(case_id, labels[case_id]) for case_id in entry.case_ids if case_id in labels]


def _is_party_model(record: Any, which: str) -> bool:
    return record.instance_type._meta.model_name == which


# --- export ------------------------------------------------------------------------------------------

_CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def _csv_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_CSV_TRIGGERS) else text


def history_csv(*, org_ids: set[int], filters: HistoryFilters) -> str:
    """The filtered history as CSV (UTF-8 with a BOM, for Excel), masked like the page."""
    entries = history_entries(org_ids=org_ids, filters=filters, offset=0, limit=EXPORT_LIMIT)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(
        [_("时间"), _("操作人"), _("案件"), _("对象"), _("类别"), _("操作"), _("变更（原值 → 新值）"), _("理由")]
    )
    for e in entries:
        writer.writerow(
            [
                _csv_cell(cell)
                for cell in (
                    timezone.localtime(e.time).strftime("%Y-%m-%d %H:%M:%S"),
                    e.user or "",
                    "、".join(label for _pk, label in e.cases),
                    e.object,
                    e.kind_label,
                    e.action,
                    "；".join(f"{c.field}：{c.old} → {c.new}" if c.old else f"{c.field}：{c.new}" for c in e.changes),
                    e.reason,
                )
            ]
        )
    return out.getvalue()


def history_users(org_ids: set[int]) -> QuerySet[User]:
    """People to filter by: the staff of the organisations in scope."""
    return User.objects.filter(memberships__organization_id__in=org_ids).distinct().order_by("full_name", "username")
