"""A photo of a receipt in the chat: read in a queue job, recorded, answered.

The update's own pass (`photo`, inside its claim) only defers the job: fetching and
decoding the photo take seconds and the webhook answers at once. The job
(`messaging.photos`) fetches the image and hands the update back to the chat with the
bytes (or the problem that kept them), and this pass reads the QR code and records it
through `record_receipt`, as the person's own request.
"""

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from botapi.results import ReceiptResult
from core import jobs
from core.errors import ActionError
from finance.readers.receipts import MAX_IMAGE_BYTES, ReceiptError, read_receipt_photo
from finance.services.receipts import receipt_problem
from messaging.chat import phrases
from messaging.chat.exchange import Reply, inbound_data

if TYPE_CHECKING:
    from messaging.chat.dialogue import Dialogue

PHOTO_TASK = "messaging.receipt_photo"
QUEUE = "messaging"
# Problems that say this photo is no receipt: in a group, said only when spoken to.
NOT_A_RECEIPT = frozenset({"qr_not_found", "not_fiscal_qr", "not_an_image"})
TOO_LARGE = "too_large"


def photo(d: "Dialogue") -> list[Reply]:
    """The replies to a photo: none yet (the job is deferred), or the job's answer."""
    image = d.inbound.image
    assert image is not None
    if not image.fetched:
        if image.size > MAX_IMAGE_BYTES:
            return [_too_large()]
        # In the update's transaction: the job exists if and only if the claim commits.
        jobs.defer(PHOTO_TASK, queue=QUEUE, inbound=inbound_data(d.inbound))
        return []
    if image.problem:
        if image.problem == TOO_LARGE:
            return [_too_large()]
        return [Reply(_("I could not download the photo: send it again, please."))]
    assert image.data is not None
    try:
        receipt = read_receipt_photo(image.data)
    except ReceiptError as exc:
        if exc.code in NOT_A_RECEIPT and not d.talks_back:
            return []
        return [Reply(" ".join(receipt_problem(exc).messages))]
    payload = {"qr": receipt.text}
    if d.inbound.text.strip():
        payload["text"] = d.inbound.text.strip()[:500]
    try:
        result = d.perform(ReceiptResult, "record_receipt", payload)
    except ActionError as exc:
        return [d.refusal(exc)]
    if result.duplicate:
        # No buttons and no transaction to correct by a reply: it may be someone else's.
        tx = result.transaction
        what = " · ".join(
            [
                phrases.money(tx.amount, tx.currency),
                tx.category.name,
                phrases.day(tx.date, d.user.today()),
            ]
        )
        text = _("This receipt is already recorded: %(what)s") % {"what": what}
        return [Reply(text, action="record_receipt")]
    return [d.confirmation(_("Recorded: %(what)s"), result.transaction, "record_receipt")]


def _too_large() -> Reply:
    return Reply(_("The photo is larger than 5 MB: send a smaller one."))
