"""Resident ID numbers (GB 11643-1999) and unified social credit codes (GB 32100-2015).

Golden values are the standards' own examples and codes printed on companies' published business
licences; the check characters are also computed here by a second implementation written from
the standards' formulas (the recursive ISO 7064 method, the standard's literal tables), not from
the code under test.
"""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataip.accounts.errors import AccountsError, IdNumberError
from dataip.accounts.validators import validate_credit_code, validate_phone, validate_resident_id

#: GB 11643-1999, section 8 (examples): Beijing Chaoyang, born 1949-12-31; Guangdong
#: Shantou Chaoyang county, born 1880-01-01.
RESIDENT_IDS = ["11010519491231002X", "440524188001010014"]

#: Printed on the business licences these companies publish (国家企业信用信息公示系统):
CREDIT_CODES = [
    "91110000802100433B",  # 北京百度网讯科技有限公司
    "914403001922038216",  # 华为技术有限公司
    "91440300708461136T",  # 深圳市腾讯计算机系统有限公司
    "91330100716105852F",  # 阿里巴巴（中国）有限公司
]

# GB 32100-2015, table 2 (代码字符集): each character and its value, written out as printed.
_USCC_VALUES = {
    **{str(d): d for d in range(10)},
    "A": 10,
    "B": 11,
    "C": 12,
    "D": 13,
    "E": 14,
    "F": 15,
    "G": 16,
    "H": 17,
    "J": 18,
    "K": 19,
    "L": 20,
    "M": 21,
    "N": 22,
    "P": 23,
    "Q": 24,
    "R": 25,
    "T": 26,
    "U": 27,
    "W": 28,
    "X": 29,
    "Y": 30,
}
# GB 32100-2015, table 3: the weights of positions 1..17.
_USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def reference_resident_check(first17: str) -> str:
    """ISO 7064 MOD 11-2, recursive method: P = 2 (P + a) mod 11, then (P + C) mod 11 = 1."""
    p = 0
    for char in first17:
        p = (p + int(char)) * 2 % 11
    c = (12 - p) % 11
    return "X" if c == 10 else str(c)


def reference_credit_check(first17: str) -> str:
    """GB 32100-2015, 5.2: C18 = 31 - MOD(sum Ci x Wi, 31), value 31 written 0."""
    c = 31 - sum(_USCC_VALUES[ch] * w for ch, w in zip(first17, _USCC_WEIGHTS, strict=True)) % 31
    value = 0 if c == 31 else c
    return next(ch for ch, v in _USCC_VALUES.items() if v == value)


def test_reference_implementations_agree_with_the_golden_values():
    for number in RESIDENT_IDS:
        assert reference_resident_check(number[:17]) == number[17]
    for code in CREDIT_CODES:
        assert reference_credit_check(code[:17]) == code[17]


@pytest.mark.parametrize("number", RESIDENT_IDS)
def test_resident_ids_of_the_standard_are_valid(number):
    assert validate_resident_id(number) == number


@pytest.mark.parametrize("code", CREDIT_CODES)
def test_published_credit_codes_are_valid(code):
    assert validate_credit_code(code) == code


def test_input_is_normalised():
    assert validate_resident_id(" 11010519491231002x ") == "11010519491231002X"
    assert validate_resident_id("110105 19491231 002X") == "11010519491231002X"
    # Full-width characters, as a Chinese input method types them.
    assert validate_resident_id("１１０１０５１９４９１２３１００２Ｘ") == "11010519491231002X"
    assert validate_credit_code("91440300708461136t") == "91440300708461136T"


@pytest.mark.parametrize("number", RESIDENT_IDS)
def test_every_single_character_change_of_a_resident_id_is_rejected(number):
    for position in range(18):
        allowed = "0123456789X" if position == 17 else "0123456789"
        for char in allowed.replace(number[position], ""):
            changed = number[:position] + char + number[position + 1 :]
            with pytest.raises(IdNumberError):
                validate_resident_id(changed)


@pytest.mark.parametrize("code", CREDIT_CODES)
def test_every_single_character_change_of_a_credit_code_is_rejected(code):
    for position in range(18):
        for char in "".join(_USCC_VALUES).replace(code[position], ""):
            changed = code[:position] + char + code[position + 1 :]
            with pytest.raises(IdNumberError):
                validate_credit_code(changed)


_digits = st.text(alphabet="0123456789", min_size=1, max_size=1)
_uscc_chars = st.sampled_from(sorted(_USCC_VALUES))


