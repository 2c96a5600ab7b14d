"""Application, registration and certificate numbers: layouts, check characters, serials.

The national code tables are not public, so the layouts are data (``Jurisdiction`` fields, see
docs/registration.md). A layout is a ``str.format`` template over:

- ``{prefix}`` the jurisdiction's application prefix, ``{body}`` its four-digit body code,
- ``{year}`` (four digits) and ``{month}`` (two digits) of the date the number is given,
- ``{serial:0Nd}`` the serial within the period, and ``{check}`` (registration numbers only): the
  ISO 7064 MOD 11-2 check character over everything before it, as in the resident ID number.

The serial counts per period: per year when the layout holds ``{year}`` but not ``{month}``, per
month when it holds both. Serials are taken from ``NumberSequence`` under a row lock inside the
caller's transaction, so they are unique and gapless: a rolled-back approval gives its number
back.
"""

from __future__ import annotations

import datetime
import re
import string
from dataclasses import dataclass

from dataip.registry.errors import RegistryError
from dataip.registry.models import Jurisdiction, NumberSequence

APPLICATION = "application"
REGISTRATION = "registration"
CERTIFICATE = "certificate"

#: The layouts used when a jurisdiction does not set its own (Guangdong: body code 4400).
DEFAULT_LAYOUTS = {
    APPLICATION: "{prefix}{body}{year}{serial:07d}",
    REGISTRATION: "{body}{year}{serial:07d}{check}",
    CERTIFICATE: "{year}{month}{body}{serial:07d}",
}
#: What each finished number must look like (the database checks the same).
SHAPES = {
    APPLICATION: re.compile(r"[A-Z]{1,8}[0-9]{4,24}"),
    REGISTRATION: re.compile(r"[0-9]{15}[0-9X]"),
    CERTIFICATE: re.compile(r"[0-9]{17}"),
}
_FIELDS = {"prefix", "body", "year", "month", "serial", "check"}


def mod11_2(digits: str) -> str:
    """ISO 7064 MOD 11-2 check character of a string of digits (0-9 or X)."""
    total = 0
    for char in digits:
        total = (total + int(char)) * 2 % 11
    return "0123456789X"[(12 - total) % 11]


@dataclass(frozen=True)
class Layout:
    template: str
    fields: frozenset[str]

    @classmethod
    def parse(cls, template: str) -> Layout:
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        unknown = fields - _FIELDS
        if unknown or "serial" not in fields:
            problem = f"unknown fields {sorted(unknown)}" if unknown else "no {serial}"
            raise RegistryError("number_format", problem=f"{template!r}: {problem}")
        return cls(template, frozenset(fields))

    def period(self, body: str, day: datetime.date) -> str:
        parts = [body]
        if "year" in self.fields:
            parts.append(f"{day.year:04d}")
        if "month" in self.fields:
            parts.append(f"{day.month:02d}")
        return "-".join(parts)

    def render(self, *, jurisdiction: Jurisdiction, day: datetime.date, serial: int) -> str:
        values: dict[str, object] = {
            "prefix": jurisdiction.application_prefix,
            "body": jurisdiction.body_code,
            "year": f"{day.year:04d}",
            "month": f"{day.month:02d}",
            "serial": serial,
            "check": "",
        }
        text = self.template.format(**values)
        if "check" in self.fields:
            # The check character stands last and covers everything before it.
            if not self.template.rstrip().endswith("{check}") or not text.isdigit():
                raise RegistryError(
                    "number_format", problem=f"{self.template!r}: {{check}} must end all digits"
                )
            text += mod11_2(text)
        return text


def layout_check(kind: str, template: str, *, jurisdiction: Jurisdiction) -> None:
    """Raise unless ``template`` renders numbers of the shape ``kind`` needs (for the admin)."""
    layout = Layout.parse(template)
    sample = layout.render(jurisdiction=jurisdiction, day=datetime.date(2026, 12, 1), serial=1)
    if not SHAPES[kind].fullmatch(sample):
        raise RegistryError(
            "number_format",
            problem=f"{template!r} gives {sample!r}, not a valid {kind} number",
        )


def number_take(*, kind: str, jurisdiction: Jurisdiction, day: datetime.date) -> str:
    """The next number of ``kind``; call inside the transaction that records it."""
    layout = Layout.parse(_template(kind, jurisdiction))
    period = layout.period(jurisdiction.body_code, day)
    NumberSequence.objects.bulk_create(
        [NumberSequence(kind=kind, period=period, last=0)], ignore_conflicts=True
    )
    sequence = NumberSequence.objects.select_for_update().get(kind=kind, period=period)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    number = layout.render(jurisdiction=jurisdiction, day=day, serial=sequence.last)
    if not SHAPES[kind].fullmatch(number):
        raise RegistryError("number_format", problem=f"{kind} number {number!r} has a bad shape")
    return number


def _template(kind: str, jurisdiction: Jurisdiction) -> str:
    return getattr(jurisdiction, f"{kind}_number_layout", "") or DEFAULT_LAYOUTS[kind]
