"""The measures of `manage.py bench`, each beside its floor: the least work that produces the
same result (a raw query, a minimal rendering, a bare WeasyPrint call, a bare UPDATE or
bulk_create). A measure and its floor run alternately, so that a machine busy with other
work slows both alike; the ratio of their medians is what to compare between runs.

Each callable returns the seconds of the work it measures: setup (fresh cases for accept)
and cleanup (rolling back an import) stay outside the clock.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from unittest import mock

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.template import Context, Engine
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone
from weasyprint import HTML

from cases import services as case_services
from cases.models import Case, CaseParty, ClaimItem, Person
from documents.archive import bundle_plan
from documents.kinds import KINDS, DocContext, build_context, document_date, document_number
from documents.models import Copy
from documents.rendering import ASSET_URL, BundlePart, SafeFetcher, _font_config, assemble, render_html
from documents.services import render_pdf_for
from reports.bench import dataset, registers
from reports.imports import case_import
from reports.selectors import case_stats, period_bounds

Timed = Callable[[], float]
CHEAP = ("case_list", "case_list_api", "case_detail", "stats_year", "transition")
ALL = (*CHEAP, "agreement_pdf", "case_file_pdf", "import_10k")
#: The highest ratio to the floor each measure may have (issue #9, on PostgreSQL, 100,000 cases).
TARGETS = {
    "case_list": 3.0,
    "case_list_api": 3.0,
    "case_detail": 3.0,
    "stats_year": 2.0,
    "transition": 10.0,
    "agreement_pdf": 1.3,
    "case_file_pdf": 1.3,
    "import_10k": 5.0,
}


@dataclass
class Result:
    name: str
    times: list[float] = field(default_factory=list)
    floor_times: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def ms(self) -> float:
        return statistics.median(self.times) * 1000

    @property
    def floor_ms(self) -> float:
        return statistics.median(self.floor_times) * 1000

    @property
    def ratio(self) -> float:
        return self.ms / self.floor_ms if self.floor_ms else float("inf")

    def as_json(self) -> dict[str, Any]:
        return {"ms": round(self.ms, 2), "floor_ms": round(self.floor_ms, 2), "ratio": round(self.ratio, 2)}


def _clock(work: Callable[[], Any]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def alternate(name: str, measure: Timed, floor: Timed, repeat: int) -> Result:
    """One warm-up of each, then `repeat` rounds of measure and floor, alternating."""
    result = Result(name)
    measure(), floor()
    for _round in range(repeat):
        result.times.append(measure())
        result.floor_times.append(floor())
    return result


@contextmanager
def rolled_back() -> Iterator[None]:
    """Work whose writes must not stay (an import measured again and again)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


