"""Why bytes or a QR's text did not become a receipt: one exception family with codes.

The messages are English and for logs only; callers map `code` (and `params`) to a message
in the person's language.
"""

from typing import ClassVar


class ReceiptError(Exception):
    code: ClassVar[str] = "receipt_error"

    def __init__(self, message: str, **params: str) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


class NotAnImage(ReceiptError):
    """Not a JPEG, PNG, WebP or HEIC image, or one too damaged to decode."""

    code = "not_an_image"


class FileTooLarge(ReceiptError):
    """More bytes than `MAX_IMAGE_BYTES`; nothing was decoded."""

    code = "file_too_large"


class TooManyPixels(ReceiptError):
    """More pixels than `MAX_IMAGE_PIXELS` (a decompression bomb, or no phone's photo)."""

    code = "too_many_pixels"


class QRNotFound(ReceiptError):
    """An image in which no QR code could be read: ask for a closer, flatter, lit photo."""

    code = "qr_not_found"


class NotFiscalQR(ReceiptError):
    """A QR code that is not a receipt's; `looks_like` is `url`, `payment` or `text`."""

    code = "not_fiscal_qr"

    def __init__(self, message: str, *, looks_like: str) -> None:
        super().__init__(message, looks_like=looks_like)
        self.looks_like = looks_like


class InvalidFiscalQR(ReceiptError):
    """A receipt's QR with a field missing, repeated or out of its rules.

    `field` is the QR's key (`t`, `s`, `fn`, `i`, `fp`, `n`); `reason` is `missing`,
    `repeated`, `malformed` (not the field's format) or `out_of_range` (the format, but
    no such date, a zero total, an unknown kind).
    """

    code = "invalid_fiscal_qr"

    def __init__(self, message: str, *, field: str, reason: str) -> None:
        super().__init__(message, field=field, reason=reason)
        self.field = field
        self.reason = reason
