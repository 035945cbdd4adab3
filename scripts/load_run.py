#!/usr/bin/env python3
"""Bounded load run (RELIABILITY.md T25, docs/deployment.md).

Builds a fresh PostgreSQL database (one centre, its clerk, director and mediator; draft,
registered and accepted cases, all written through the services), starts its own
Redis (a broker nobody consumes: PDF requests are only enqueued, never rendered on the request
path) and gunicorn with production settings on 127.0.0.1, then sends N API requests from C
concurrent clients: case list 50 %, case detail 30 %, transition (register a draft) 15 %,
PDF request (acceptance notice, enqueued) 5 %. It prints p50/p95/max per kind and the errors
(any 5xx, unexpected status or connection failure), and exits 1 when there is any error.

    .venv/bin/python scripts/load_run.py                       # 2,000 requests, 8 clients
    .venv/bin/python scripts/load_run.py --requests 100 --json out.json

Only 127.0.0.1 is used. Everything started is stopped by its process id at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MIX = (("list", 0.50), ("detail", 0.30), ("transition", 0.15), ("pdf_enqueue", 0.05))
EXPECTED = {"list": {200}, "detail": {200}, "transition": {200}, "pdf_enqueue": {202}}
USERNAME, PASSWORD = "load_clerk", "load-pass-12345"

SEED = """
from accounts.models import Membership, Organization, User
from cases import services
organization = Organization.objects.create(code="DX", name="大兴区总工会劳动争议调解中心", short_code="京兴工调", level="district")
people = {{}}
for role in ("clerk", "director", "mediator"):
    user = User.objects.create_user(username=f"load_{{role}}", password="load-pass-12345", full_name=role)
    Membership.objects.create(user=user, organization=organization, role=role)
    people[role] = user
clerk = people["clerk"]
def draft(i):
    case = services.case_create(actor=clerk, organization=organization, dispute_type="PAY")
    worker = services.person_get_or_create(actor=clerk, name=f"压测申请人{{i}}", id_number="11010519491231002X", phone="13800138000")
    employer = services.employer_get_or_create(actor=clerk, name=f"压测用人单位{{i % 20}}有限公司")
    applicant = services.case_party_add(case=case, actor=clerk, side="applicant", person=worker)
    services.case_party_add(case=case, actor=clerk, side="respondent", employer=employer)
    services.claim_add(case=case, actor=clerk, claim_type="WAGE", description="支付拖欠工资",
                       amount="8000.00", claimant=applicant)
    return case
for i in range({drafts}):
    draft(i)
for i in range({registered}):
    services.case_register(case=draft(10000 + i), actor=clerk)
for i in range({accepted}):
    case = services.case_register(case=draft(20000 + i), actor=clerk)
    services.case_accept(case=case, actor=people["director"], mediators=[people["mediator"]])
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise SystemExit(f"timed out waiting for {what}")


def recreate_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"--database-url: unexpected database name {name!r}")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict[str, str], *args: str) -> None:
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
    if result.returncode:
        raise SystemExit(f"manage.py {args[0]} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")


class Services:
    """Redis and gunicorn, stopped by pid whatever happens."""

    def __init__(self) -> None:
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, argv: list[str], env: dict[str, str] | None = None, log: Path | None = None) -> None:
        out = log.open("wb") if log else subprocess.DEVNULL
        self.processes.append(
            subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)  # noqa: S603
        )

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(5)


