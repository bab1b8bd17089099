"""A photo's bytes to the fiscal receipt whose QR code it shows."""

from finance.readers.receipts.decode import WORKING_SIDE, read_qr_texts
from finance.readers.receipts.errors import QRNotFound
from finance.readers.receipts.fiscal import FiscalReceipt, looks_fiscal, parse_fiscal_qr
from finance.readers.receipts.images import load_image


def read_receipt_photo(data: bytes) -> FiscalReceipt:
    """Read the receipt in a photo; raise a ReceiptError with its code when there is none.

    NotAnImage, FileTooLarge or TooManyPixels for the file; QRNotFound when no QR code
    could be read; NotFiscalQR when the only codes read are not a receipt's (a link, a
    payment QR); InvalidFiscalQR when the receipt's code breaks its rules.
    """
    texts = read_qr_texts(load_image(data, max_side=WORKING_SIDE), wanted=looks_fiscal)
    if not texts:
        raise QRNotFound("No QR code could be read in the photo.")
    # Wanted texts come first: a receipt's code wins over a shop's advertising link.
    return parse_fiscal_qr(texts[0])
