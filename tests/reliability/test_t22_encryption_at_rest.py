"""T22 Encryption at rest and key handling (RELIABILITY.md §3).

Pass: a raw SELECT of the ID/phone columns of the main and the history tables returns 0
plaintext values; lookup by ID number still works; a key rotation re-encrypts N rows with 0
read failures (and the old key is no longer needed afterwards)."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from cases import services
from cases.management.commands.rotate_field_key import encrypted_models
from cases.models import Case, Employer, Person
from cases.selectors import case_list
from core import crypto
from core.history import save_with_history

pytestmark = pytest.mark.django_db

ID_NUMBERS = ["11010519491231002X", "110105198001011238", "320106198506123011"]
PHONES = ["13812345678", "13900001111", "010-69243456"]
N = 30


def _raw_values() -> list[str]:
    """Every stored value of every encrypted column, main and history tables, as SQL sees it."""
    values = []
    with connection.cursor() as cursor:
        for model, columns in encrypted_models():
            for column in columns:
                cursor.execute(f"SELECT {column} FROM {model._meta.db_table}")  # noqa: S608
                values += [row[0] for row in cursor.fetchall() if row[0]]
    return values


def _people(clerk: Any, count: int) -> list[Person]:
    people = []
    for index in range(count):
        base = ID_NUMBERS[index % len(ID_NUMBERS)] if index < len(ID_NUMBERS) else ""
        person = services.person_get_or_create(
            actor=clerk, name=f"工人{index}", id_number=base, phone=f"139{index:08d}"
        )
        people.append(person)
    return people


def test_the_encrypted_columns_are_known_in_main_and_history_tables() -> None:
    tables = {model._meta.db_table for model, _columns in encrypted_models()}
    assert {"cases_person", "cases_historicalperson", "cases_employer", "cases_historicalemployer"} <= tables


def test_no_plaintext_id_or_phone_in_main_or_history_tables(case_in: Any, clerk: Any) -> None:
    case = case_in("registered")
    person = case.parties.get(side="applicant").person
    person.id_number, person.phone = ID_NUMBERS[0], PHONES[0]
    person.id_number_hash = crypto.lookup_hash(ID_NUMBERS[0])
    save_with_history(person, actor=clerk, reason="补录证件号码")
    employer = case.parties.get(side="respondent").employer
    employer.contact_phone = PHONES[2]
    save_with_history(employer, actor=clerk, reason="补录电话")
    _people(clerk, 3)

    raw = _raw_values()
    history_raw = [
        v
        for model, cols in encrypted_models()
        if model._meta.db_table.startswith("cases_historical")
        for v in _select(model._meta.db_table, cols)
    ]

    assert len(history_raw) >= 4  # the history copies the columns, so it must be checked too
    secrets = ID_NUMBERS + PHONES + ["69243456"]
    assert [v for v in raw if any(s in v for s in secrets)] == []
    assert all(v.startswith("gAAAA") for v in raw)  # Fernet tokens
    # the ORM still reads them, and a lookup by ID number finds the case
    assert Person.objects.get(pk=person.pk).id_number == ID_NUMBERS[0]
    assert Employer.objects.get(pk=employer.pk).contact_phone == PHONES[2]
    assert list(case_list(user=clerk, filters={"q": ID_NUMBERS[0].lower()})) == [Case.objects.get(pk=case.pk)]
    assert services.person_get_or_create(actor=clerk, name="张三", id_number=ID_NUMBERS[0]).pk == person.pk


def _select(table: str, columns: list[str]) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table}")  # noqa: S608
        return [v for row in cursor.fetchall() for v in row if v]


def _rotate(settings: Any) -> str:
    old = settings.FIELD_ENCRYPTION_KEY
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_OLD_KEYS = [old]
    out = StringIO()
    call_command("rotate_field_key", stdout=out)
    settings.FIELD_ENCRYPTION_OLD_KEYS = []  # the old key is dropped after the rotation
    return out.getvalue()


def test_key_rotation_re_encrypts_every_row_with_zero_read_failures(clerk: Any, settings: Any) -> None:
    people = _people(clerk, N)
    before = _raw_values()
    expected = {p.pk: (p.id_number, p.phone) for p in people}

    output = _rotate(settings)

    after = _raw_values()
    assert len(after) == len(before) and not set(after) & set(before)  # every token rewritten
    assert "cases_historicalperson:" in output and "0 unreadable" in output
    # 0 read failures with the new key alone, in the main and the history tables
    read = {p.pk: (p.id_number, p.phone) for p in Person.objects.all()}
    assert read == expected
    assert len([h.id_number for h in Person.history.all()]) >= N
    # lookup hashes follow the new key: a search by ID number still finds the person
    assert services.person_get_or_create(actor=clerk, name="工人0", id_number=ID_NUMBERS[0]).pk == people[0].pk


def test_a_value_no_key_can_read_is_reported_and_fails_the_command(clerk: Any, settings: Any) -> None:
    _people(clerk, 2)
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()  # the old key is lost
    settings.FIELD_ENCRYPTION_OLD_KEYS = []
    err = StringIO()
    with pytest.raises(Exception, match="could not be decrypted"):
        call_command("rotate_field_key", stdout=StringIO(), stderr=err)
    assert "UNREADABLE cases_person" in err.getvalue()


@pytest.mark.postgres
def test_rotation_passes_the_append_only_history_guard_and_restores_it(clerk: Any, settings: Any) -> None:
    _people(clerk, 3)
    _rotate(settings)
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgenabled FROM pg_trigger WHERE tgname = 'cases_historicalperson_append_only'")
        assert cursor.fetchone() == ("O",)  # enabled again
    assert [p.id_number for p in Person.objects.order_by("pk")][:3] == ID_NUMBERS
