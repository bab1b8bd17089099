"""What the person chose on a previewed statement: a row's category (which teaches the
keywords when the import is committed, as a correction does), and which rows go in (a
row that matches a purchase already recorded is left out unless ticked)."""

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from finance.data.statements.refusals import ROW
from finance.models import Category, StatementImport, StatementImportRow
from finance.rules import CATEGORY_NOT_FOUND, check_category
from finance.services.books import ledger_for_write

if TYPE_CHECKING:
    from accounts.models import User

NOT_READY = _("This import is not ready to change: it is being read or imported, or it is done.")
NO_SUCH_ROW = _("there is no such row in the statement.")
IMPORTED_BEFORE = _("it was imported before, and is never imported twice.")
BOTH = _("it cannot be both included and left out.")


def row_error(row: int, message: object, code: str) -> ValidationError:
    """A refusal about one row of the statement, naming it."""
    return ValidationError(ROW, code=code, params={"row": row, "problem": str(message)})


def statement_choose(
    *,
    user: "User",
    batch: StatementImport,
    categories: Mapping[int, int] | None = None,
    include: Iterable[int] = (),
    exclude: Iterable[int] = (),
) -> int:
    """Keep the person's choices for rows of a previewed import (by the rows' numbers in
    the file): `categories` files a row under another category, `include` takes in a
    row the preview left out (a purchase already recorded), `exclude` leaves one out.
    All or none: ValidationError naming the first row at fault. Returns the rows changed."""
    ledger_for_write(user, batch.ledger_id)
    if batch.status != StatementImport.Status.READY:
        raise ValidationError(NOT_READY, code="import_not_ready")
    chosen = dict(categories or {})
    taken, dropped = set(include), set(exclude)
    wanted = set(chosen) | taken | dropped
    if not wanted:
        return 0
    rows = {
        row.index: row
        for row in StatementImportRow.objects.filter(batch=batch, index__in=wanted).only(
            "pk", "index", "kind", "category_id", "already_imported", "include"
        )
    }
    found = {
        c.pk: c
        for c in Category.objects.filter(ledger_id=batch.ledger_id, pk__in=set(chosen.values()))
    }
    changed = []
    for index in sorted(wanted):
        row = rows.get(index)
        if row is None:
            raise row_error(index, NO_SUCH_ROW, "row_not_found")
        if index in chosen:
            category = found.get(chosen[index])
            if category is None:
                raise row_error(index, CATEGORY_NOT_FOUND, "category_not_found")
            try:
                check_category(ledger_id=batch.ledger_id, category=category, kind=row.kind)
            except ValidationError as exc:
                raise row_error(index, " ".join(exc.messages), exc.code or "invalid") from None
            row.category_id = category.pk
        if index in taken and index in dropped:
            raise row_error(index, BOTH, "row_included_and_excluded")
        if index in taken:
            if row.already_imported:
                raise row_error(index, IMPORTED_BEFORE, "row_imported_before")
            row.include = True
        if index in dropped:
            row.include = False
        changed.append(row)
    StatementImportRow.objects.bulk_update(changed, ["category", "include"], batch_size=1000)
    return len(changed)
