from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import transaction

from dataip.transparency.services import log_publish, statement_append


@pytest.fixture
def append(db) -> Callable[..., list[str]]:
    """Append ``n`` test statements and publish them, as a committed request would."""
    counter = iter(range(10**9))

    def append(n: int = 1, *, publish: bool = True) -> list[str]:
        with transaction.atomic():
            leaves = statement_append(
                statements=[{"type": "test/v1", "n": next(counter)} for _ in range(n)]
            )
        if publish:
            log_publish()
        return leaves

    return append
