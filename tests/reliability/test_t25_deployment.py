"""T25 deployment configuration (RELIABILITY.md §3, docs/deployment.md): `check --deploy` is
clean with production settings; request limits, secure cookies, HSTS; no caching of personal
data; a Content-Security-Policy the pages actually live with; login lockout on the web login
and the API token endpoint; and a short bounded load run (the full 2,000-request run is
`scripts/load_run.py`, its figures are in docs/deployment.md)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "t25-only-" + "k" * 50,
    "FIELD_ENCRYPTION_KEY": "Y2ktb25seS1maWVsZC1lbmNyeXB0aW9uLWtleS0zMmI=",
    "DJANGO_ALLOWED_HOSTS": "mediation.example.org",
    "DATABASE_URL": "postgres://mediation_app@127.0.0.1:5432/mediation",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
}


def _production(*args: str) -> subprocess.CompletedProcess[str]:
    """Run manage.py with the production environment (nothing inherited that could relax it)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "AXES_"))}
    env.update(PRODUCTION_ENV)
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_at_warning_level() -> None:
    result = _production("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


PRODUCTION_SETTINGS_SCRIPT = """
import json
from django.conf import settings as s
names = ["DEBUG", "DATA_UPLOAD_MAX_MEMORY_SIZE", "DATA_UPLOAD_MAX_NUMBER_FIELDS", "DATA_UPLOAD_MAX_NUMBER_FILES",
         "FILE_UPLOAD_MAX_MEMORY_SIZE", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_SECURE",
         "CSRF_COOKIE_HTTPONLY", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
         "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS", "AXES_ENABLED", "AXES_FAILURE_LIMIT", "SESSION_COOKIE_AGE"]
print(json.dumps({n: getattr(s, n) for n in names}))
print(json.dumps(s.MIDDLEWARE))
"""


def test_production_settings_limit_requests_and_protect_cookies() -> None:
    result = _production("shell", "-c", PRODUCTION_SETTINGS_SCRIPT)
    assert result.returncode == 0, result.stderr
    values_line, middleware_line = result.stdout.strip().splitlines()[-2:]
    values, middleware = json.loads(values_line), json.loads(middleware_line)
    assert values == {
        "DEBUG": False,
        "DATA_UPLOAD_MAX_MEMORY_SIZE": 2_621_440,
        "DATA_UPLOAD_MAX_NUMBER_FIELDS": 1000,
        "DATA_UPLOAD_MAX_NUMBER_FILES": 10,
        "FILE_UPLOAD_MAX_MEMORY_SIZE": 2_621_440,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "X_FRAME_OPTIONS": "DENY",
        "AXES_ENABLED": True,
        "AXES_FAILURE_LIMIT": 5,
        "SESSION_COOKIE_AGE": 8 * 3600,
    }
    for required in (
        "django.middleware.security.SecurityMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "csp.middleware.CSPMiddleware",
        "core.security.NoStoreMiddleware",
        "axes.middleware.AxesMiddleware",
    ):
        assert required in middleware
    assert middleware[-1] == "axes.middleware.AxesMiddleware"


# --- headers on the pages ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_personal_data_pages_and_the_api_are_not_cached(client: Client, case_in: Any, clerk: Any) -> None:
    case = case_in("registered")
    client.force_login(clerk)
    api = APIClient()
    api.force_authenticate(clerk)
    responses = {
        "case detail": client.get(f"/cases/{case.pk}/"),
        "case list": client.get("/cases/"),
        "API case list": api.get("/api/v1/cases/"),
        "API case detail": api.get(f"/api/v1/cases/{case.pk}/"),
        "API 404": api.get("/api/v1/cases/999999/"),
        "login page": Client().get("/accounts/login/"),
    }
    for name, response in responses.items():
        assert response.status_code in (200, 404), name
        assert "no-store" in response["Cache-Control"].split(", "), name


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client: Client, case_in: Any, clerk: Any) -> None:
    case = case_in("registered")
    client.force_login(clerk)
    for url in ("/", f"/cases/{case.pk}/", "/accounts/login/", "/apply/", "/api/docs/"):
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
        assert directives["script-src"] == "'self'", url
        assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'", url
        if url == "/api/docs/":  # Swagger UI injects <style>: inline styles there, nothing else
            assert directives["style-src"] == "'self' 'unsafe-inline'"
            assert policy.count("unsafe") == 1
        else:
            assert directives["style-src"] == "'self'", url
            assert "unsafe" not in policy, url


