from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from finance.rates import files
from finance.rates.store import exchange_rates_import


class Command(BaseCommand):
    help = "Load exchange rates from a CSV (date,base,quote,rate) or the ECB's CSV/ZIP; idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> str:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            # Read and check the whole file first: a bad line means nothing is written.
            rows = list(files.parse(files.read_text(path)))
        except (ValidationError, UnicodeDecodeError) as e:
            raise CommandError(f"{path}: {'; '.join(getattr(e, 'messages', [str(e)]))}") from None
        if not rows:
            raise CommandError(f"{path}: no rates found")
        self.stderr.write(f"Loading {len(rows)} rates from {path} ...")
        result = exchange_rates_import(rows=rows)
        first, last = min(r.date for r in rows), max(r.date for r in rows)
        return (
            f"Loaded {result.total} rates from {first} to {last}: "
            f"{result.created} new, {result.replaced} already present (updated in place)."
        )
