"""Which statement a file is, from its bytes (never its name)."""

import re

from finance.readers.statements import banks, text
from finance.readers.statements.errors import Code, FileError
from finance.readers.statements.rows import Format

_HEAD = 4096
# Files people upload instead of an export: PDF, Excel (both kinds), zip, images.
_BINARY_MAGIC = (b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")
_QIF_HEADER = re.compile(r"!(type|account|option|clear)\b", re.IGNORECASE)


def _head_text(content: bytes) -> str:
    head = content[:_HEAD]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    return head.decode("latin-1").removeprefix("\xef\xbb\xbf")


def detect_format(content: bytes) -> Format:
    if content.startswith(_BINARY_MAGIC):
        raise FileError(Code.UNKNOWN_FORMAT, "a binary document, not an export")
    head = _head_text(content).lstrip()
    if head.startswith("OFXHEADER"):
        return Format.OFX1
    if head.startswith("<"):
        if head.startswith("<OFX>"):  # an OFX 1 body whose header the exporter left out
            return Format.OFX1
        if re.search(r"<\?OFX\b|<OFX>", head):
            return Format.OFX2
        if "camt.053" in head or "<BkToCstmrStmt" in head:
            return Format.CAMT053
        raise FileError(Code.UNKNOWN_FORMAT, "markup that is neither OFX nor camt.053")
    if _QIF_HEADER.match(head):
        return Format.QIF
    decoded = text.decode(content)
    if banks.find_header(decoded, banks.TBANK_MARKS):
        return Format.TBANK_CSV
    if banks.find_header(decoded, banks.SBER_MARKS):
        return Format.SBER_CSV
    first = decoded.lstrip("\ufeff").split("\n", 1)[0]
    if any(d in first for d in (";", ",", "\t")):
        return Format.CSV
    raise FileError(Code.UNKNOWN_FORMAT, "neither CSV, OFX, QIF nor camt.053")
