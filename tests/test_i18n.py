"""The English catalog is complete and compiled, and the language switch works: Chinese by
default whatever the browser asks for, English once the user picks it (cookie)."""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0


def parse_po(path: Path) -> list[Entry]:
    """A tiny .po reader: msgctxt, msgid, msgid_plural, msgstr / msgstr[n], flags and
    continuation lines. Obsolete (#~) entries are skipped; msgfmt does not compile them."""
    entries: list[Entry] = []
    entry = Entry()
    key = ""
    flags: set[str] = set()
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if not line or line.startswith("#"):
            continue
        if match := re.match(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$', line):
            keyword, index, literal = match.groups()
            if keyword == "msgctxt" or (keyword == "msgid" and key != "msgctxt"):
                entry = Entry(flags=flags, line=number)
                entries.append(entry)
                flags = set()
            key = keyword if keyword != "msgstr" else f"msgstr{index or 0}"
        elif line.startswith('"') and key:
            literal = line
        else:
            raise AssertionError(f"{path.name}:{number}: cannot parse {raw!r}")
        value = ast.literal_eval(literal)
        if key == "msgid":
            entry.msgid += value
        elif key == "msgctxt":
            entry.msgctxt = (entry.msgctxt or "") + value
        elif key == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + value
        else:
            n = int(key.removeprefix("msgstr"))
            entry.msgstr[n] = entry.msgstr.get(n, "") + value
    return [e for e in entries if e.msgid]  # the header has an empty msgid


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return parse_po(PO)


def test_the_po_file_has_the_catalog(entries):
    assert len(entries) > 300
    assert any(e.msgid == "登录" for e in entries)
    assert any(e.msgid_plural for e in entries)


def test_every_msgid_has_an_english_msgstr_and_none_is_fuzzy(entries):
    fuzzy = [f"line {e.line}: {e.msgid}" for e in entries if "fuzzy" in e.flags]
    assert not fuzzy, "fuzzy entries (check the translation, then remove the flag): " + "; ".join(fuzzy)
    empty = [
        f"line {e.line}: {e.msgid}"
        for e in entries
        if not e.msgstr or any(not s for s in e.msgstr.values()) or (e.msgid_plural and len(e.msgstr) < 2)
    ]
    assert not empty, "untranslated entries in locale/en/LC_MESSAGES/django.po: " + "; ".join(empty)


def test_translations_keep_the_placeholders(entries):
    placeholder = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]+(?::[^}]*)?\}")
    for e in entries:
        expected = sorted(placeholder.findall(e.msgid_plural or e.msgid))
        for s in e.msgstr.values():
            assert sorted(placeholder.findall(s)) == expected, f"line {e.line}: {e.msgid} -> {s}"


def test_the_compiled_mo_matches_the_po(entries):
    """Fails when someone edits django.po and forgets `manage.py compilemessages -l en`."""
    with MO.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)
    stale = []
    for e in entries:
        if "fuzzy" in e.flags or not all(e.msgstr.values()):
            continue  # msgfmt leaves these out; the test above reports them
        if e.msgid_plural is not None:
            got = {
                0: catalog.npgettext(e.msgctxt, e.msgid, e.msgid_plural, 1)
                if e.msgctxt
                else catalog.ngettext(e.msgid, e.msgid_plural, 1),
                1: catalog.npgettext(e.msgctxt, e.msgid, e.msgid_plural, 2)
                if e.msgctxt
                else catalog.ngettext(e.msgid, e.msgid_plural, 2),
            }
            want = {0: e.msgstr.get(0), 1: e.msgstr.get(1)}
        else:
            got = {0: catalog.pgettext(e.msgctxt, e.msgid) if e.msgctxt else catalog.gettext(e.msgid)}
            want = {0: e.msgstr.get(0)}
        if got != want:
            stale.append(f"{e.msgid!r}: .mo has {got}, .po has {want}")
    assert not stale, "django.mo is out of date, run compilemessages -l en: " + "; ".join(stale[:10])


def test_transition_labels_are_translated():
    """The transition labels reach gettext_lazy as a variable (cases/workflow.py `_spec`), so
    makemessages cannot extract them: their entries were added to django.po by hand and a
    `makemessages --no-obsolete` run drops them. Re-add them (or mark the labels with
    gettext_noop in workflow.py) when this fails."""
    from cases.workflow import TRANSITIONS

    with translation.override("en"):
        untranslated = [f"{name}: {spec.label}" for name, spec in TRANSITIONS.items() if CJK.search(str(spec.label))]
    assert not untranslated, "transition labels without English: " + "; ".join(untranslated)


@pytest.mark.django_db
def test_the_default_is_chinese_whatever_the_browser_says(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert "登录" in response.content.decode()


@pytest.mark.django_db
def test_the_language_cookie_gives_english(client):
    client.cookies["django_language"] = "en"
    response = client.get("/accounts/login/")
    html = response.content.decode()
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in html
    assert "Log in" in html
    assert "登录" not in html
    assert "Username" in html and "Password" in html


@pytest.mark.django_db
def test_the_language_switch_sets_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
    html = client.get("/accounts/login/").content.decode()
    assert "Log in" in html
    assert "登录" not in html

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accounts/login/"})
    assert "登录" in client.get("/accounts/login/").content.decode()
