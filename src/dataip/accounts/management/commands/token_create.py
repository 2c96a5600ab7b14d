"""``dataip manage token_create --user NAME --name LABEL``: print a new API token of a user.

For operators on the server and for setting up the CLI: the token acts as that user, as one made
in the user centre would. Only its SHA-256 is stored; the printed line is the only copy.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from dataip.accounts import selectors, services
from dataip.core.errors import DataipError


class Command(BaseCommand):
    help = "Create an API token for a user and print it (shown only once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="The user name the token acts as.")
        parser.add_argument("--name", required=True, help="What the token is for.")
        parser.add_argument(
            "--days", type=int, default=None, help="Valid for this many days (default: no expiry)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1")
        expires_at = None if days is None else timezone.now() + datetime.timedelta(days=days)
        try:
            user = selectors.user_by_username(options["user"])
            _token, secret = services.api_token_create(
                actor=user, name=options["name"], expires_at=expires_at
            )
        except DataipError as error:
            raise CommandError(error.message("both")) from None
        self.stdout.write(secret)
