"""Identity numbers, USCC, phones and amounts (core.validators and the master-data services):
bad input is refused field by field in Chinese, good input is normalised, and resident ID
numbers are stored encrypted and found again by their lookup hash."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from stdnum.cn import ric, uscc

from cases import services
from cases.models import ClaimItem, Employer, Person
from cases.workflow import Status
from core import crypto
from core.exceptions import ApplicationError
from core.validators import normalize_phone, normalize_resident_id, normalize_uscc


def _with_ric_check(first17: str) -> str:
    # stdnum's calc_check_digit expects the full 18 characters (the last one is ignored).
    return first17 + ric.calc_check_digit(first17 + "0")


VALID_ID = _with_ric_check("11010519491231002")  # the GB 11643 example: ...002X
VALID_ID_MALE = _with_ric_check("11010519900307123")
BAD_BIRTH_DATE_ID = _with_ric_check("11010519491331002")  # month 13, check digit right
FEB_29_NON_LEAP_ID = _with_ric_check("11010519490229002")
VALID_USCC = "91110108MA01ABCD1" + uscc.calc_check_digit("91110108MA01ABCD1")
WRONG_USCC = VALID_USCC[:-1] + ("A" if VALID_USCC[-1] != "A" else "B")

FORMAT = "居民身份证号码应为18位：前17位为数字，最后一位为数字或X（半角字符）。"
CHECKSUM = "居民身份证号码校验位不正确，请核对。"
COMPONENT = "居民身份证号码中的出生日期或地区码无效，请核对。"
PHONE = "电话号码格式无效：手机号为11位（以1开头），固定电话如010-69243456。"
AMOUNT = "金额应为不小于0的数字，最多两位小数（如 12000.50）。"


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_fixture_numbers_are_what_they_claim():
    assert VALID_ID == "11010519491231002X"
    assert ric.is_valid(VALID_ID) and ric.is_valid(VALID_ID_MALE)
    assert uscc.is_valid(VALID_USCC) and not uscc.is_valid(WRONG_USCC)
    assert BAD_BIRTH_DATE_ID[-1] == ric.calc_check_digit(BAD_BIRTH_DATE_ID)


# --- resident ID numbers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("11010519491231002Y", FORMAT),
        ("110105194912310021", CHECKSUM),
        ("110105194912310022", CHECKSUM),
        ("11010519491231002", FORMAT),  # 17 digits
        ("1101051949123100200", FORMAT),  # 19
        ("１１０１０５１９４９１２３１００２Ｘ", FORMAT),  # full-width
        ("11010519491231002Ｘ", FORMAT),
        (BAD_BIRTH_DATE_ID, COMPONENT),
        (FEB_29_NON_LEAP_ID, COMPONENT),
        ("X10105194912310021", FORMAT),
    ],
)
def test_bad_resident_id_is_refused_on_its_field(clerk, raw, message):
    with pytest.raises(ValueError, match=message):
        normalize_resident_id(raw)

    with pytest.raises(ApplicationError) as exc:
        services.person_get_or_create(actor=clerk, name="张三", id_number=raw)

    assert type(exc.value) is ApplicationError
    assert exc.value.message == "当事人信息有误，请按提示修改。"
    assert exc.value.fields == {"id_number": [message]}
    assert not Person.objects.exists()


@pytest.mark.parametrize("raw", ["11010519491231002x", " 11010519491231002X ", "110105 19491231 002X"])
def test_valid_resident_id_is_normalised(raw):
    assert normalize_resident_id(raw) == "11010519491231002X"


def test_person_takes_birth_date_and_sex_from_the_id_number(clerk):
    woman = services.person_get_or_create(actor=clerk, name="李四", id_number="11010519491231002x")
    man = services.person_get_or_create(actor=clerk, name="王五", id_number=VALID_ID_MALE)

    assert (woman.id_number, woman.birth_date, woman.sex) == ("11010519491231002X", dt.date(1949, 12, 31), "F")
    assert (man.birth_date, man.sex) == (dt.date(1990, 3, 7), "M")


def test_person_is_found_again_by_id_number(clerk):
    first = services.person_get_or_create(actor=clerk, name="张三", id_number="11010519491231002X")
    again = services.person_get_or_create(actor=clerk, name="张三", id_number="11010519491231002x")

    assert again.pk == first.pk
    assert Person.objects.count() == 1
    assert first.history.count() == 1


def test_people_without_id_number_are_not_merged(clerk):
    first = services.person_get_or_create(actor=clerk, name="张三")
    second = services.person_get_or_create(actor=clerk, name="张三")

    assert first.pk != second.pk


def test_id_number_is_encrypted_at_rest_and_masked_for_display(clerk):
    person = services.person_get_or_create(actor=clerk, name="张三", id_number=VALID_ID, phone="13812345678")

    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, id_number_hash FROM cases_person WHERE id = %s", [person.pk])
        raw_id, raw_phone, id_hash = cursor.fetchone()
        cursor.execute("SELECT id_number FROM cases_historicalperson WHERE id = %s", [person.pk])
        (history_raw_id,) = cursor.fetchone()

    for stored in (raw_id, history_raw_id):
        assert stored
        assert VALID_ID not in stored
        assert "19491231" not in stored
        assert crypto.decrypt(stored) == VALID_ID
    assert raw_phone and "13812345678" not in raw_phone
    assert id_hash == crypto.lookup_hash(VALID_ID) and VALID_ID not in id_hash

    fresh = Person.objects.get(pk=person.pk)
    assert fresh.id_number == VALID_ID
    assert fresh.id_number_masked == "110***********002X"
    assert fresh.phone == "13812345678"
    assert fresh.phone_masked == "138****5678"


def test_other_id_types_are_kept_as_given(clerk):
    person = services.person_get_or_create(actor=clerk, name="John Smith", id_type="passport", id_number=" E12345678 ")

    assert person.id_number == "E12345678"
    assert person.birth_date is None


def test_missing_name_and_bad_id_are_both_reported(clerk):
    with pytest.raises(ApplicationError) as exc:
        services.person_get_or_create(actor=clerk, name="  ", id_number="110105194912310021", phone="abc")

    assert exc.value.fields == {"name": ["请填写姓名。"], "id_number": [CHECKSUM], "phone": [PHONE]}


# --- phones -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["1381234567", "138123456789", "12812345678", "２３", "abc", "１３８１２３４５６７８", "010-1234"]
)
def test_bad_phone_is_refused_on_its_field(clerk, raw):
    with pytest.raises(ValueError, match=PHONE):
        normalize_phone(raw)

    with pytest.raises(ApplicationError) as exc:
        services.person_get_or_create(actor=clerk, name="张三", phone=raw)

    assert exc.value.fields == {"phone": [PHONE]}
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [("13812345678", "13812345678"), ("138 1234 5678", "13812345678"), ("010-69243456", "010-69243456")],
)
def test_valid_phone_is_normalised(raw, normalised):
    assert normalize_phone(raw) == normalised


def test_employer_contact_phone_is_checked(clerk):
    with pytest.raises(ApplicationError) as exc:
        services.employer_get_or_create(actor=clerk, name="北京某某有限公司", contact_phone="２３")

    assert exc.value.fields == {"contact_phone": [PHONE]}
    assert not Employer.objects.exists()


# --- USCC -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (WRONG_USCC, "统一社会信用代码校验位不正确，请核对。"),
        (VALID_USCC[:-1], "统一社会信用代码应为18位半角数字或大写字母。"),
        ("９１１１０１０８ＭＡ０１ＡＢＣＤ１" + VALID_USCC[-1], "统一社会信用代码应为18位半角数字或大写字母。"),
        ("9111010IMA01ABCD1" + VALID_USCC[-1], "统一社会信用代码格式无效，请核对。"),
    ],
)
def test_bad_uscc_is_refused_on_its_field(clerk, raw, message):
    with pytest.raises(ValueError, match=message):
        normalize_uscc(raw)

    with pytest.raises(ApplicationError) as exc:
        services.employer_get_or_create(actor=clerk, name="北京某某有限公司", uscc=raw)

    assert type(exc.value) is ApplicationError
    assert exc.value.message == "用人单位信息有误，请按提示修改。"
    assert exc.value.fields == {"uscc": [message]}
    assert not Employer.objects.exists()


def test_valid_uscc_is_normalised_and_deduplicated(clerk):
    first = services.employer_get_or_create(actor=clerk, name="北京某某有限公司", uscc=VALID_USCC.lower())
    again = services.employer_get_or_create(actor=clerk, name="北京某某公司", uscc=f" {VALID_USCC} ")

    assert first.uscc == VALID_USCC
    assert again.pk == first.pk
    assert Employer.objects.count() == 1


# --- amounts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["-1", "-0.01", "12.345", "NaN", "nan", "Infinity", "-Infinity", "1e20", "１２３", "12元", "abc", "1e12"]
)
def test_bad_amount_is_refused(raw):
    with pytest.raises(ApplicationError) as exc:
        services.parse_amount(raw)

    assert exc.value.fields == {"amount": [AMOUNT]}


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("12000.5", "12000.50"),
        ("12000", "12000.00"),
        (" 0 ", "0.00"),
        ("12,000.50", "12000.50"),
        (Decimal("3.1"), "3.10"),
        (15, "15.00"),
        ("999999999999.99", "999999999999.99"),
    ],
)
def test_amount_is_parsed_to_cents(raw, value):
    parsed = services.parse_amount(raw)

    assert parsed == Decimal(value)
    assert str(parsed) == value


@pytest.mark.parametrize("raw", ["-0", "-0.00", "1e3", "1E+3", "1_000"])
def test_amount_must_be_written_in_plain_digits(raw):
    # parse_amount's contract: ">= 0, ASCII digits only". Decimal() also reads exponents,
    # underscores and a negative zero (which would print as "-0.00" on documents).
    with pytest.raises(ApplicationError) as exc:
        services.parse_amount(raw)

    assert exc.value.fields == {"amount": [AMOUNT]}


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_empty_amount_is_no_amount(raw):
    assert services.parse_amount(raw) is None


def test_claim_add_stores_the_parsed_amount(case_in, clerk):
    case = case_in(Status.DRAFT)

    claim = services.claim_add(case=case, actor=clerk, claim_type="OT", description=" 加班费 ", amount="12000.5")

    claim.refresh_from_db()
    assert (claim.claim_type, claim.description, claim.amount) == ("OT", "加班费", Decimal("12000.50"))


@pytest.mark.parametrize("raw", ["-1", "12.345", "NaN", "1e20", "１２３"])
def test_claim_add_refuses_bad_amount(case_in, clerk, raw):
    case = case_in(Status.DRAFT)
    before = ClaimItem.objects.filter(case=case).count()

    with pytest.raises(ApplicationError) as exc:
        services.claim_add(case=case, actor=clerk, claim_type="WAGE", description="工资", amount=raw)

    assert exc.value.fields == {"amount": [AMOUNT]}
    assert ClaimItem.objects.filter(case=case).count() == before


def test_non_monetary_claim_with_an_amount_is_refused(case_in, clerk):
    case = case_in(Status.DRAFT)
    before = ClaimItem.objects.filter(case=case).count()

    with pytest.raises(ApplicationError) as exc:
        services.claim_add(case=case, actor=clerk, claim_type="CERT", description="出具解除劳动合同证明", amount="100")

    assert exc.value.message == "请求事项有误，请按提示修改。"
    assert exc.value.fields == {"amount": ["非金钱请求（如出具离职证明）不填写金额。"]}
    assert ClaimItem.objects.filter(case=case).count() == before


def test_non_monetary_claim_without_amount_is_accepted(case_in, clerk):
    case = case_in(Status.DRAFT)

    claim = services.claim_add(case=case, actor=clerk, claim_type="CERT", description="出具解除劳动合同证明")

    assert claim.amount is None


def test_amount_given_as_a_decimal_with_trailing_zeros_is_accepted():
    """SQLite sums decimals as floats; a total like 3052.87000000000 is still 3052.87."""
    from decimal import Decimal

    from cases.services import parse_amount

    assert parse_amount(Decimal("3052.87000000000")) == Decimal("3052.87")
    with pytest.raises(ApplicationError):
        parse_amount(Decimal("3052.871"))
