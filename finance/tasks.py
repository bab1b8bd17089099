"""The money domain's own queue jobs (procrastinate): a big statement previewed and
imported while the page polls its progress, and a receipt's items fetched."""

import logging

from django.core.exceptions import ValidationError
from django.utils import translation
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from core.jobs import fresh_connection
from finance import jobs
from finance.data.statements.commit import statement_write
from finance.data.statements.preview import statement_failed, statement_preview
from finance.models import StatementImport
from finance.services.receipts import receipt_items_fetch

logger = logging.getLogger(__name__)
# The database restarting: the job runs again later. A file refused is the person's to
# hear of (the import's `error`), not a failure of the job.
RETRY = RetryStrategy(max_attempts=5, exponential_wait=4)


def _pending(import_id: int, status: str) -> StatementImport | None:
    return (
        StatementImport.objects.select_related("ledger", "user")
        .filter(pk=import_id, status=status)
        .first()
    )


@app.task(name=jobs.STATEMENT_PREVIEW, queue=jobs.STATEMENTS_QUEUE, retry=RETRY)
@fresh_connection
def statement_preview_job(import_id: int) -> str:
    batch = _pending(import_id, StatementImport.Status.READING)
    if batch is None:
        return "gone"  # replaced by another upload, or done by a twin
    with translation.override(batch.user.language):
        try:
            statement_preview(batch=batch, progress=True)
        except ValidationError as exc:
            statement_failed(batch=batch, error=exc)
            return "refused"
    return "ready"


@app.task(name=jobs.STATEMENT_COMMIT, queue=jobs.STATEMENTS_QUEUE, retry=RETRY)
@fresh_connection
def statement_commit_job(import_id: int, source: str) -> str:
    batch = _pending(import_id, StatementImport.Status.COMMITTING)
    if batch is None:
        return "gone"
    with translation.override(batch.user.language):
        try:
            statement_write(batch=batch, source=source)
        except ValidationError as exc:
            # Back to the preview, with what stopped it said there.
            params = getattr(exc, "params", None) or {}
            StatementImport.objects.filter(pk=batch.pk).update(
                status=StatementImport.Status.READY,
                error={
                    "code": exc.code or "invalid",
                    "message": " ".join(exc.messages),
                    "row": params.get("row"),
                },
            )
            return "refused"
    logger.info("statement import %s committed", import_id)
    return "done"


@app.task(name=jobs.RECEIPT_ITEMS, queue=jobs.RECEIPTS_QUEUE, retry=RETRY)
@fresh_connection
def receipt_items(receipt_id: int, attempt: int = 0) -> str:
    """A recorded receipt's seller and items; the service's failures are handled by
    receipt_items_fetch, which asks again on its own schedule."""
    return receipt_items_fetch(receipt_id=receipt_id, attempt=attempt)
