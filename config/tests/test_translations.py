"""The Russian catalogue is complete and its committed .mo matches the .po."""

import ast
import re
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale" / "ru" / "LC_MESSAGES" / "django.po"
ENTRY = re.compile(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', re.MULTILINE)


def _unquote(lines: str) -> str:
    return "".join(ast.literal_eval(line) for line in lines.splitlines())


def catalogue() -> dict[str, str]:
    entries = {_unquote(m[1]): _unquote(m[2]) for m in ENTRY.finditer(PO.read_text())}
    entries.pop("", None)  # the header
    return entries


class TranslationsTestCase(SimpleTestCase):
    def test_every_message_is_translated(self) -> None:
        untranslated = [msgid for msgid, msgstr in catalogue().items() if not msgstr]
        self.assertEqual(untranslated, [])

    def test_the_compiled_catalogue_is_current(self) -> None:
        # A .po edited without `compilemessages` would show English on the site.
        with translation.override("ru"):
            stale = [
                msgid
                for msgid, msgstr in catalogue().items()
                if translation.gettext(msgid) != msgstr
            ]
        self.assertEqual(stale, [])
