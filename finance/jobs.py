"""The queue jobs a money write asks for, deferred inside the write's transaction."""

from collections.abc import Iterable
from datetime import date

from core import jobs
from ledgers.models import Ledger

# Run by notifications' worker: it owns the alerts a threshold passed sends.
QUEUE = "notifications"
CHECK_BUDGET = "notifications.check_budget"


def defer_budget_check(
    *, ledger: Ledger | int, days: Iterable[date], schedule_in_seconds: float | None = None
) -> None:
    """Check the ledger's budget for each month of `days` after this write commits (or
    never): every member who wants alerts hears of a threshold passed. A ledger read
    before this write knows whether it has ever had a plan; without one there is
    nothing to check."""
    if not isinstance(ledger, int) and not ledger.has_budget:
        return
    ledger_id = ledger if isinstance(ledger, int) else ledger.pk
    for month in sorted({day.replace(day=1) for day in days}):
        jobs.defer(
            CHECK_BUDGET,
            queue=QUEUE,
            schedule_in_seconds=schedule_in_seconds,
            ledger_id=ledger_id,
            month=month.isoformat(),
        )


# A big statement is previewed, and imported, by a job of its own while the page polls.
STATEMENT_PREVIEW = "finance.statement_preview"
STATEMENT_COMMIT = "finance.statement_commit"
STATEMENTS_QUEUE = "statements"


def defer_statement_preview(*, import_id: int) -> None:
    """Preview an uploaded statement after this write commits (or never)."""
    jobs.defer(STATEMENT_PREVIEW, queue=STATEMENTS_QUEUE, import_id=import_id)


def defer_statement_commit(*, import_id: int, source: str) -> None:
    """Import a previewed statement after this write commits (or never)."""
    jobs.defer(STATEMENT_COMMIT, queue=STATEMENTS_QUEUE, import_id=import_id, source=source)


RECEIPT_ITEMS = "finance.receipt_items"
RECEIPTS_QUEUE = "receipts"


def defer_receipt_items(
    *, receipt_id: int, attempt: int = 0, schedule_in_seconds: float | None = None
) -> None:
    """Fetch a recorded receipt's seller and items after this write commits (or never)."""
    jobs.defer(
        RECEIPT_ITEMS,
        queue=RECEIPTS_QUEUE,
        schedule_in_seconds=schedule_in_seconds,
        receipt_id=receipt_id,
        attempt=attempt,
    )
