from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.management.commands._bot_tokens import command_error, find_ledger, find_user
from accounts.models import Scope
from accounts.services import api_token_create


class Command(BaseCommand):
    help = "Issue a bot token and print it, alone, on stdout; it is never shown again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="The owner's username.")
        parser.add_argument("--name", required=True, help="What uses it, e.g. clawd.")
        parser.add_argument(
            "--scopes",
            required=True,
            help=f"Comma-separated, from: {', '.join(Scope.values)}.",
        )
        parser.add_argument("--expires-in-days", type=int, help="Default: never expires.")
        parser.add_argument(
            "--ledger",
            help="The name of the ledger the token acts in. Default: the user's active ledger.",
        )

    def handle(self, *args: Any, **options: Any) -> str:
        user = find_user(options["user"])
        days = options["expires_in_days"]
        if days is not None and days < 1:
            raise CommandError("--expires-in-days must be 1 or more.")
        scopes = [s.strip() for s in options["scopes"].split(",") if s.strip()]
        ledger = find_ledger(user, options["ledger"]) if options["ledger"] else None
        try:
            issued = api_token_create(
                user=user,
                ledger=ledger,
                name=options["name"],
                scopes=scopes,
                expires_at=timezone.now() + timedelta(days=days) if days else None,
                source="cli",
            )
        except ValidationError as exc:
            raise command_error(exc) from None
        expiry = f"expires {issued.token.expires_at:%Y-%m-%d %H:%M %Z}" if days else "never expires"
        self.stderr.write(
            f"Token {issued.token.prefix}… for {user.username} in {issued.token.ledger.name} "
            f"({', '.join(issued.token.scopes)}), "
            f"{expiry}. It is shown only now."
        )
        return issued.raw
