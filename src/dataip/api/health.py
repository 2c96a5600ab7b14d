"""``GET /api/v1/health``: is the process up and can it reach its database."""

import logging
from typing import Literal

from django.db import DatabaseError, connection
from django.http import HttpRequest
from ninja import Router, Schema, Status

import dataip

logger = logging.getLogger(__name__)

router = Router(tags=["health"])


class HealthOut(Schema):
    status: Literal["ok", "unavailable"]
    version: str
    database: str


@router.get("/health", response={200: HealthOut, 503: HealthOut}, summary="Health check")
def health(request: HttpRequest) -> Status[HealthOut]:
    """200 once a trivial query succeeds; 503 when the database cannot be reached."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("health check: database query failed")
        status: Literal["ok", "unavailable"] = "unavailable"
        code = 503
    else:
        status = "ok"
        code = 200
    return Status(
        code, HealthOut(status=status, version=dataip.__version__, database=connection.vendor)
    )
