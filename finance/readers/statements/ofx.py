"""OFX statements, version 1 (SGML) and 2 (XML).

Version 1 is parsed by `ofxtools`' parser (a regular expression over the tag soup, with
end tags optional as SGML allows). Version 2 is XML, and XML is only ever read with
defusedxml here: it parses the file and refuses any DTD, hence any entity. ofxtools would
read version 2 with the same regular expression, which expands no entity, but defusedxml
is the rule. A DTD in a version 1 file is refused too. Both give one element tree, read
here transaction by transaction as ofxtools' STMTTRN model reads it: ofxtools' own model
conversion costs 65 µs a transaction (6.5 s for 100,000 on the machine of
bench/imports.py), far more than the rest of the reading together.

Quirks: Russian banks declare `CHARSET:1251`, which ofxtools does not know, so the body is
decoded here by the header's word and handed over as text; the date is the bank's own day
as written, not the UTC one ofxtools computes from the offset; the ruble may be `RUR`;
`<SIC>` holds the card's MCC where card issuers fill it.
"""

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date, time
from decimal import Decimal, InvalidOperation
from xml.sax import saxutils

from ofxtools.models.bank.stmt import TRNTYPES
from ofxtools.Parser import TreeBuilder

from finance.readers.statements import safexml, text
from finance.readers.statements.errors import Code, FileError, RowError
from finance.readers.statements.rows import RowMaker, StatementRow

# OFX 1 names its character set in the header; these are the Python codecs for them.
CHARSETS = {
    "1251": "cp1251",
    "1252": "cp1252",
    "ISO-8859-1": "latin-1",
    "ISO-8859-5": "iso8859-5",
    "866": "cp866",
    "KOI8-R": "koi8-r",
    "UTF-8": "utf-8",
}
_DATETIME = re.compile(
    r"(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?(?:\.\d{1,3})?\s*(?:\[[^\]]*\])?"
)
_ENTITIES = {"&nbsp;": " ", "&apos;": "'", "&quot;": '"'}  # beside &amp; &lt; &gt;, as ofxtools
_CENT = Decimal("0.01")
_HEADER_LINE = re.compile(r"^\s*([A-Z]+)\s*:\s*(\S*)\s*$")


def sgml_root(content: bytes) -> ET.Element:
    """The tree of an OFX 1 file: its header read here, its body by ofxtools' parser."""
    start = content.find(b"<")
    if start < 0:
        raise FileError(Code.MALFORMED, "no OFX body")
    header = content[:start].decode("ascii", errors="replace")
    fields: dict[str, str] = {
        m.group(1): m.group(2) for line in header.splitlines() if (m := _HEADER_LINE.match(line))
    }
    if fields.get("ENCODING", "").upper() in ("UTF-8", "UNICODE"):
        codecs: tuple[str, ...] = ("utf-8",)
    elif (charset := fields.get("CHARSET", "").upper()) in CHARSETS:
        codecs = (CHARSETS[charset],)
    else:  # USASCII with CHARSET:NONE, yet banks write their own language in it
        codecs = ("utf-8", "cp1251")
    body = text.decode(content[start:], encodings=codecs)
    if re.search(r"<!\s*(DOCTYPE|ENTITY)", body, re.IGNORECASE):
        raise FileError(Code.XML_FORBIDDEN, "a DTD in an OFX 1 file")
    builder = TreeBuilder()
    try:
        builder.feed(body)
        root = builder.close()
    # ofxtools' ParseError and ElementTree's are SyntaxErrors; a tag closed twice pops an
    # empty stack (IndexError), one never closed fails TreeBuilder.close()'s assertion.
    except (SyntaxError, IndexError, ValueError, AssertionError) as e:
        raise FileError(Code.MALFORMED, f"OFX markup: {e}") from None
    if root is None:
        raise FileError(Code.MALFORMED, "no OFX element")
    return root


def posted(raw: str, *, row: int) -> tuple[date, time | None]:
    match = _DATETIME.fullmatch(raw.strip())
    if not match:
        raise RowError(Code.BAD_DATE, "not an OFX date", row=row, value=raw)
    y, m, d, hh, mm, ss = match.groups()
    day = text.make_date(int(y), int(m), int(d), row=row, raw=raw)
    return day, text.make_time(hh, mm, ss, row=row, raw=raw)


def read(content: bytes, *, version: int) -> Iterator[StatementRow]:
    root = safexml.parse(content) if version == 2 else sgml_root(content)
    # OFX 1 text keeps its entities (`&amp;`) as written; an XML parser has already
    # replaced them in OFX 2.
    unescape = version == 1
    maker = RowMaker()
    statements = [*root.iter("STMTRS"), *root.iter("CCSTMTRS")]
    if not statements:
        raise FileError(Code.MALFORMED, "no bank or card statement in the OFX file")
    for statement in statements:
        curdef = text.currency(statement.findtext("CURDEF") or "", row=None)
        for element in statement.iterfind("BANKTRANLIST/STMTTRN"):
            yield _row(element, maker, curdef, unescape=unescape)


def _text(element: ET.Element, path: str, *, unescape: bool) -> str | None:
    value = element.findtext(path)
    if not value:
        return None
    return saxutils.unescape(value, _ENTITIES) if unescape and "&" in value else value


def _row(element: ET.Element, maker: RowMaker, curdef: str, *, unescape: bool) -> StatementRow:
    """One STMTTRN, read as ofxtools' STMTTRN model reads it (OFX 2.2, section 11.4.3)."""
    index = maker.next_index()
    trntype = element.findtext("TRNTYPE") or ""
    if trntype not in TRNTYPES:
        raise RowError(Code.MALFORMED, "not an OFX TRNTYPE", row=index, value=trntype)
    day, at = posted(element.findtext("DTPOSTED") or "", row=index)
    raw_amount = element.findtext("TRNAMT") or ""
    amount = text.amount(raw_amount, decimal="," if "," in raw_amount else ".", row=index)
    currency, account_amount = curdef, None
    foreign = element.find("CURRENCY")
    if foreign is not None:  # the amounts are in this currency; the rate gives CURDEF's
        currency = maker.currency(foreign.findtext("CURSYM") or "", row=index)
        rate = foreign.findtext("CURRATE") or ""
        try:
            account_amount = (amount * Decimal(rate.replace(",", "."))).quantize(_CENT)
        except (InvalidOperation, ValueError):
            raise RowError(Code.BAD_AMOUNT, "not a CURRATE", row=index, value=rate) from None
    name = _text(element, "NAME", unescape=unescape) or _text(
        element, "PAYEE/NAME", unescape=unescape
    )
    memo = _text(element, "MEMO", unescape=unescape)
    sic = element.findtext("SIC") or ""
    return maker.make(
        index=index,
        day=day,
        at=at,
        signed=amount,
        currency=currency,
        description=" ".join(p for p in (name, memo if memo != name else None) if p),
        mcc=sic.zfill(4) if sic.isdigit() and len(sic) <= 4 else None,
        counterpart=name,
        account_signed=account_amount,
        account_currency=curdef if account_amount is not None else None,
        bank_id=element.findtext("FITID"),
    )
