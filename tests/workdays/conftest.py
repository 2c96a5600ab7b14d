"""The calendar as the migrations leave it: the chinesecalendar package's years, complete."""

from __future__ import annotations

import pytest

from dataip.workdays.models import CalendarYear
from dataip.workdays.services import calendar_load_package


@pytest.fixture(autouse=True)
def calendar(db: None) -> None:
    # The data migration seeds the test database once; a transactional test elsewhere in the
    # run flushes every table, so load the package again if it did (test_migrations.py checks
    # the migration itself).
    if not CalendarYear.objects.exists():
        calendar_load_package()
