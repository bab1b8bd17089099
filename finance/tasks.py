"""The money domain's own queue jobs (procrastinate): a receipt's items, fetched."""

from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from core.jobs import fresh_connection
from finance import jobs
from finance.services.receipts import receipt_items_fetch

# Unexpected errors (the database restarting): the job runs again later. The service's
# failures are handled by receipt_items_fetch, which asks again on its own schedule.
RETRY = RetryStrategy(max_attempts=5, exponential_wait=4)


@app.task(name=jobs.RECEIPT_ITEMS, queue=jobs.RECEIPTS_QUEUE, retry=RETRY)
@fresh_connection
def receipt_items(receipt_id: int, attempt: int = 0) -> str:
    return receipt_items_fetch(receipt_id=receipt_id, attempt=attempt)