class Bench:
    def __init__(self, world: dataset.BenchWorld, detail: Case, repeat: int, import_rows: int) -> None:
        self.world, self.detail, self.repeat, self.import_rows = world, detail, repeat, import_rows
        self.client = Client()
        self.client.force_login(world.director)
        self.org_ids = world.org_ids
        self.year = timezone.localdate().year - 1
        self._accept_pool: list[Case] = []

    def run(self, name: str) -> Result:
        measure, floor = getattr(self, f"_{name}")()
        with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
            return alternate(name, measure, floor, self.repeat)

    # --- the case list: page and API --------------------------------------------------------

    LIST_SQL = """
        SELECT c.id, c.case_number, c.registry_number, c.status, o.name, c.dispute_type,
               c.received_at, c.mediation_due_on, c.created_at,
               COALESCE((SELECT SUM(ci.amount) FROM cases_claimitem ci WHERE ci.case_id = c.id), 0)
        FROM cases_case c JOIN accounts_organization o ON o.id = c.organization_id
        WHERE c.organization_id IN ({ids})
        ORDER BY c.created_at DESC, c.id DESC
        LIMIT %s
    """
    LIST_TEMPLATE = Engine().from_string(
        "<table>{% for r in rows %}<tr><td>{{ r.1|default:r.2 }}</td><td>{{ r.3 }}</td><td>{{ r.4 }}</td>"
        "<td>{{ r.5 }}</td><td>{{ r.6|date:'Y-m-d' }}</td><td>{{ r.7|default:'' }}</td><td>{{ r.9 }}</td>"
        "</tr>{% endfor %}</table>"
    )

    def list_rows(self, limit: int = 50) -> list[tuple[Any, ...]]:
        sql = self.LIST_SQL.format(ids=", ".join(str(int(i)) for i in self.org_ids))
        with connection.cursor() as cursor:
            cursor.execute(sql, [limit])
            return cursor.fetchall()

    def _get(self, url: str) -> None:
        response = self.client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")

    def _case_list(self) -> tuple[Timed, Timed]:
        def floor() -> float:
            return _clock(lambda: self.LIST_TEMPLATE.render(Context({"rows": self.list_rows()})))

        return (lambda: _clock(lambda: self._get("/cases/"))), floor

    def _case_list_api(self) -> tuple[Timed, Timed]:
        def floor() -> float:
            return _clock(lambda: json.dumps(self.list_rows(), default=str, ensure_ascii=False))

        return (lambda: _clock(lambda: self._get("/api/v1/cases/"))), floor

    # --- the case page ----------------------------------------------------------------------------

    DETAIL_SQL = (
        "SELECT c.*, o.name FROM cases_case c JOIN accounts_organization o ON o.id = c.organization_id WHERE c.id = %s",
        "SELECT p.*, pe.name, e.name FROM cases_caseparty p LEFT JOIN cases_person pe ON pe.id = p.person_id "
        "LEFT JOIN cases_employer e ON e.id = p.employer_id WHERE p.case_id = %s ORDER BY p.side, p.id",
        "SELECT * FROM cases_claimitem WHERE case_id = %s ORDER BY id",
        "SELECT a.*, u.username FROM cases_caseassignment a JOIN accounts_user u ON u.id = a.user_id "
        "WHERE a.case_id = %s AND a.active",
        "SELECT e.*, u.username FROM cases_caseevent e JOIN accounts_user u ON u.id = e.actor_id "
        "WHERE e.case_id = %s ORDER BY e.created_at, e.id",
        "SELECT s.*, t.completed_at FROM mediation_mediationsession s "
        "LEFT JOIN mediation_transcript t ON t.session_id = s.id WHERE s.case_id = %s ORDER BY s.starts_at",
        "SELECT g.*, ob.* FROM mediation_agreement g LEFT JOIN mediation_obligation ob ON ob.agreement_id = g.id "
        "WHERE g.case_id = %s",
    )

    DETAIL_TEMPLATE = Engine().from_string(
        "{% for rows in sets %}<table>{% for r in rows %}<tr>{% for v in r %}<td>{{ v }}</td>{% endfor %}</tr>"
        "{% endfor %}</table>{% endfor %}"
    )

    def _case_detail(self) -> tuple[Timed, Timed]:
        """The floor, like the list's: the raw queries for the same data and a minimal template
        that prints every row they return (every column, escaped)."""

        def floor() -> str:
            sets = []
            with connection.cursor() as cursor:
                for sql in self.DETAIL_SQL:
                    cursor.execute(sql, [self.detail.pk])
                    sets.append(cursor.fetchall())
            return self.DETAIL_TEMPLATE.render(Context({"sets": sets}))

        return (lambda: _clock(lambda: self._get(f"/cases/{self.detail.pk}/"))), lambda: _clock(floor)

    # --- statistics -------------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        return case_stats(
            organization=self.world.district,
            date_from=dt.date(self.year, 1, 1),
            date_to=dt.date(self.year, 12, 31),
            include_children=True,
        )

    STATS_SQL = """
        SELECT c.organization_id,
               CASE WHEN c.status IN ('agreement_effective', 'performed', 'not_performed')
                      OR (c.status IN ('closing', 'closed', 'archived')
                          AND c.pre_closure_status IN ('agreement_effective', 'performed', 'not_performed'))
                    THEN 'settled'
                    WHEN c.status = 'terminated' OR (c.status IN ('closing', 'closed', 'archived')
                          AND c.pre_closure_status = 'terminated') THEN 'terminated'
                    WHEN c.status = 'withdrawn' OR (c.status IN ('closing', 'closed', 'archived')
                          AND c.pre_closure_status = 'withdrawn') THEN 'withdrawn'
                    WHEN c.status = 'rejected' OR (c.status IN ('closing', 'closed', 'archived')
                          AND c.pre_closure_status = 'rejected') THEN 'rejected'
                    ELSE 'in_progress' END AS outcome,
               c.file_type, c.dispute_type, COUNT(*), SUM(c.workers_involved),
               SUM(COALESCE(cl.total, 0)), SUM(COALESCE(ag.total, 0)), SUM(COALESCE(pa.total, 0))
        FROM cases_case c
        LEFT JOIN (SELECT case_id, SUM(amount) AS total FROM cases_claimitem
                   WHERE amount IS NOT NULL GROUP BY case_id) cl ON cl.case_id = c.id
        LEFT JOIN (SELECT g.case_id, SUM(ob.amount) AS total FROM mediation_obligation ob
                   JOIN mediation_agreement g ON g.id = ob.agreement_id
                   WHERE ob.kind = 'payment' AND g.status = 'effective' AND ob.amount IS NOT NULL
                   GROUP BY g.case_id) ag ON ag.case_id = c.id
        LEFT JOIN (SELECT g.case_id, SUM(p.amount) AS total FROM mediation_paymentrecord p
                   JOIN mediation_obligation ob ON ob.id = p.obligation_id
                   JOIN mediation_agreement g ON g.id = ob.agreement_id GROUP BY g.case_id) pa ON pa.case_id = c.id
        WHERE c.organization_id IN ({ids})
          AND ((c.accepted_at >= %s AND c.accepted_at < %s)
               OR ((c.status = 'rejected' OR (c.status IN ('closing', 'closed', 'archived')
                    AND c.pre_closure_status = 'rejected'))
                   AND c.received_at >= %s AND c.received_at < %s))
        GROUP BY 1, 2, 3, 4
    """

    def stats_rows(self) -> list[tuple[Any, ...]]:
        bounds = period_bounds(dt.date(self.year, 1, 1), dt.date(self.year, 12, 31))
        start, end = (connection.ops.adapt_datetimefield_value(b) for b in bounds)
        sql = self.STATS_SQL.format(ids=", ".join(str(int(i)) for i in self.org_ids))
        with connection.cursor() as cursor:
            cursor.execute(sql, [start, end, start, end])
            return cursor.fetchall()

    def stats_agree(self) -> bool:
        """The floor returns the same totals as case_stats (else its time means nothing)."""
        stats, rows = self.stats(), self.stats_rows()
        cases = sum(r[4] for r in rows)
        claimed = Decimal(str(sum(r[6] for r in rows))).quantize(Decimal("0.01"))
        return stats["by_outcome"] is not None and (cases, f"{claimed:f}") == (
            sum(v["cases"] for v in stats["by_outcome"].values()),
            stats["amount_claimed"],
        )

    def _stats_year(self) -> tuple[Timed, Timed]:
        return (lambda: _clock(self.stats)), lambda: _clock(self.stats_rows)

    # --- documents --------------------------------------------------------------------------------

    def _doc_context(self, code: str, subject: Any) -> tuple[Any, DocContext]:
        kind = KINDS[code]
        case = self.detail
        today = document_date(case, kind, subject) or timezone.localdate()
        number = document_number(case, kind, subject)
        return kind, DocContext(case=case, subject=subject, copy_for=Copy.FILE, number=number, today=today)

    @staticmethod
    def _weasyprint(html: str) -> bytes:
        return HTML(string=html, base_url=ASSET_URL, url_fetcher=SafeFetcher()).write_pdf(font_config=_font_config())

    def _agreement_pdf(self) -> tuple[Timed, Timed]:
        def fresh() -> tuple[Any, DocContext]:
            self.detail = Case.objects.select_related("organization", "clerk").get(pk=self.detail.pk)
            return self._doc_context("D10", None)

        kind, dc = fresh()
        html = render_html(kind.template, build_context(kind, dc))

        def measure() -> float:
            start = time.perf_counter()
            spec, context = fresh()
            render_pdf_for(spec, context)
            return time.perf_counter() - start

        return measure, lambda: _clock(lambda: self._weasyprint(html))

    def bundle_htmls(self) -> list[str]:
        htmls = []
        for item in bundle_plan(self.detail):
            kind, dc = self._doc_context(item.kind.code, item.subject)
            htmls.append(render_html(kind.template, build_context(kind, dc)))
        return htmls

    def case_file(self) -> Any:
        """The case file as archive_build binds it, without storing anything: every document
        of the plan rendered from the database, then bound with page numbers."""
        self.detail = Case.objects.select_related("organization", "clerk").get(pk=self.detail.pk)
        parts = []
        for item in bundle_plan(self.detail):
            kind, dc = self._doc_context(item.kind.code, item.subject)
            pdf, _pages = render_pdf_for(kind, dc)
            parts.append(BundlePart(pdf, numbered=True))
        return assemble(parts)

    def _case_file_pdf(self) -> tuple[Timed, Timed]:
        htmls = self.bundle_htmls()
        self.case_file_pages = self.case_file().page_count

        def floor() -> float:
            return _clock(lambda: [self._weasyprint(html) for html in htmls])

        return (lambda: _clock(self.case_file)), floor

    # --- one transition ---------------------------------------------------------------------------

    def _transition(self) -> tuple[Timed, Timed]:
        world = self.world
        pool = dataset.registered_cases_add(world=world, count=self.repeat + 1, seed=int(time.time()) % 100_000)
        floor_case = pool[0]

        def measure() -> float:
            case = pool.pop()
            return _clock(
                lambda: case_services.case_accept(case=case, actor=world.director, mediators=[world.mediator])
            )

        def floor() -> float:
            def update() -> None:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(
                        "UPDATE cases_case SET updated_at = %s WHERE id = %s", [timezone.now(), floor_case.pk]
                    )

            return _clock(update)

        return measure, floor

    # --- the register import ----------------------------------------------------------------------

    def _import_10k(self) -> tuple[Timed, Timed]:
        rows = registers.many_rows(self.import_rows, seed=9)
        content = registers.to_csv(rows)
        world = self.world

        def measure() -> float:
            with rolled_back():
                start = time.perf_counter()
                report = case_import(
                    actor=world.director, organization=world.district, content=content, file_name="b.csv"
                )
                elapsed = time.perf_counter() - start
            if not report.ok or report.created != len(rows):
                raise RuntimeError(f"bench import: {report.created} of {len(rows)} rows, {report.errors[:3]}")
            return elapsed

        def floor() -> float:
            with rolled_back():
                return _clock(lambda: _bulk_rows(rows, world))

        return measure, floor

    # --- query counts -----------------------------------------------------------------------------

    def query_counts(self) -> dict[str, dict[str, int]]:
        """Queries per request with 10 and 50 rows shown: equal counts mean no N+1."""
        counts: dict[str, dict[str, int]] = {}

        def count(url: str) -> int:
            with CaptureQueriesContext(connection) as captured:
                self._get(url)
            return len(captured.captured_queries)

        with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
            self._get("/cases/")  # warm caches (session, content types) outside the counts
            pages: dict[str, int] = {}
            for size in (10, 50):
                with mock.patch("cases.views.PAGE_SIZE", size):
                    pages[f"rows_{size}"] = count("/cases/")
            counts["case_list"] = pages
            counts["case_list_api"] = {f"rows_{n}": count(f"/api/v1/cases/?limit={n}") for n in (10, 50)}
            counts["case_detail"] = {"rows_detail": count(f"/cases/{self.detail.pk}/")}
            counts["case_detail_api"] = {"rows_detail": count(f"/api/v1/cases/{self.detail.pk}/")}
        return counts


