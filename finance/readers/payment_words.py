"""A payment back between two people of a household, as said in a chat: "Маша вернула
Пете 3000", "вернул Маше 500", "Петя вернул мне 1200,50", "Anna paid me back 30",
"I paid Anna back 30 EUR".

Pure: the text and the members' names in, who paid whom how much out. Strict on
purpose: the message must be that and nothing else (a person, a verb of paying back,
a person, an amount, perhaps a currency), so an expense ("вернул долг за ремонт 500")
is never read as one.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from core import money
from finance.readers.split_words import name_of

# A number (with a decimal comma or point), a word, or any other non-space character.
TOKEN_RE = re.compile(r"\d+(?:[.,]\d{1,2})?|\w+(?:-\w+)*|[^\w\s]", re.UNICODE)
THOUSANDS_RE = re.compile(r"\d{3}(?:[.,]\d{1,2})?\Z")

VERBS = frozenset(
    {
        "вернул",
        "вернула",
        "вернули",
        "отдал",
        "отдала",
        "отдали",
        "перевел",
        "перевела",
        "перевели",
        "скинул",
        "скинула",
        "paid",
        "repaid",
        "returned",
        "sent",
    }
)
BACK = frozenset({"back", "обратно"})
WRITER = frozenset({"я", "i"})
ME = frozenset({"мне", "me"})
CURRENCY_WORDS = {
    "₽": "RUB",
    "р": "RUB",
    "руб": "RUB",
    "рубль": "RUB",
    "рубля": "RUB",
    "рублей": "RUB",
    "$": "USD",
    "€": "EUR",
    "евро": "EUR",
}
CODE_RE = re.compile(r"[a-z]{3}\Z")


@dataclass(frozen=True)
class PaymentWords:
    """`payer` paid `payee` back `amount`; None for either is the writer. `currency`
    None: not said."""

    payer: str | None
    payee: str | None
    amount: Decimal
    currency: str | None = None


def _fold(word: str) -> str:
    return word.casefold().replace("ё", "е")


def mentions_payment(text: str) -> bool:
    """Whether `text` has a verb of paying back (before the members' names are read)."""
    return any(_fold(m[0]) in VERBS for m in TOKEN_RE.finditer(text))


def _tokens(text: str) -> list[str]:
    """The folded tokens, "3 000" joined into one number."""
    tokens: list[str] = []
    for match in TOKEN_RE.finditer(text):
        token = _fold(match[0])
        if tokens and tokens[-1].isdigit() and len(tokens[-1]) <= 3 and THOUSANDS_RE.match(token):
            previous = tokens.pop()
            token = previous + token
        tokens.append(token)
    return [t for t in tokens if t not in {".", "!"}]


def _person(token: str, names: Sequence[str], me: frozenset[str]) -> tuple[bool, str | None]:
    """(whether `token` is a person, the member's name or None for the writer)."""
    if token in me:
        return True, None
    name = name_of(token, names)
    return name is not None, name


def _amount(token: str) -> Decimal | None:
    if not token[:1].isdigit():
        return None
    value = Decimal(token.replace(",", "."))
    return value if value > 0 else None


def read_payment(text: str, names: Sequence[str]) -> PaymentWords | None:
    """The payment `text` says was made, with `names` the members' names as the ledger
    shows them; None unless the whole text says exactly that."""
    tokens = _tokens(text)
    if not tokens or len(tokens) > 7:
        return None
    verb = next((i for i, t in enumerate(tokens) if t in VERBS), None)
    if verb is None or verb > 1:
        return None
    payer: str | None = None
    if verb == 1:
        known, payer = _person(tokens[0], names, WRITER)
        if not known:
            return None
    rest = [t for t in tokens[verb + 1 :] if t not in BACK]
    payee: str | None = None
    payee_found = False
    amount: Decimal | None = None
    currency: str | None = None
    for token in rest:
        value = _amount(token)
        if value is not None and amount is None:
            amount = value
            continue
        if amount is not None and currency is None:
            code = CURRENCY_WORDS.get(token)
            if code is None and CODE_RE.match(token) and money.is_known(token.upper()):
                code = token.upper()
            if code is not None:
                currency = code
                continue
        if not payee_found:
            payee_found, payee = _person(token, names, ME)
            if payee_found:
                continue
        return None
    if amount is None or not payee_found or payer == payee:
        return None
    return PaymentWords(payer=payer, payee=payee, amount=amount, currency=currency)
