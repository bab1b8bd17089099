from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.management.commands._bot_tokens import find_token, find_user
from accounts.models import ApiToken
from accounts.services import api_token_revoke


class Command(BaseCommand):
    help = "Revoke bot tokens at once: by id, prefix or the token itself, or all of a user's."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("tokens", nargs="*", metavar="TOKEN", help="Ids, prefixes or tokens.")
        parser.add_argument("--user", help="Revoke this user's active tokens.")
        parser.add_argument("--name", help="With --user: only the tokens with this name.")

    def handle(self, *args: Any, **options: Any) -> str:
        if bool(options["tokens"]) == bool(options["user"]):
            raise CommandError("Give either tokens or --user.")
        if options["name"] and not options["user"]:
            raise CommandError("--name goes with --user.")
        if options["user"]:
            selected = ApiToken.objects.filter(
                user=find_user(options["user"]), revoked_at__isnull=True
            )
            if options["name"]:
                selected = selected.filter(name=options["name"])
            chosen = list(selected.order_by("pk"))
        else:
            chosen = [find_token(value) for value in options["tokens"]]
        revoked = [t for t in chosen if t.revoked_at is None]
        for token in revoked:
            api_token_revoke(token=token, source="cli")
        prefixes = ", ".join(f"{t.prefix}…" for t in revoked) or "none"
        return f"Revoked {len(revoked)} token(s): {prefixes}."
