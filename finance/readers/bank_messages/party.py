"""The merchant or the other person of an operation, as the bank printed it.

The text has been blotted where figures, cards, dates and times are, one character for
one, so positions are the text's. In order, the first that finds something wins: the
bank's own patterns, labels (`Mesto: ...`, `получатель: ...`), a preposition after the
amount (`в Пятёрочка`, `at Tesco`, `от Иван И.`, `to Anna Lee`), the words right after the
amount (`550р PYATEROCHKA Баланс`), and a push's title line (`Пятёрочка\n-550 ₽`).
"""

import re
from collections.abc import Sequence

from finance.readers.bank_messages import kinds

BLOT = "\x00"

_LABELLED_RE = re.compile(
    r"\b(?:mesto|место|merchant|магазин|получатель|отправитель|payee|merchant\ name)\ *:\ *",
    re.IGNORECASE,
)
_NAME_BEFORE_RE = re.compile(
    r"(?P<party>[А-ЯЁ][а-яё]+(?:\ [А-ЯЁ][а-яё]+)?\ [А-ЯЁ]\.)\ +перев[её]л", re.VERBOSE
)
# A preposition that names who was paid or who paid, followed by a name (a capital, a
# quote, a digit-led brand is rare enough to leave).
_PREPOSITION_RE = re.compile(
    r"(?:(?<=\s)|^)(?:в|во|у|от|получателю|кому|at|with|to|from|by|bei|an|von)\ +(?=[«\"'A-ZА-ЯЁ])"
)
# What ends a name: a blot, a line or clause break, a sentence that starts anew, and the
# words that come after a merchant in the banks' sentences.
_STOP_RE = re.compile(
    r"""
      \x00 | \n | ; | \| | :\s | ,\s | \ [·•]\ | \(
    | \.(?=\s*$) | \.\s+(?=[A-ZА-ЯЁ])
    | [ ](?:on|using|via|with|was|has|is|posted|for|in|—|-|–)[ ]
    | \ (?:по|через)\ (?:сбп|номеру|карте|сч[её]ту|реквизитам|qr)
    | \ (?:с|на)\ (?:карт|сч[её]т)
    | \ (?:по|с|на|через|on|to|from)\ \x00
    | \ (?=(?:карта|карты|счёт|счет|Карта|Счёт|Счет|Отказ|Otkaz|Недостаточно|Nedostatochno
           |Uspeshno|Успешно|Declined|declined)\b)
    """,
    re.VERBOSE | re.IGNORECASE,
)
# Words between the amount and the name that are not the name.
_FILLER_RE = re.compile(
    r"""(?:\s|[.,;:\-—*]|(?:по|через)\ (?:сбп|номеру\ телефона|номеру\ карты|qr-коду)\b
      |в\ магазине\b|в\ |во\ |у\ |от\ |получателю\ |получатель\ |кому\ |at\ |with\ |to\ |from\ |an?\ |the\ )+""",
    re.VERBOSE | re.IGNORECASE,
)
# A clause about what the money was for is not a name: `за уведомления`, `for ATM`.
_PURPOSE_RE = re.compile(
    r"(?:за|на|по|с|for|on|in|of|was|is|has|have|will|been|moved|charged|credited|debited|posted"
    r"|received|spent|sent|paid|your)\b",
    re.IGNORECASE,
)
_LOWER_LATIN_RE = re.compile(r"[a-z]")
_ACCOUNT_WORDS = "карта карты карте карту счёт счет счёта счета account card checking savings"
_NOT_A_NAME = frozenset(_ACCOUNT_WORDS.split())
_INITIAL_RE = re.compile(r"(?:^|\s)[A-ZА-ЯЁ]$")
_MAX_LENGTH = 80


def _chunk(text: str, start: int) -> str:
    stop = _STOP_RE.search(text, start)
    raw = text[start : stop.start() if stop else len(text)]
    chunk = raw.strip(" .,;:-—\"'«»*")
    after = start + raw.find(chunk) + len(chunk)
    if chunk and _INITIAL_RE.search(chunk) and text[after : after + 1] == ".":
        chunk += "."  # `Иван И.`
    if chunk.count("«") > chunk.count("»"):
        chunk += "»"  # `ООО «Ромашка»`
    if (
        not chunk
        or len(chunk) > _MAX_LENGTH
        or kinds.is_cue(chunk)
        or all(w.casefold() in _NOT_A_NAME for w in chunk.split())
    ):
        return ""
    return chunk


def find(
    text: str,
    amount_end: int,
    hard_stop: int,
    patterns: Sequence[re.Pattern[str]],
) -> str:
    """`text` is blotted; the amount ends at `amount_end` and a balance begins at `hard_stop`."""
    for regex in patterns:
        m = regex.search(text)
        if m is not None and m["party"].strip():
            return _chunk(text, m.start("party"))
    m = _LABELLED_RE.search(text)
    if m is not None and (found := _chunk(text, m.end())):
        return found
    m = _NAME_BEFORE_RE.search(text)
    if m is not None:
        return m["party"]
    region = text[:hard_stop]
    m = _PREPOSITION_RE.search(region, amount_end)
    if m is not None and (found := _chunk(region, m.end())):
        return found
    start = amount_end
    while True:  # past the filler words and the blotted card, date or time
        skip = _FILLER_RE.match(region, start)
        moved = skip.end() if skip else start
        while moved < len(region) and region[moved] == BLOT:
            moved += 1
        if moved == start:
            break
        start = moved
    # English puts words about the operation there (`$12.00 monthly service fee`), banks
    # print merchants in capitals.
    purpose = _PURPOSE_RE.match(region, start) or _LOWER_LATIN_RE.match(region, start)
    if not purpose and (found := _chunk(region, start)):
        return found
    return _title(text, amount_end)


def _title(text: str, amount_end: int) -> str:
    """A push's title: the last line before the amount's own with a name in it."""
    end = text.rfind("\n", 0, amount_end)
    while end > 0:
        start = text.rfind("\n", 0, end) + 1
        line = text[start:end]
        if line.strip() and not any(c.isdigit() or c == BLOT for c in line):
            m = _PREPOSITION_RE.search(line)
            if m is not None and (found := _chunk(line, m.end())):
                return found
            if not kinds.is_cue(line):
                skip = _FILLER_RE.match(line)
                return _chunk(line, skip.end() if skip else 0)
        end = start - 1
    return ""
