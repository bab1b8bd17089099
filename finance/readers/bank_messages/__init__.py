"""Bank notifications (SMS and pushes, pasted or forwarded) to operations.

A pure package: no Django models, no database, no network, no clock (`today` is passed
in). `read(text, today=...)` returns one `Operation` per notification found, in order;
each carries a `fingerprint` that is the same for the same notification read again, sent
as an SMS and as a push, or forwarded twice, so a caller can store it per ledger, and a
`merchant_text` to give the category parser (`finance.textparse`).
"""

from finance.readers.bank_messages.banks import BANKS, BY_CODE, Bank
from finance.readers.bank_messages.operation import Kind, Operation
from finance.readers.bank_messages.reader import read

__all__ = ["BANKS", "BY_CODE", "Bank", "Kind", "Operation", "read"]
