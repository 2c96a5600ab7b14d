"""Number layouts and check characters, against independent computations."""

from __future__ import annotations

import datetime
import random

import pytest

from dataip.registry.errors import RegistryError
from dataip.registry.models import Jurisdiction, NumberSequence
from dataip.registry.numbers import (
    APPLICATION,
    CERTIFICATE,
    REGISTRATION,
    layout_check,
    mod11_2,
    number_take,
)

pytestmark = pytest.mark.django_db

#: GB 11643-1999's weights: the resident ID's MOD 11-2 written the way the standard prints it.
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def gb11643_check(digits17: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(digits17, WEIGHTS, strict=True)) % 11]


def test_mod11_2_matches_the_standards_example_and_formula():
    assert mod11_2("11010519491231002") == "X"  # GB 11643-1999's example 11010519491231002X
    rng = random.Random(4754)  # noqa: S311 - test data, not secrets
    for _ in range(500):
        digits = "".join(rng.choice("0123456789") for _ in range(17))
        assert mod11_2(digits) == gb11643_check(digits)


def test_default_layouts_for_guangdong():
    gd = Jurisdiction.objects.get(is_default=True)
    day = datetime.date(2026, 12, 1)
    assert number_take(kind=APPLICATION, jurisdiction=gd, day=day) == "SJ440020260000001"
    assert number_take(kind=APPLICATION, jurisdiction=gd, day=day) == "SJ440020260000002"
    registration = number_take(kind=REGISTRATION, jurisdiction=gd, day=day)
    assert registration[:15] == "440020260000001" and len(registration) == 16
    # MOD 11-2 over 15 digits = the 17-digit formula over the same digits with two zeros before.
    assert registration[15] == gb11643_check("00" + registration[:15])
    assert number_take(kind=CERTIFICATE, jurisdiction=gd, day=day) == "20261244000000001"
    # A new month starts a new certificate serial; registration serials run for the year.
    january = datetime.date(2027, 1, 4)
    assert number_take(kind=CERTIFICATE, jurisdiction=gd, day=january) == "20270144000000001"
    assert number_take(kind=REGISTRATION, jurisdiction=gd, day=january)[:15] == "440020270000001"
    december = datetime.date(2026, 12, 31)
    assert number_take(kind=CERTIFICATE, jurisdiction=gd, day=december) == "20261244000000002"
    assert NumberSequence.objects.get(kind=CERTIFICATE, period="4400-2026-12").last == 2


def test_a_rolled_back_number_is_given_again():
    from django.db import transaction

    gd = Jurisdiction.objects.get(is_default=True)
    day = datetime.date(2026, 12, 1)

    def take_and_fail() -> None:
        with transaction.atomic():
            number_take(kind=APPLICATION, jurisdiction=gd, day=day)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        take_and_fail()
    assert number_take(kind=APPLICATION, jurisdiction=gd, day=day) == "SJ440020260000001"


def test_configured_layouts_and_bad_ones():
    gd = Jurisdiction.objects.get(is_default=True)
    gd.application_number_layout = "{prefix}{year}{month}{serial:05d}"
    day = datetime.date(2026, 12, 1)
    assert number_take(kind=APPLICATION, jurisdiction=gd, day=day) == "SJ20261200001"
    for kind, layout in [
        (REGISTRATION, "{body}{year}{serial:06d}{check}"),  # 15 characters
        (CERTIFICATE, "{year}{body}{serial:07d}"),  # 15 digits
        (APPLICATION, "{prefix}{body}{year}"),  # no serial
        (APPLICATION, "{prefix}{nonsense}{serial:05d}"),
        (REGISTRATION, "{check}{body}{year}{serial:07d}"),  # the check must come last
    ]:
        with pytest.raises(RegistryError) as raised:
            layout_check(kind, layout, jurisdiction=gd)
        assert raised.value.code == "number_format"
