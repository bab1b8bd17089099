from datetime import date
from io import StringIO

import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import SimpleTestCase

from botapi import actions
from botapi.prompt import system_prompt
from config.testing import BaseTestCase


class SystemPromptTestCase(SimpleTestCase):
    def test_it_is_generated_from_the_registry_in_both_languages(self) -> None:
        for language, weekday in [("en", "Wednesday"), ("ru", "среда")]:
            with self.subTest(language=language):
                prompt = system_prompt(language, date(2026, 11, 25))
                self.assertIn(f"2026-11-25 ({weekday})", prompt)
                self.assertIn("idempotency_key", prompt)
                self.assertIn("UUID", prompt)
                for name, action in actions.ACTIONS.items():
                    self.assertIn(f"### {name}", prompt)
                    self.assertIn(action.description_in(language), prompt)
                    for field in action.schema.get("properties", {}):
                        self.assertIn(f"  - {field} (", prompt)
                    for scope in action.scopes:
                        self.assertIn(scope, prompt)

    def test_it_forbids_prose_and_code_fences(self) -> None:
        self.assertIn("no code fences", system_prompt("en", date(2026, 1, 1)))
        self.assertIn("без блоков кода", system_prompt("ru", date(2026, 1, 1)))
        self.assertNotIn("```", system_prompt("en", date(2026, 1, 1)))

    def test_it_refuses_other_languages(self) -> None:
        with self.assertRaises(ValueError):
            system_prompt("de", date(2026, 1, 1))


class BotPromptCommandTestCase(BaseTestCase):
    def run_command(self, *args: str) -> str:
        out = StringIO()
        call_command("bot_prompt", *args, stdout=out)
        return out.getvalue()

    def test_it_prints_the_prompt_for_today(self) -> None:
        with time_machine.travel("2026-11-25 12:00:00+03:00"):
            self.assertEqual(
                self.run_command("--lang", "en"), system_prompt("en", date(2026, 11, 25))
            )
            self.assertEqual(self.run_command(), system_prompt("ru", date(2026, 11, 25)))

    def test_it_uses_a_users_today_and_language(self) -> None:
        # 01:00 in Moscow is still the day before in New York.
        with time_machine.travel("2026-11-25 01:00:00+03:00"):
            self.assertEqual(
                self.run_command("--user", "bob"), system_prompt("en", date(2026, 11, 24))
            )
        with self.assertRaises(CommandError):
            self.run_command("--user", "nobody")
