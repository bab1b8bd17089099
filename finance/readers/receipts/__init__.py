"""Bytes to a Russian cash receipt: the image, its QR code, the QR's fiscal fields.

Pure: Pillow, pillow-heif, zxing-cpp and numpy; no models, no database, no network. Every
refusal is a `ReceiptError` whose `code` the caller maps to a message.
"""

from finance.readers.receipts.decode import Reading, read_qr, read_qr_texts
from finance.readers.receipts.errors import (
    FileTooLarge,
    InvalidFiscalQR,
    NotAnImage,
    NotFiscalQR,
    QRNotFound,
    ReceiptError,
    TooManyPixels,
)
from finance.readers.receipts.fiscal import (
    FiscalReceipt,
    ReceiptKind,
    looks_fiscal,
    parse_fiscal_qr,
)
from finance.readers.receipts.images import MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS, load_image
from finance.readers.receipts.photo import read_receipt_photo

__all__ = [
    "MAX_IMAGE_BYTES",
    "MAX_IMAGE_PIXELS",
    "FileTooLarge",
    "FiscalReceipt",
    "InvalidFiscalQR",
    "NotAnImage",
    "NotFiscalQR",
    "QRNotFound",
    "Reading",
    "ReceiptError",
    "ReceiptKind",
    "TooManyPixels",
    "load_image",
    "looks_fiscal",
    "parse_fiscal_qr",
    "read_qr",
    "read_qr_texts",
    "read_receipt_photo",
]
