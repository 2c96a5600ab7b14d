"""Identity numbers of registrants: resident ID numbers and unified social credit codes.

- Resident ID number (公民身份号码), GB 11643-1999: a 6-digit address code (GB/T 2260), an
  8-digit birth date YYYYMMDD, a 3-digit sequence code and a check character computed with
  ISO 7064:1983 MOD 11-2 (weights 2^(18-i) mod 11; value 10 is written X).
- Unified social credit code (统一社会信用代码), GB 32100-2015: a registration authority code,
  an entity type code, a 6-digit region code (GB/T 2260), a 9-character organisation code
  (GB 11714) and a check character. The alphabet is the digits and the capital letters without
  I, O, Z, S and V (31 characters); the check character is 31 - (sum of value x 3^i mod 31)
  mod 31, taken from the same alphabet.

Both validators accept what people type and copy: surrounding and inner white space, full-width
characters (normalised with NFKC) and lower-case letters; they return the normalised value.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from dataip.accounts.errors import AccountsError, IdNumberError

ID_LENGTH = 18

#: GB 11643-1999: the weight of position i (1..18, the check character last) is 2^(18-i) mod 11.
RESIDENT_ID_WEIGHTS = tuple(pow(2, 18 - i, 11) for i in range(1, 18))
#: The check character (12 - S mod 11) mod 11 (10 written X), indexed by S mod 11.
_RESIDENT_ID_CHECK = "10X98765432"
#: Province-level codes of GB/T 2260, and 83 of the residence permits of Taiwan residents
#: (81 and 82 are both Hong Kong and Macao, and permits of their residents).
PROVINCE_CODES = frozenset(
    [
        *("11", "12", "13", "14", "15"),
        *("21", "22", "23"),
        *("31", "32", "33", "34", "35", "36", "37"),
        *("41", "42", "43", "44", "45", "46"),
        *("50", "51", "52", "53", "54"),
        *("61", "62", "63", "64", "65"),
        *("71", "81", "82", "83"),
    ]
)
#: Nobody alive was born earlier; the margin keeps the standard's own example (born 1880).
_EARLIEST_BIRTH = datetime.date(1800, 1, 1)

#: GB 32100-2015, table 2: the characters of the code, in the order of their values 0..30.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_CODE_VALUES = {c: v for v, c in enumerate(CREDIT_CODE_ALPHABET)}
#: GB 32100-2015: the weights of the first 17 characters, 3^(i-1) mod 31 for i = 1..17.
CREDIT_CODE_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))

_SPACE = re.compile(r"\s+")
_PHONE = re.compile(r"1[0-9]{10}")


def _normalise(value: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", value)).upper()


def resident_id_check_character(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, RESIDENT_ID_WEIGHTS, strict=True))
    return _RESIDENT_ID_CHECK[total % 11]


def credit_code_check_character(first17: str) -> str:
    """The GB 32100 check character of the first 17 characters."""
    total = sum(
        _CREDIT_CODE_VALUES[c] * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_resident_id(value: str, *, today: datetime.date | None = None) -> str:
    """The normalised 18-character resident ID number, or :class:`IdNumberError` saying why not.

    Checked: the length, the characters, the province code, the birth date (a real date, not
    after ``today``) and the check character.
    """
    number = _normalise(value)
    if len(number) != ID_LENGTH:
        raise IdNumberError("resident_id_length", length=len(number))
    for position, char in enumerate(number, start=1):
        if not (char in "0123456789" or (position == ID_LENGTH and char == "X")):
            raise IdNumberError("resident_id_chars", position=position, char=char)
    if number[:2] not in PROVINCE_CODES:
        raise IdNumberError("resident_id_region", province=number[:2])
    digits = number[6:14]
    try:
        birth = datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise IdNumberError("resident_id_birth_date", digits=digits) from None
    if birth < _EARLIEST_BIRTH:
        raise IdNumberError("resident_id_birth_date", digits=digits)
    if birth > (today or datetime.date.today()):  # noqa: DTZ011 - a calendar date, no time zone
        raise IdNumberError("resident_id_birth_future", date=birth.isoformat())
    expected = resident_id_check_character(number[:17])
    if number[17] != expected:
        raise IdNumberError("resident_id_check", expected=expected, actual=number[17])
    return number


def validate_credit_code(value: str) -> str:
    """The normalised 18-character unified social credit code, or :class:`IdNumberError`.

    Checked: the length, the alphabet (no I, O, Z, S, V), the digits of the region code and
    the check character.
    """
    code = _normalise(value)
    if len(code) != ID_LENGTH:
        raise IdNumberError("credit_code_length", length=len(code))
    for position, char in enumerate(code, start=1):
        if char not in _CREDIT_CODE_VALUES:
            raise IdNumberError("credit_code_chars", position=position, char=char)
    for position in range(3, 9):
        if not code[position - 1].isdigit():
            raise IdNumberError("credit_code_region", position=position, char=code[position - 1])
    expected = credit_code_check_character(code[:17])
    if code[17] != expected:
        raise IdNumberError("credit_code_check", expected=expected, actual=code[17])
    return code


def validate_phone(value: str) -> str:
    """A mainland mobile number as 11 digits (a +86 or 0086 prefix, spaces, hyphens dropped)."""
    phone = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", value))
    for prefix in ("+86", "0086"):
        if phone.startswith(prefix):
            phone = phone[len(prefix) :]
            break
    if not _PHONE.fullmatch(phone):
        raise AccountsError("phone_invalid", phone=value.strip())
    return phone
