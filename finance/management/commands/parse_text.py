from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from finance.models import Kind, Transaction
from finance.services.text import record_from_text


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date: invalid_date: {value!r} is not a YYYY-MM-DD date") from None


def _errors(error: ValidationError) -> str:
    by_field = error.error_dict if hasattr(error, "error_dict") else {"": error.error_list}
    lines = []
    for field, errors in by_field.items():
        for e in errors:
            message = e.message % e.params if e.params else e.message
            path = f"payload.{field}" if field else "payload"
            lines.append(f"{path}: {e.code}: {message}")
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Show what a text would record for a user, without writing anything."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("text")
        parser.add_argument("--user", required=True, help="username")
        parser.add_argument("--kind", choices=Kind.values, default=Kind.EXPENSE)
        parser.add_argument("--date", type=_iso_date, help="YYYY-MM-DD; wins over the text")
        parser.add_argument("--currency", help="ISO 4217 code; wins over the text")

    def handle(self, **options: Any) -> str:
        try:
            user = User.objects.get(username=options["user"])
        except User.DoesNotExist:
            raise CommandError(f"No user named {options['user']!r}") from None
        try:
            tx = record_from_text(
                user=user,
                kind=options["kind"],
                text=options["text"],
                date=options["date"],
                currency=options["currency"],
                source=Transaction.Source.ADMIN,
                dry_run=True,
            )
        except ValidationError as e:
            raise CommandError(_errors(e)) from None
        return "\n".join(
            [
                f"amount:   {tx.amount} {tx.currency}",
                f"date:     {tx.date.isoformat()}",
                f"category: {tx.category.slug} ({tx.category.name})",
                f"note:     {tx.note}",
            ]
        )
