from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import QuerySet
from django.utils import timezone

from accounts.management.commands._bot_tokens import duration, find_token, find_user
from accounts.models import ApiToken
from accounts.services import api_token_rotate


class Command(BaseCommand):
    help = (
        "Issue successors (same name and scopes) for one token, a user's tokens, or those "
        "expiring soon; the old ones keep working for the grace period. Prints each new "
        "token once: token, user, name and the old prefix, tab-separated."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--token", help="One token: its id, prefix or the token itself.")
        which.add_argument("--user", help="Every active token of this user.")
        which.add_argument(
            "--expiring-within",
            type=duration,
            metavar="DURATION",
            help="Every active token expiring within this window, e.g. 7d (cron).",
        )
        parser.add_argument(
            "--grace",
            type=duration,
            default=timedelta(hours=24),
            metavar="DURATION",
            help="How long the old tokens keep working (default 24h).",
        )
        parser.add_argument(
            "--expires-in-days",
            type=int,
            help="The successors' lifetime. Default: as long as the old token's.",
        )

    def _selected(self, options: dict[str, Any]) -> QuerySet[ApiToken] | list[ApiToken]:
        # A token already rotated is in its grace period: its successor exists.
        candidates = (
            ApiToken.objects.active().filter(replaced_by__isnull=True).select_related("user")
        )
        if options["token"]:
            token = find_token(options["token"])
            if not token.is_active():
                raise CommandError(f"Token {token.prefix}… is expired or revoked.")
            return [token]
        if options["user"]:
            return candidates.filter(user=find_user(options["user"])).order_by("pk")
        window_end = timezone.now() + options["expiring_within"]
        return candidates.filter(expires_at__lte=window_end).order_by("expires_at", "pk")

    def handle(self, *args: Any, **options: Any) -> str:
        days = options["expires_in_days"]
        if days is not None and days < 1:
            raise CommandError("--expires-in-days must be 1 or more.")
        rotated, failed = 0, []
        for token in self._selected(options):
            try:
                issued = api_token_rotate(
                    token=token,
                    grace=options["grace"],
                    expires_at=timezone.now() + timedelta(days=days) if days else None,
                    source="cli",
                )
            except ValidationError as exc:
                failed.append(f"{token.prefix}…: {' '.join(exc.messages)}")
                continue
            rotated += 1
            self.stdout.write(f"{issued.raw}\t{token.user.username}\t{token.name}\t{token.prefix}")
        grace_end = timezone.now() + options["grace"]
        self.stderr.write(
            f"Rotated {rotated} token(s); the old ones work until {grace_end:%Y-%m-%d %H:%M %Z}."
        )
        if failed:
            raise CommandError("Not rotated: " + "; ".join(failed))
        return ""