class Http:
    """A keep-alive HTTP/1.1 client on one connection (standard library only)."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.port, self.headers = port, headers
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        headers = {**self.headers, **({"Content-Type": "application/json"} if data is not None else {})}
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            raise
        if response.getheader("Content-Type", "").startswith("application/json"):
            return response.status, json.loads(payload)
        return response.status, payload

    def close(self) -> None:
        self.conn.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def run_load(
    port: int,
    token: str,
    requests: int,
    concurrency: int,
    drafts: list[int],
    cases: list[int],
    accepted: list[int],
    seed: int,
) -> dict[str, Any]:
    rng = random.Random(seed)  # noqa: S311 - a reproducible request mix, not a secret
    kinds = rng.choices([k for k, _ in MIX], weights=[w for _, w in MIX], k=requests)
    if kinds.count("transition") > len(drafts):
        raise SystemExit(f"{kinds.count('transition')} transitions need as many drafts; seeded {len(drafts)}")
    plan: list[tuple[str, str, str, dict[str, str] | None]] = []
    draft_iter = iter(drafts)
    for kind in kinds:
        if kind == "list":
            plan.append((kind, "GET", f"/api/v1/cases/?limit=50&offset={rng.choice([0, 0, 50, 100])}", None))
        elif kind == "detail":
            plan.append((kind, "GET", f"/api/v1/cases/{rng.choice(cases)}/", None))
        elif kind == "transition":
            plan.append((kind, "POST", f"/api/v1/cases/{next(draft_iter)}/transitions/register/", {}))
        else:
            plan.append((kind, "POST", f"/api/v1/cases/{rng.choice(accepted)}/documents/", {"kind": "D3"}))
    lock = threading.Lock()
    timings: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    position = iter(range(len(plan)))
    headers = {"Authorization": f"Token {token}", "X-Forwarded-Proto": "https"}

    def client_loop() -> None:
        client = Http(port, headers)
        while True:
            with lock:
                index = next(position, None)
            if index is None:
                client.close()
                return
            kind, method, path, body = plan[index]
            started = time.perf_counter()
            status: int | str
            try:
                status = client.request(method, path, body)[0]
            except (OSError, http.client.HTTPException) as exc:
                status = type(exc).__name__
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                timings[kind].append(elapsed)
                if status not in EXPECTED[kind]:
                    errors.append(f"{kind} {method} {path}: {status}")

    started = time.perf_counter()
    threads = [threading.Thread(target=client_loop) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {
        "requests": requests,
        "concurrency": concurrency,
        "errors": len(errors),
        "error_samples": errors[:20],
        "seconds": round(wall, 1),
        "requests_per_second": round(requests / wall, 1),
        "kinds": {
            kind: {
                "count": len(values),
                "p50_ms": round(statistics.median(values), 1),
                "p95_ms": round(percentile(values, 0.95), 1),
                "max_ms": round(max(values), 1),
            }
            for kind, values in sorted(timings.items())
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/mediation_load")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    parser.add_argument("--seed", type=int, default=20261122)
    args = parser.parse_args()
    if not shutil.which("redis-server"):
        raise SystemExit("redis-server is not installed")

    workdir = Path(tempfile.mkdtemp(prefix="load_run_"))
    redis_port, web_port = free_port(), free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AXES_", "CELERY_", "CACHE_"))},
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEY": "bG9hZC1ydW4tb25seS1maWVsZC1rZXktMzItYnl0ZXM=",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_PROXY_SSL_HEADER": "true",  # the client plays the TLS proxy
        "DATABASE_URL": args.database_url,
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
        "CACHE_URL": f"redis://127.0.0.1:{redis_port}/1",
        "STATIC_ROOT": str(workdir / "static"),
        "MEDIA_ROOT": str(workdir / "media"),
        "LOG_LEVEL": "WARNING",
    }
    services = Services()
    try:
        print(f"seeding {args.database_url} ...", flush=True)
        recreate_database(args.database_url)
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        seed = {
            "drafts": int(args.requests * 0.15 * 1.5) + 20,
            "registered": max(20, args.requests // 20),
            "accepted": max(10, args.requests // 40),
        }
        manage(env, "shell", "-c", SEED.format(**seed))

        services.start(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(redis_port), "--save", "", "--appendonly", "no"]
        )
        services.start(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{web_port}",
                "--workers",
                str(args.workers),
                "--timeout",
                "60",
                "--limit-request-line",
                "4094",
                "--limit-request-fields",
                "100",
                "--limit-request-field_size",
                "8190",
            ],
            env=env,
            log=workdir / "gunicorn.log",
        )

        def up() -> bool:
            try:
                return Http(web_port, {"X-Forwarded-Proto": "https"}).request("GET", "/accounts/login/")[0] == 200
            except (OSError, http.client.HTTPException):
                return False

        wait_for(up, 60, "gunicorn")
        status, answer = Http(web_port, {"X-Forwarded-Proto": "https"}).request(
            "POST", "/api/v1/auth/token/", {"username": USERNAME, "password": PASSWORD}
        )
        if status != 200:
            raise SystemExit(f"token: {status} {answer}")
        token = answer["token"]
        client = Http(web_port, {"X-Forwarded-Proto": "https", "Authorization": f"Token {token}"})
        cases = []
        for offset in range(0, 1000, 200):
            cases += client.request("GET", f"/api/v1/cases/?limit=200&offset={offset}")[1]["results"]
        client.close()
        drafts = [c["id"] for c in cases if c["status"] == "draft"]
        accepted = [c["id"] for c in cases if c["status"] == "accepted"]
        ids = [c["id"] for c in cases]
        queued_before = int(subprocess.check_output(["redis-cli", "-p", str(redis_port), "llen", "celery"]).strip())  # noqa: S603, S607
        print(f"{len(ids)} cases visible ({len(drafts)} drafts, {len(accepted)} accepted); running ...", flush=True)
        report = run_load(web_port, token, args.requests, args.concurrency, drafts, ids, accepted, args.seed)
        queued = int(subprocess.check_output(["redis-cli", "-p", str(redis_port), "llen", "celery"]).strip())  # noqa: S603, S607
        report["render_tasks_queued"] = queued - queued_before
        report["gunicorn_workers"] = args.workers
        report["cpu_count"] = os.cpu_count()
    finally:
        services.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    print(json.dumps(report, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
