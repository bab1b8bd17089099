"""Statements of a request's hot path made once from the models' metadata.

Reading rows of several models from one hand-written statement, built as the ORM
builds them (a bot token, a messenger contact: compiling the ORM query with its joins
cost more than the database took to answer it), and inserting the few rows a request
writes. The column lists come from the models' metadata, so they follow every migration.
And running a statement prepared once per connection, where the connection allows it.
"""

import functools
import re
import weakref
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.db.models import Field, Model

from core import db

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


def insert(objs: Sequence[Model]) -> None:
    """INSERT new instances of one model in one statement and give them their ids:
    what `bulk_create` does, at under half its cost for the few rows of a request
    (its UNNEST form and per-field checks are made for thousands)."""
    if not objs:
        return
    model = type(objs[0])
    fields = _insert_fields(model)
    params = [
        field.get_db_prep_save(field.pre_save(obj, add=True), connection)
        for obj in objs
        for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(model, len(objs)), params)
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = connection.alias


@functools.cache
def _insert_fields(model: type[Model]) -> list[Field[Any, Any]]:
    return [field for field in model._meta.concrete_fields if not field.primary_key]


@functools.cache
def _insert_sql(model: type[Model], count: int) -> str:
    fields = _insert_fields(model)
    columns = ", ".join(f'"{field.column}"' for field in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    pk = model._meta.pk
    assert pk is not None
    return (
        f'INSERT INTO "{model._meta.db_table}" ({columns}) VALUES '
        + ", ".join([row] * count)
        + f' RETURNING "{pk.column}"'
    )


# Prepared statements live as long as their server session; this remembers which
# connections (the driver's objects) already hold which statements.
_prepared: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


def execute_prepared(cursor: CursorWrapper, name: str, sql: str, args: Sequence[Any]) -> None:
    """Run `sql` (with $1, $2... parameters) as a statement prepared once per connection.

    For a statement that is planned longer than it runs, this saves the planning on
    every call after the first. Through a transaction pooler (`db.pooled`) the next
    transaction may run in another server session, which lacks the statement (or has
    it from another client, and PREPARE fails): there the statement is sent whole,
    with its parameters, every time.
    """
    if db.pooled(cursor.db.alias):
        cursor.execute(_named(sql), {f"p{i}": arg for i, arg in enumerate(args, 1)})
        return
    names = _prepared.setdefault(cursor.db.connection, set())
    if name not in names:
        cursor.execute(f"PREPARE {name} AS {sql}")
        names.add(name)
    cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(args))})", args)


@functools.cache
def _named(sql: str) -> str:
    """`sql` with $1, $2... as the driver's %(p1)s, %(p2)s... (and a literal % doubled)."""
    return re.sub(r"\$([0-9]+)", r"%(p\1)s", sql.replace("%", "%%"))
