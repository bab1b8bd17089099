"""Currency symbols and names in a text, and ISO 4217 codes."""

import re
from dataclasses import dataclass
from enum import Enum

from core.money import is_known
from finance.textparse.words import LETTERS_RE

SYMBOLS = {
    "₽": "RUB", "$": "USD", "€": "EUR", "₸": "KZT", "₴": "UAH", "£": "GBP", "¥": "CNY",
    "₺": "TRY", "₾": "GEL", "֏": "AMD", "₼": "AZN", "₹": "INR", "₩": "KRW", "₪": "ILS",
    "฿": "THB", "₫": "VND",
}  # fmt: skip
SYMBOL_RE = re.compile("[" + re.escape("".join(SYMBOLS)) + "]")


def _declined(stem: str, endings: str) -> list[str]:
    return [stem + e for e in ("", *endings.split())]


_NOUN = "а у ом е ы ов ам ами ах"  # a hard-stem masculine noun: доллар, фунт, бакс
# Names that mean money wherever they stand in a text.
_ANYWHERE = {
    "RUB": [
        "руб", "рубль", "рубля", "рублю", "рублем", "рублём", "рубле", "рубли", "рублей",
        "рублям", "рублями", "рублях", "rub", "rur", "ruble", "rubles", "rouble", "roubles",
    ],
    "USD": [
        *_declined("доллар", _NOUN), *_declined("бакс", _NOUN),
        "долл", "usd", "dollar", "dollars", "buck", "bucks",
    ],
    "EUR": ["евро", "eur", "euro", "euros"],
    "KZT": ["тенге", "kzt", "tenge"],
    "UAH": [
        *_declined("гривн", "а ы е у ой ам ами ах"), "гривен",
        *_declined("гривн", "я и ю ей ям ями ях"), "гривень", "грн", "uah", "hryvnia",
    ],
    "GBP": [*_declined("фунт", _NOUN), "gbp", "pound", "pounds", "quid"],
    "CNY": [*_declined("юан", "ь я ю ем е и ей ям ями ях")[1:], "cny", "rmb", "yuan"],
    "TRY": [*_declined("лир", "а ы е у ой ам ами ах"), "lira", "liras"],
    "BYN": ["byn"],
    "JPY": ["jpy", "иен", "иена", "иены", "иену", "йен", "йена", "йены", "yen"],
    "CHF": ["chf"], "PLN": ["pln", "злотых", "злотый"], "CZK": ["czk"], "AED": ["aed"],
    "THB": ["thb"], "AZN": ["azn", "манат", "маната", "манатов"], "KGS": ["kgs"],
    "TJS": ["tjs"], "MDL": ["mdl"], "RSD": ["rsd"], "HUF": ["huf"], "SEK": ["sek"],
    "NOK": ["nok"], "DKK": ["dkk"], "CAD": ["cad"], "AUD": ["aud"], "INR": ["inr"],
    "KRW": ["krw"], "ILS": ["ils"], "VND": ["vnd"], "UZS": ["uzs"],
}  # fmt: skip
# Names that are other words too (`try`, `сум`, `драм`): money only right after a number.
_AFTER_NUMBER = {
    "RUB": ["р"],
    "KZT": ["тг"],
    "TRY": ["try", "tl", "тл"],
    "GEL": ["gel", "лари", "lari"],
    "AMD": ["amd", "драм", "драмов", "dram"],
    "UZS": ["сум", "сумов", "сума", "sum"],
}

# A hundredth of a currency, after a number: `50 коп`, `99 cents`, `5 руб 50 коп`.
_MINOR = {
    "RUB": ["коп", "копейка", "копейки", "копеек", "копейку", "копеечек"],
    "USD": ["cent", "cents", "цент", "цента", "центов"],
    "GBP": ["pence", "пенс", "пенса", "пенсов"],
}
MINOR_WORDS = {w: code for code, ws in _MINOR.items() for w in ws}


class Place(Enum):
    ANYWHERE = "anywhere"
    AFTER_NUMBER = "after a number"
    NEXT_TO_NUMBER = "next to a number"  # a capitalised ISO code: `CHF 40`, `40 CHF`


WORDS = {w: (code, Place.ANYWHERE) for code, ws in _ANYWHERE.items() for w in ws}
WORDS |= {w: (code, Place.AFTER_NUMBER) for code, ws in _AFTER_NUMBER.items() for w in ws}
# `бел.руб`, `белорусских рублей`: the adjective turns roubles into Belarusian ones.
_BELARUSIAN = ("бел", "белорус")
_ABBREVIATIONS = frozenset({"р", "руб", "бел", "долл", "грн", "тг", "коп"})


@dataclass(frozen=True)
class CurrencyMatch:
    start: int
    end: int
    code: str
    place: Place
    minor: bool = False  # kopecks, cents: the number before it is hundredths


def find(text: str, lowered: str) -> list[CurrencyMatch]:
    """Every currency symbol or name in the text, in order; `lowered` is `text.lower()`."""
    found = [
        CurrencyMatch(m.start(), m.end(), SYMBOLS[m[0]], Place.ANYWHERE)
        for m in SYMBOL_RE.finditer(lowered)
    ]
    previous: re.Match[str] | None = None
    for m in LETTERS_RE.finditer(lowered):
        word, start, end = m[0], m.start(), m.end()
        minor = word in MINOR_WORDS
        if minor:
            code, place = MINOR_WORDS[word], Place.AFTER_NUMBER
        elif word in WORDS:
            code, place = WORDS[word]
        elif len(word) == 3 and text[start:end].isupper() and is_known(word.upper()):
            code, place = word.upper(), Place.NEXT_TO_NUMBER
        else:
            if word.startswith("стерлинг") and found and found[-1].code == "GBP":
                found[-1] = CurrencyMatch(found[-1].start, end, "GBP", found[-1].place)
            previous = m
            continue
        if word in _ABBREVIATIONS and lowered[end : end + 1] == ".":
            end += 1
        if (
            code == "RUB"
            and previous is not None
            and previous[0].startswith(_BELARUSIAN)
            and not lowered[previous.end() : start].strip(" .")
        ):
            code, start = "BYN", previous.start()
        found.append(CurrencyMatch(start, end, code, place, minor))
        previous = m
    if len(found) > 1:
        found.sort(key=lambda c: c.start)
    return found
