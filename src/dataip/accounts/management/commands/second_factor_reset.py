"""``dataip manage second_factor_reset --user NAME``: remove a user's second factor.

Recovery for an operator on the server when no administrator can sign in (the last one lost
the phone); otherwise an administrator resets it in the admin. The user enrols again after
signing in with the password.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dataip.accounts import selectors, services
from dataip.core.errors import DataipError


class Command(BaseCommand):
    help = "Remove a user's second factor (TOTP), so that they sign in with the password alone."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="The user name.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = selectors.user_by_username(options["user"])
            services.second_factor_reset(actor=None, user=user)
        except DataipError as error:
            raise CommandError(error.message("both")) from None
        self.stdout.write(f"second factor of {user.username} removed")
