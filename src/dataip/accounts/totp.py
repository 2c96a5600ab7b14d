"""Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP) and their QR code, no Django.

An authenticator app (any that reads ``otpauth://totp/`` URIs: 微信小程序, Google
Authenticator, Microsoft Authenticator, FreeOTP...) and the platform share a random 160-bit key
(RFC 4226 section 4, R6: at least 128 bits, 160 recommended). Both compute
``HOTP(K, T)`` with ``T = floor(unix_time / 30)`` (RFC 6238 section 4), HMAC-SHA-1, six digits,
the defaults every app supports. The verifier accepts the previous and next step for clock drift
(RFC 6238 section 5.2) and never the same or an earlier step twice (section 5.2, last paragraph:
a used code is not accepted again), which the caller enforces by keeping the last step used.

The key travels to the app as an ``otpauth://`` URI (Google's Key Uri Format, the de-facto
standard), shown as a QR code drawn here as SVG from ``reportlab``'s QR encoder (ISO/IEC 18004),
and as base32 text for manual entry.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import re
import secrets
from urllib.parse import quote, urlencode

from reportlab.graphics.barcode import qrencoder

#: RFC 6238 section 4: X, the step in seconds.
STEP_SECONDS = 30
DIGITS = 6
#: Steps either side of the current one that are accepted (RFC 6238 section 5.2).
DRIFT_STEPS = 1
#: 160 bits (RFC 4226 R6), 32 characters of base32 without padding.
SECRET_BYTES = 20
_BASE32 = re.compile(r"^[A-Z2-7]{32}$")
_CODE = re.compile(r"^[0-9]{6}$")
#: Quiet zone around the QR symbol, in modules (ISO/IEC 18004 section 6.3.8).
_QUIET_ZONE = 4


def secret_generate() -> str:
    """A new shared key, base32 (RFC 4648) without padding: what the app is given."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def secret_bytes(secret: str) -> bytes:
    if not _BASE32.match(secret):
        raise ValueError("a TOTP secret is 32 base32 characters")
    return base64.b32decode(secret)


def hotp(key: bytes, counter: int, *, digits: int = DIGITS) -> str:
    """RFC 4226 section 5.3: HMAC-SHA-1, dynamic truncation, modulo 10^digits."""
    mac = hmac.new(key, counter.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    binary = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFF_FFFF
    return str(binary % 10**digits).zfill(digits)


def step_at(unix_time: float) -> int:
    """RFC 6238 section 4.2: T = floor((unix time - T0) / X), T0 = 0."""
    return int(unix_time // STEP_SECONDS)


def totp(key: bytes, unix_time: float, *, digits: int = DIGITS) -> str:
    return hotp(key, step_at(unix_time), digits=digits)


def normalise_code(code: str) -> str:
    """What people type: "123 456" or full-width digits are the code 123456."""
    return "".join(str(int(c)) if c.isdigit() else c for c in code if not c.isspace())


def code_matches(secret: str, code: str, *, unix_time: float, last_step: int | None) -> int | None:
    """The step whose code ``code`` is, within the drift window and after ``last_step``; or None.

    Comparison is in constant time, so that response times say nothing about the digits.
    """
    code = normalise_code(code)
    if not _CODE.match(code):
        return None
    key = secret_bytes(secret)
    current = step_at(unix_time)
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(hotp(key, step), code) and (last_step is None or step > last_step):
            found = step
    return found


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """``otpauth://totp/Issuer:account?secret=...&issuer=...`` (Key Uri Format)."""
    label = quote(f"{issuer}:{account}", safe=":@")
    query = urlencode(
        {
            "secret": secret,
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": STEP_SECONDS,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR symbol of ``text`` (byte mode, error correction M), rows of dark modules."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(qrencoder.QR8bitByte(text))
    code.make()
    size = code.getModuleCount()
    return [[bool(code.isDark(row, col)) for col in range(size)] for row in range(size)]


def qr_svg(text: str, *, title: str, size: int | None = None) -> str:
    """An SVG image of ``text``'s QR code: one path, attributes only (no style, no script).

    Presentation attributes instead of ``style`` keep it within the content security policy
    when it is inlined in a page.
    """
    matrix = qr_matrix(text)
    side = len(matrix) + 2 * _QUIET_ZONE
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append(f"M{start + _QUIET_ZONE} {y + _QUIET_ZONE}h{x - start}v1h{start - x}z")
            else:
                x += 1
    escaped = html.escape(title, quote=True)
    dimensions = f' width="{size}" height="{size}"' if size else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}"{dimensions} '
        f'role="img" aria-label="{escaped}" shape-rendering="crispEdges">'
        f"<title>{escaped}</title>"
        f'<rect width="{side}" height="{side}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(runs)}"/></svg>'
    )