@given(
    head=st.lists(_uscc_chars, min_size=2, max_size=2),
    region=st.lists(_digits, min_size=6, max_size=6),
    tail=st.lists(_uscc_chars, min_size=9, max_size=9),
)
def test_credit_codes_with_the_reference_check_character_are_valid(head, region, tail):
    first17 = "".join(head + region + tail)
    check = reference_credit_check(first17)
    assert validate_credit_code(first17 + check) == first17 + check
    for wrong in "".join(_USCC_VALUES).replace(check, ""):
        with pytest.raises(IdNumberError) as raised:
            validate_credit_code(first17 + wrong)
        assert raised.value.code == "credit_code_check"


@given(
    birth=st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2020, 12, 31)),
    sequence=st.integers(min_value=0, max_value=999),
)
def test_resident_ids_with_the_reference_check_character_are_valid(birth, sequence):
    first17 = f"440106{birth:%Y%m%d}{sequence:03d}"
    number = first17 + reference_resident_check(first17)
    assert validate_resident_id(number) == number


@pytest.mark.parametrize(
    ("value", "code", "zh", "en"),
    [
        (
            "91110000802100433C",
            "credit_code_check",
            "统一社会信用代码校验位错误：应为 B，实为 C",
            "wrong check character in the unified social credit code: expected B, found C",
        ),
        (
            "9111000080210043",
            "credit_code_length",
            "统一社会信用代码应为 18 位，填写的是 16 位",
            "a unified social credit code has 18 characters; this one has 16",
        ),
        (
            "91110000802100433I",
            "credit_code_chars",
            "统一社会信用代码只能由数字和除 I、O、Z、S、V 以外的大写字母组成；第 18 位“I”不允许",
            "a unified social credit code is digits and capital letters other than I, O, Z, S "
            "and V; character 18 'I' is not allowed",
        ),
        (
            "9111A000802100433B",
            "credit_code_region",
            "统一社会信用代码第 3 至 8 位应为行政区划码（数字），第 5 位为“A”",
            "characters 3 to 8 of a unified social credit code are a region code (digits); "
            "character 5 is 'A'",
        ),
    ],
)
def test_credit_code_messages_name_the_problem(value, code, zh, en):
    with pytest.raises(IdNumberError) as raised:
        validate_credit_code(value)
    assert raised.value.code == code
    assert raised.value.message("zh") == zh
    assert raised.value.message("en") == en


@pytest.mark.parametrize(
    ("value", "code", "en"),
    [
        (
            "110105194912310021",
            "resident_id_check",
            "wrong check character in the resident ID number: expected X, found 1",
        ),
        (
            "11010519491231002",
            "resident_id_length",
            "a resident ID number has 18 characters; this one has 17",
        ),
        (
            "110105194912310X2X",
            "resident_id_chars",
            "a resident ID number is 17 digits and a digit or X; character 16 'X' is not allowed",
        ),
        (
            "99010519491231002X",
            "resident_id_region",
            "the first two digits of the resident ID number, '99', are not a province code",
        ),
        (
            "11010519490230002X",
            "resident_id_birth_date",
            "the birth date in the resident ID number, '19490230', is not a real date",
        ),
    ],
)
def test_resident_id_messages_name_the_problem(value, code, en):
    with pytest.raises(IdNumberError) as raised:
        validate_resident_id(value)
    assert raised.value.code == code
    assert raised.value.message("en") == en


def test_resident_id_check_message_in_chinese():
    with pytest.raises(IdNumberError) as raised:
        validate_resident_id("110105194912310021")
    assert raised.value.message("zh") == "居民身份证号码校验码错误：应为 X，实为 1"


def test_birth_date_after_today_is_rejected():
    first17 = "11010520300101001"
    number = first17 + reference_resident_check(first17)
    with pytest.raises(IdNumberError) as raised:
        validate_resident_id(number, today=datetime.date(2026, 12, 1))
    assert raised.value.code == "resident_id_birth_future"
    assert validate_resident_id(number, today=datetime.date(2030, 1, 1)) == number


def test_a_fifteen_digit_old_style_number_is_rejected_by_length():
    with pytest.raises(IdNumberError) as raised:
        validate_resident_id("110105491231002")
    assert raised.value.code == "resident_id_length"


@pytest.mark.parametrize(
    ("value", "normal"),
    [
        ("13800138000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("0086 13800138000", "13800138000"),
    ],
)
def test_phone_numbers_are_normalised(value, normal):
    assert validate_phone(value) == normal


@pytest.mark.parametrize("value", ["1380013800", "23800138000", "138001380001", "010-12345678", ""])
def test_bad_phone_numbers_are_rejected(value):
    with pytest.raises(AccountsError) as raised:
        validate_phone(value)
    assert raised.value.code == "phone_invalid"
