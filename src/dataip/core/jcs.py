"""The JSON Canonicalization Scheme (JCS), RFC 8785: one byte string per JSON value.

``canonicalize`` serialises a Python value the way RFC 8785 section 3.2 prescribes:

* no whitespace between tokens;
* ``None``, ``True``, ``False`` as ``null``, ``true``, ``false`` (``bool`` is not a number here);
* strings as ECMAScript ``JSON.stringify`` writes them (RFC 8785 section 3.2.2.2): only ``"``,
  ``\\`` and the controls below U+0020 are escaped, the seven with a short form as ``\\b \\t \\n
  \\f \\r \\" \\\\``, the others as ``\\u00xx`` with lower-case hex; everything else, U+007F and
  non-ASCII included, is written as UTF-8. A string with a lone surrogate is not Unicode text and
  is refused;
* numbers as ECMAScript ``Number.prototype.toString`` writes them (RFC 8785 section 3.2.2.3,
  ECMA-262 section 7.1.12.1, "Number::toString"): the shortest digit string that reads back as the
  same IEEE 754 double, in plain notation for decimal exponents from -6 to 20 and as
  ``d.ddde+n`` / ``d.ddde-n`` outside it; ``-0`` is ``0``. NaN and the infinities are errors.
  Python ``int`` values must lie in the I-JSON (RFC 7493 section 2.2) range ``-(2**53 - 1)`` to
  ``2**53 - 1``, where every integer is exactly one double: larger integers would silently change
  value in every other JSON implementation, so they are refused rather than rounded;
* arrays (``list`` or ``tuple``) in order; objects (``dict`` with ``str`` keys) with their members
  sorted by the UTF-16 code units of their keys (RFC 8785 section 3.2.3), which differs from code
  point order for characters above U+FFFF.

Errors raise :class:`~dataip.core.errors.InputError` naming the offending value's place as a JSON
Pointer (RFC 6901) fragment, e.g. ``#/numbers/3``.
"""

from __future__ import annotations

import math
from typing import Callable

from dataip.core.errors import InputError

__all__ = ["MAX_SAFE_INTEGER", "canonicalize"]

#: ECMAScript ``Number.MAX_SAFE_INTEGER``: the largest integer n with n and n + 1 both doubles.
MAX_SAFE_INTEGER = 2**53 - 1

# ECMA-262 Number::toString writes the decimal point form for 10**-7 < |x| < 10**21, i.e. for a
# decimal exponent n (value = 0.d1d2... * 10**n) with -6 < n <= 21.
_PLAIN_MIN_EXPONENT = -6
_PLAIN_MAX_EXPONENT = 21

_SHORT_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}
_ESCAPES = {i: _SHORT_ESCAPES.get(chr(i), f"\\u{i:04x}") for i in range(0x20)}
_ESCAPES.update({ord(c): e for c, e in _SHORT_ESCAPES.items()})


def canonicalize(value: object) -> bytes:
    """The RFC 8785 canonical UTF-8 JSON text of ``value``.

    ``value`` is built from ``dict`` (``str`` keys), ``list``/``tuple``, ``str``, ``int``
    (within :data:`MAX_SAFE_INTEGER`), finite ``float``, ``bool`` and ``None``; subclasses of
    these are serialised as their base type. Raises :class:`InputError` (codes ``jcs_type``,
    ``jcs_key``, ``jcs_integer``, ``jcs_float``, ``jcs_string``) on anything else.
    """
    parts: list[str] = []
    _write(value, parts.append, "")
    return "".join(parts).encode("utf-8")


def _where(pointer: str) -> str:
    return "#" + pointer


def _pointer_token(key: str) -> str:
    """A JSON Pointer reference token (RFC 6901 section 3): ``~`` and ``/`` escaped."""
    return key.replace("~", "~0").replace("/", "~1")


def _write(value: object, out: Callable[[str], object], pointer: str) -> None:
    # bool before int: bool is a subclass of int but JSON true/false are not numbers.
    if value is None:
        out("null")
    elif value is True:
        out("true")
    elif value is False:
        out("false")
    elif isinstance(value, str):
        out(_string(value, pointer))
    elif isinstance(value, int):
        number = int(value)
        if not -MAX_SAFE_INTEGER <= number <= MAX_SAFE_INTEGER:
            raise InputError("jcs_integer", where=_where(pointer), value=number)
        out(str(number))
    elif isinstance(value, float):
        out(_number(float(value), pointer))
    elif isinstance(value, (list, tuple)):
        out("[")
        for i, item in enumerate(value):
            if i:
                out(",")
            _write(item, out, f"{pointer}/{i}")
        out("]")
    elif isinstance(value, dict):
        _write_object(value, out, pointer)
    else:
        raise InputError("jcs_type", where=_where(pointer), type=type(value).__name__)


def _write_object(value: dict[object, object], out: Callable[[str], object], pointer: str) -> None:
    keyed: list[tuple[bytes, str, object]] = []
    for key, item in value.items():
        if not isinstance(key, str):
            raise InputError("jcs_key", where=_where(pointer), key=repr(key)[:80])
        member = f"{pointer}/{_pointer_token(key)}"
        try:
            # Big-endian UTF-16 compares bytewise exactly as its code units compare.
            order = key.encode("utf-16-be")
        except UnicodeEncodeError:
            raise InputError("jcs_string", where=_where(member)) from None
        keyed.append((order, key, item))
    keyed.sort(key=lambda entry: entry[0])
    out("{")
    for i, (_, key, item) in enumerate(keyed):
        if i:
            out(",")
        member = f"{pointer}/{_pointer_token(key)}"
        out(_string(key, member))
        out(":")
        _write(item, out, member)
    out("}")


def _string(text: str, pointer: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError("jcs_string", where=_where(pointer)) from None
    return '"' + text.translate(_ESCAPES) + '"'


def _number(x: float, pointer: str) -> str:
    """ECMA-262 Number::toString(x) for a finite double (RFC 8785 section 3.2.2.3)."""
    if not math.isfinite(x):
        raise InputError("jcs_float", where=_where(pointer), value=repr(x))
    if x == 0:
        return "0"  # also -0.0
    sign = "-" if x < 0 else ""
    # repr() gives the shortest round-tripping digits, the one nearest x when several are
    # equally short: exactly the digits s of ECMA-262 step 5. Only the layout differs.
    mantissa, _, exp = repr(abs(x)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    significant = digits.lstrip("0")
    # x = 0.<significant> * 10**n
    n = len(whole) + (int(exp) if exp else 0) - (len(digits) - len(significant))
    s = significant.rstrip("0")
    k = len(s)
    if k <= n <= _PLAIN_MAX_EXPONENT:
        body = s + "0" * (n - k)
    elif 0 < n <= _PLAIN_MAX_EXPONENT:
        body = s[:n] + "." + s[n:]
    elif _PLAIN_MIN_EXPONENT < n <= 0:
        body = "0." + "0" * -n + s
    else:
        e = n - 1
        body = s[0] + ("." + s[1:] if k > 1 else "") + ("e+" if e > 0 else "e-") + str(abs(e))
    return sign + body
