from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from accounts.management.commands._bot_tokens import find_user
from audit.models import Source
from messaging.linking.codes import CODE_LIFETIME, link_code_create
from messaging.models import Channel


class Command(BaseCommand):
    help = "Make a one-time linking code for a user and print it, alone, on stdout."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="The user's username.")
        parser.add_argument("--channel", required=True, choices=Channel.values)

    def handle(self, *args: Any, **options: Any) -> str:
        user = find_user(options["user"])
        issued = link_code_create(user=user, channel=options["channel"], source=Source.CLI)
        minutes = int(CODE_LIFETIME.total_seconds() // 60)
        self.stderr.write(
            f"A {options['channel']} code for {user.username}, single use, for {minutes} minutes. "
            "Send it to the bot as /link <code>."
        )
        return issued.code
