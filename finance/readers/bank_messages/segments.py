"""Where each notification of a pasted text begins and ends.

People paste several at once: separated by blank lines, one SMS a line, or run
together as an SMS app copies them. A push spreads one notification over lines
(`Пятёрочка` / `-550 ₽` / `MIR •• 1234. Баланс ...`), so a line break alone does not
end one. Cuts are proposed at blank lines (always), at line breaks, where a known
bank's notification begins, and after a balance (the last thing most banks print);
a proposed cut is taken when the part after it states an operation's amount and the
part before already has one, or when a line is a push's title (a name, no figures)
after a complete notification.
"""

import re
from dataclasses import dataclass

from finance.readers.bank_messages import banks, figures

_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n\s*")
# A line that ends a notification rather than titling the next: `Недостаточно средств`.
_CLOSING_RE = re.compile(
    r"недостаточно|nedostatochno|insufficient|спасибо|thank|подробнее|details", re.IGNORECASE
)
_MAX_TITLE_WORDS = 6
_SIDE = (figures.Role.FEE, figures.Role.CASHBACK)
_BALANCE_TAIL_RE = re.compile(r"(?:[ .,;]*(?:\d{1,2}:\d{2}(?::\d{2})?|\d{1,2}\.\d{1,2}\.\d{2,4}))*")


@dataclass
class _Segment:
    start: int
    end: int
    has_amount: bool
    has_balance: bool
    titled: bool  # began at a title line after a complete notification


@dataclass(frozen=True)
class _Piece:
    start: int
    end: int
    line: bool  # begins a line
    anchored: bool  # begins where a known bank's notification begins
    amount: bool  # holds an operation's figure
    side: bool  # holds a fee or cashback figure (`Комиссия 15р`), alone or beside the amount
    balance: bool
    # A fee or cashback figure with words before it on its line (`Начислен кешбэк 150 ₽`,
    # `Ozon Банк: Кешбэк ...`), or followed by a balance, is a notification's own amount.
    side_leads: bool


def split(text: str) -> list[tuple[int, int]]:
    """The spans of the notifications in `text` (cleaned with figures.CLEAN), in order."""
    spans = []
    position = 0
    for m in _BLANK_LINE_RE.finditer(text):
        spans += _split_block(text, position, m.start())
        position = m.end()
    spans += _split_block(text, position, len(text))
    return spans


def _pieces(block: str) -> list[_Piece]:
    found = figures.find(block)
    lines = {m.end() for m in re.finditer(r"\n", block)}
    anchors = {
        m.start() + len(m[0]) - len(m[0].lstrip("\n")) for m in banks.any_start_re().finditer(block)
    }
    # After a balance, the last thing most banks print, save a time or the bank's name.
    after_balance = {
        f.end + len(m[0])
        for f in found
        if f.role is figures.Role.BALANCE and (m := _BALANCE_TAIL_RE.match(block, f.end))
    }
    bounds = sorted(p for p in lines | anchors | after_balance if 0 < p < len(block))
    pieces = []
    first = 0  # figures are in order, and so are the pieces
    for start, end in zip([0, *bounds], [*bounds, len(block)], strict=True):
        last = first
        while last < len(found) and found[last].start < end:
            last += 1
        inside, first = found[first:last], last
        side = [f for f in inside if f.role in _SIDE]
        pieces.append(
            _Piece(
                start,
                end,
                line=start in lines,
                anchored=start in anchors,
                amount=any(f.role is figures.Role.OPERATION for f in inside),
                side=bool(side),
                balance=any(f.role is figures.Role.BALANCE for f in inside),
                side_leads=any(
                    block[block.rfind("\n", 0, f.label) + 1 : f.label].strip()
                    or any(g.role is figures.Role.BALANCE and g.start > f.end for g in inside)
                    for f in side
                ),
            )
        )
    return pieces


def _split_block(text: str, start: int, end: int) -> list[tuple[int, int]]:
    block = text[start:end]
    if not block.strip():
        return []
    segments: list[_Segment] = []
    current: _Segment | None = None
    for piece in _pieces(block):
        # A fee or cashback figure is the amount of a notification of its own when it
        # opens one (`Комиссия 99 ₽ за обслуживание`), and a side clause after an amount.
        opens = (
            current is None
            or not current.has_amount
            or current.has_balance
            or piece.anchored
            or (piece.line and piece.side_leads)
        )
        has_amount = piece.amount or (piece.side and opens)
        if current is None:
            current = _Segment(piece.start, piece.end, has_amount, piece.balance, titled=False)
            continue
        if has_amount and current.has_amount:
            segments.append(current)
            current = _Segment(piece.start, piece.end, has_amount, piece.balance, titled=False)
        elif piece.line and current.has_amount and _is_title(block[piece.start : piece.end]):
            segments.append(current)
            current = _Segment(piece.start, piece.end, has_amount, piece.balance, titled=True)
        else:
            current.end = piece.end
            current.has_amount = current.has_amount or has_amount
            current.has_balance = current.has_balance or piece.balance
    if current is not None:
        if current.titled and not current.has_amount and segments:
            segments[-1].end = current.end  # a closing line, not a title after all
        else:
            segments.append(current)
    spans = []
    for s in segments:
        piece_text = block[s.start : s.end]
        lead = len(piece_text) - len(piece_text.lstrip())
        trail = len(piece_text.rstrip())
        if trail > lead:
            spans.append((start + s.start + lead, start + s.start + trail))
    return spans


def _is_title(line: str) -> bool:
    line = line.strip()
    if banks.is_name(line):
        return True
    return (
        bool(line)
        and not any(c.isdigit() for c in line)
        and len(line.split()) <= _MAX_TITLE_WORDS
        and not _CLOSING_RE.search(line)
    )
