"""Rows of several models from one hand-written statement, built as the ORM builds them.

For the first query of a hot path (a bot token, a messenger contact), where compiling
an ORM query with its joins costs more than the database takes to answer it. The
column list comes from the models' metadata, so it follows every migration.
"""

from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model

Part = tuple[type[Model], list[str]]


def select_list(*models: tuple[type[Model], str]) -> tuple[str, list[Part]]:
    """The SELECT list of every concrete column of each (model, table alias)."""
    columns: list[str] = []
    parts: list[Part] = []
    for model, alias in models:
        fields = model._meta.concrete_fields
        columns += [f'{alias}."{field.column}"' for field in fields]
        parts.append((model, [field.attname for field in fields]))
    return ", ".join(columns), parts


def instances(row: Sequence[Any], parts: list[Part]) -> tuple[list[Model | None], Iterator[Any]]:
    """One instance per part (None where an outer join found nothing), and the row's
    remaining values."""
    values = iter(row)
    built: list[Model | None] = []
    for model, names in parts:
        fields = [next(values) for _ in names]
        built.append(None if fields[0] is None else model.from_db(connection.alias, names, fields))
    return built, values
