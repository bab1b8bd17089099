from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.models import User
from botapi.prompt import LANGUAGES, system_prompt


class Command(BaseCommand):
    help = "Print the agent's strict system prompt, generated from the registry of bot actions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--lang", choices=LANGUAGES, help="Default: the user's, else ru.")
        parser.add_argument("--user", help="Whose today (in their time zone) and language to use.")

    def handle(self, *args: Any, **options: Any) -> str:
        today, language = timezone.localdate(), options["lang"]
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user named {options['user']!r}.")
            today, language = user.today(), language or user.language
        return system_prompt(language or "ru", today).rstrip("\n")
