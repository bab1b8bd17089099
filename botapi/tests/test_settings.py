import os
import subprocess
import sys
from pathlib import Path

from django.core import checks
from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parents[2]


class BotSettingsTestCase(SimpleTestCase):
    def test_the_rate_limit_cache_passes_django_ratelimits_checks(self) -> None:
        messages = [m for m in checks.run_checks() if m.id and m.id.startswith("django_ratelimit")]
        self.assertEqual(messages, [])

    def test_bad_values_stop_the_start(self) -> None:
        for name, value, message in [
            ("BOT_RATELIMIT_TOKEN", "sixty", "BOT_RATELIMIT_TOKEN must be a rate"),
            ("BOT_IDEMPOTENCY_RETENTION_HOURS", "12", "must be at least 24"),
        ]:
            with self.subTest(name=name):
                result = subprocess.run(
                    [sys.executable, "-c", "import config.settings"],
                    cwd=ROOT,
                    env={**os.environ, name: value},
                    capture_output=True,
                    text=True,
                    timeout=60,
                )
                self.assertNotEqual(result.returncode, 0)
                self.assertIn(message, result.stderr)
