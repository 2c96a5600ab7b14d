"""RFC 8785 JSON canonicalization (dataip.core.jcs): the RFC's samples and the rfc8785 package."""

from __future__ import annotations

import json
import struct
from typing import Any

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from dataip.core import jcs
from dataip.core.errors import InputError

# RFC 8785 Appendix B, "Number Serialization Samples": IEEE 754 bits -> JSON text.
APPENDIX_B = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]
NON_FINITE = ["7fffffffffffffff", "7ff0000000000000", "fff0000000000000"]

# The RFC author's test data (cyberphone/json-canonicalization testdata/input and output):
# values.json is the example of RFC 8785 section 3.2.2, weird.json the sorting example of 3.2.3.
VALUES_IN = (
    '{\n  "numbers": [1E30, 4.50, 333333333.33333329, 2e-3, 0.000000000000000000000000001],\n'
    '  "escaping": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",\n'
    '  "literals": [null, true, false]\n}'
)
VALUES_OUT = (
    '{"escaping":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/","literals":[null,true,false],'
    '"numbers":[1e+30,4.5,333333333.3333333,0.002,1e-27]}'
)
WEIRD_IN = (
    '{\n  "\\u20ac": "Euro Sign",\n  "1": "One",\n  "\\u0080": "Control\\u007f",\n'
    '  "\\ud83d\\ude02": "Smiley",\n  "\\u00f6": "Latin Small Letter O With Diaeresis",\n'
    '  "\\ufb33": "Hebrew Letter Dalet With Dagesh",\n  "</script>": "Browser Challenge"\n}\n'
)
WEIRD_OUT = (
    '{"1":"One","</script>":"Browser Challenge","\u0080":"Control\u007f",'
    '"ö":"Latin Small Letter O With Diaeresis","€":"Euro Sign","😂":"Smiley",'
    '"\ufb33":"Hebrew Letter Dalet With Dagesh"}'
)


def _double(bits: str) -> float:
    return float(struct.unpack(">d", bytes.fromhex(bits))[0])


@pytest.mark.parametrize(("bits", "text"), APPENDIX_B)
def test_appendix_b_numbers(bits: str, text: str) -> None:
    assert jcs.canonicalize(_double(bits)) == text.encode("ascii")


@pytest.mark.parametrize("bits", NON_FINITE)
def test_non_finite_numbers_are_refused(bits: str) -> None:
    with pytest.raises(InputError) as e:
        jcs.canonicalize({"x": [_double(bits)]})
    assert e.value.code == "jcs_float"
    assert "#/x/0" in str(e.value)


@pytest.mark.parametrize(("source", "canonical"), [(VALUES_IN, VALUES_OUT), (WEIRD_IN, WEIRD_OUT)])
def test_rfc_author_examples(source: str, canonical: str) -> None:
    assert jcs.canonicalize(json.loads(source)) == canonical.encode("utf-8")


def test_keys_sort_by_utf16_code_units_not_code_points() -> None:
    # U+1F600 is D83D DE00 in UTF-16, below U+FB33; by code point it would sort after.
    value = {"\ufb33": 1, "\U0001f600": 2, "\u00e9": 3, "e": 4}
    assert jcs.canonicalize(value) == '{"e":4,"\u00e9":3,"\U0001f600":2,"\ufb33":1}'.encode()


def test_every_ascii_character_is_escaped_as_json_stringify_does() -> None:
    # Python's json escapes exactly the JSON.stringify set (controls, '"', '\\') with
    # lower-case \u00xx, and leaves U+007F alone: an independent oracle for ASCII.
    for code in range(0x80):
        c = chr(code)
        assert jcs.canonicalize(c) == json.dumps(c, ensure_ascii=False).encode("utf-8"), code


def test_literals_and_bool_is_not_int() -> None:
    assert jcs.canonicalize([None, True, False, 0, 1, -0.0, 1.0]) == b"[null,true,false,0,1,0,1]"
    assert jcs.canonicalize({}) == b"{}"
    assert jcs.canonicalize(()) == b"[]"


def test_safe_integer_bounds() -> None:
    top = 2**53 - 1
    assert jcs.canonicalize([top, -top]) == b"[9007199254740991,-9007199254740991]"
    for bad in (top + 1, -top - 1, 10**30):
        with pytest.raises(InputError) as e:
            jcs.canonicalize({"n": bad})
        assert e.value.code == "jcs_integer"
        with pytest.raises(rfc8785.IntegerDomainError):
            rfc8785.dumps(bad)


@pytest.mark.parametrize(
    ("value", "code", "where"),
    [
        ({"a": {1, 2}}, "jcs_type", "#/a"),
        ([b"bytes"], "jcs_type", "#/0"),
        ({"a/b": {"c~": object()}}, "jcs_type", "#/a~1b/c~0"),
        ({1: "x"}, "jcs_key", "#"),
        ({"k": "\ud800"}, "jcs_string", "#/k"),
        ({"\udfff": 1}, "jcs_string", "#/\udfff"),
    ],
)
def test_refused_values(value: object, code: str, where: str) -> None:
    with pytest.raises(InputError) as e:
        jcs.canonicalize(value)
    assert e.value.code == code
    assert e.value.params["where"] == where


def test_subclasses_serialise_as_their_base_type() -> None:
    class Name(str):
        def __str__(self) -> str:
            return "wrong"

    class Count(int):
        def __str__(self) -> str:
            return "wrong"

    assert jcs.canonicalize({Name("k"): [Name("v"), Count(7)]}) == b'{"k":["v",7]}'


# Values within the JCS domain: strings without lone surrogates, safe integers, finite floats.
_text = st.text(st.characters(exclude_categories=["Cs"]))
_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _text
)
_json = st.recursive(
    _scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(_text, children, max_size=5),
    max_leaves=30,
)


@given(_json)
def test_matches_the_rfc8785_package(value: Any) -> None:
    out = jcs.canonicalize(value)
    assert out == rfc8785.dumps(value)
    assert _same(json.loads(out), value)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_numbers_round_trip_and_match_rfc8785(x: float) -> None:
    text = jcs.canonicalize(x)
    assert text == rfc8785.dumps(x)
    assert float(text) == x
    # Shortest: one digit fewer never reads back as x (unless x needs a single digit).
    mantissa = text.decode().lstrip("-").split("e")[0].replace(".", "").strip("0")
    if len(mantissa) > 1:
        assert float(f"{x:.{len(mantissa) - 2}e}") != x


def _same(parsed: Any, value: Any) -> bool:
    if isinstance(value, float):
        # An integral double may come back as a Python int: compare as doubles.
        return isinstance(parsed, (int, float)) and float(parsed) == value
    if isinstance(value, (list, tuple)):
        return len(parsed) == len(value) and all(map(_same, parsed, value))
    if isinstance(value, dict):
        return parsed.keys() == value.keys() and all(_same(parsed[k], value[k]) for k in value)
    return bool(parsed == value and type(parsed) is type(value))