#: What a policy without 'unsafe-inline' / 'unsafe-eval' refuses in a page served to a browser.
INLINE_CODE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:|hx-on[:-]|hx-vars=|js:", re.IGNORECASE
)
#: Templates that never reach a browser: WeasyPrint renders them to PDF.
PDF_TEMPLATES = ("documents/", "reports/pdf/")


def test_no_template_served_to_browsers_has_inline_code() -> None:
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        relative = path.relative_to(ROOT / "templates").as_posix()
        if relative.startswith(PDF_TEMPLATES):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if INLINE_CODE.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()[:100]}")
    assert offenders == []


def test_static_scripts_are_files_the_pages_load() -> None:
    base = (ROOT / "templates" / "base.html").read_text(encoding="utf-8")
    assert "{% static 'js/app.js' %}" in base
    assert '"allowEval": false' in base  # htmx must not need 'unsafe-eval'
    assert (ROOT / "static" / "js" / "app.js").is_file()


# --- login lockout (django-axes) --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_web_login_locks_a_user_name_after_five_failures_from_one_address(clerk: Any) -> None:
    attacker = Client(REMOTE_ADDR="10.9.0.1")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = attacker.post("/accounts/login/", {"username": "clerk", "password": "guess"})
        assert response.status_code == 200  # the form again, with its error
    locked = attacker.post("/accounts/login/", {"username": "clerk", "password": "guess"})
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    assert int(locked["Retry-After"]) > 0

    right_password = attacker.post("/accounts/login/", {"username": "clerk", "password": "pw-12345678"})
    assert right_password.status_code == 429
    assert SESSION_KEY not in attacker.session

    colleague = Client(REMOTE_ADDR="10.9.0.2")  # the same account from another address still works
    response = colleague.post("/accounts/login/", {"username": "clerk", "password": "pw-12345678"})
    assert response.status_code == 302
    assert colleague.session[SESSION_KEY] == str(clerk.pk)


@pytest.mark.django_db
def test_a_success_before_the_limit_resets_the_count(clerk: Any) -> None:
    client = Client(REMOTE_ADDR="10.9.0.3")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/accounts/login/", {"username": "clerk", "password": "guess"})
    assert client.post("/accounts/login/", {"username": "clerk", "password": "pw-12345678"}).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post("/accounts/login/", {"username": "clerk", "password": "guess"}).status_code == 200


@pytest.mark.django_db
def test_the_token_endpoint_locks_too_in_the_error_shape(clerk: Any) -> None:
    client = APIClient(REMOTE_ADDR="10.9.0.4")
    url = "/api/v1/auth/token/"
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(url, {"username": "clerk", "password": "guess"}, format="json").status_code == 400
    response = client.post(url, {"username": "clerk", "password": "guess"}, format="json")
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "throttled" and "登录失败次数过多" in error["message"]

    again = client.post(url, {"username": "clerk", "password": "pw-12345678"}, format="json")
    assert again.status_code == 429
    assert not Token.objects.exists()


@pytest.mark.django_db
def test_an_oversized_api_body_is_a_413_in_the_error_shape(clerk: Any) -> None:
    api = APIClient()
    api.force_authenticate(clerk)
    body = json.dumps({"facts": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    response = api.post("/api/v1/cases/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


# --- bounded load (short) ---------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.postgres
def test_a_short_load_run_has_no_errors(tmp_path: Path) -> None:
    """scripts/load_run.py with 100 requests against gunicorn on 127.0.0.1 (its own database,
    seeded by the script): zero errors and PDFs never rendered on the request path."""
    database = settings.DATABASES["default"]
    url = f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}_load"
    out = tmp_path / "load.json"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "scripts/load_run.py", "--requests", "100", "--database-url", url, "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=420,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["requests"] == 100
    assert report["errors"] == 0, report
    assert set(report["kinds"]) == {"list", "detail", "transition", "pdf_enqueue"}
    assert report["kinds"]["pdf_enqueue"]["count"] > 0