def _bulk_rows(rows: list[dict[str, Any]], world: dataset.BenchWorld) -> None:
    """The floor of the import: the same rows as cases, people, parties and claims in one
    bulk_create each (no parsing, checks, numbers, history or events)."""
    cases, persons = [], []
    for index, row in enumerate(rows):
        received = dt.datetime.fromisoformat(row["登记日期"]).replace(tzinfo=dt.UTC)
        cases.append(
            Case(
                organization=world.district,
                dispute_type="PAY",
                created_by=world.director,
                received_at=received,
                created_at=received,
                registry_number=f"BENCH-FLOOR-{index}",
                workers_involved=int(row["涉及职工人数"]),
            )
        )
        persons.append(Person(name=row["申请人"][:50], id_number=row["申请人身份证号"][:18]))
    _bulk(Case, cases)
    _bulk(Person, persons)
    employer = dataset.Employer.objects.filter(uscc__startswith="9111").first()
    parties = [
        CaseParty(case=c, side="applicant", party_kind="worker", person=p) for c, p in zip(cases, persons, strict=True)
    ]
    if employer is not None:
        parties += [CaseParty(case=c, side="respondent", party_kind="employer", employer=employer) for c in cases]
    _bulk(CaseParty, parties)
    claims = [
        ClaimItem(case=c, claim_type="WAGE", description="请求金额", amount=Decimal(r["请求金额"]))
        for c, r in zip(cases, rows, strict=True)
    ]
    _bulk(ClaimItem, claims)


def _bulk(model: type[Model], objs: list[Any]) -> None:
    model._default_manager.bulk_create(objs, batch_size=2000)
