"""Many rows in at once: PostgreSQL's COPY, through psycopg 3, for the rows of a statement.

A statement of 100,000 operations writes as many transactions, captures and preview
rows; COPY takes them some ten times faster than batched INSERTs. The columns come from
the model's fields, so a field added later with a default is filled with it.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models


def copy_rows(
    model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """COPY `rows` (values in the order of the field `names`, as their attnames: `ledger_id`)
    into the model's table; a field not named takes its default, the primary key its
    sequence's next value unless named. Returns how many rows went in."""
    opts = model._meta
    position = {name: i for i, name in enumerate(names)}
    columns: list[str] = []
    plan: list[tuple[int | None, Any]] = []
    for field in opts.concrete_fields:
        if field.primary_key and field.attname not in position:
            continue
        columns.append(f'"{field.column}"')
        index = position.get(field.attname)
        default = (
            None if index is not None else field.get_db_prep_save(field.get_default(), connection)
        )
        plan.append((index, default))
    unknown = set(position) - {f.attname for f in opts.concrete_fields}
    assert not unknown, f"{model.__name__} has no fields {unknown}"
    count = 0
    statement = f'COPY "{opts.db_table}" ({", ".join(columns)}) FROM STDIN'
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[i] if i is not None else default for i, default in plan])
            count += 1
    return count


def next_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` values of the model's primary key sequence, for rows COPY will write with them."""
    if count == 0:
        return []
    pk = model._meta.pk
    assert pk is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, count],
        )
        return [value for (value,) in cursor.fetchall()]
