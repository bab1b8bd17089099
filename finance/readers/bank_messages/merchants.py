"""A merchant as banks print it, reduced to the words a category parser can know.

`PYATEROCHKA 1234 MOSCOW RUS` -> `PYATEROCHKA MOSCOW`, `YANDEX*TAXI` -> `YANDEX TAXI`,
`RU/MOSCOW/SBERMARKET.RU` -> `SBERMARKET`, `SQ *BLUE BOTTLE COFFEE` -> `BLUE BOTTLE COFFEE`,
`ООО "Ромашка"` -> `Ромашка`. Numbers go (the parser would take them for an amount); words
with digits in them stay (`TELE2`, `S7`).
"""

import re

# Alfa-Bank and others print `country/city/merchant`.
_PATH_RE = re.compile(r"^[A-Z]{2,3}/[^/]*/(.+)$")
_DOMAIN_RE = re.compile(
    r"\b(?:www\.)?([^\W_][\w-]*)\.(?:ru|com|рф|net|org|io|me|de|co\.uk|uk|su|info|online|app)\b",
    re.IGNORECASE,
)
# Payment facilitators' and legal forms' prefixes: `SQ *`, `TST*`, `PAYPAL *`, `YM*`, `ООО`.
_NOISE_WORDS = """
    sq tst sp pp ym yoomoney ip ооо ао зао пао оао ип ooo ao zao pao oao llc inc ltd gmbh
    corp co plc sarl bv ag cjsc jsc pos ecom www
"""
_NOISE = frozenset(_NOISE_WORDS.split())
# Country codes merchants end with (`... MOSCOW RUS`); the city stays, it harms nothing.
_COUNTRY_CODES = "ru rus us usa gb gbr de deu fr fra nl nld es esp it ita tr tur"
_COUNTRIES = frozenset(_COUNTRY_CODES.split())
_WORD_RE = re.compile(r"[^\W_]+(?:['’&][^\W_]+)*")


def clean(merchant: str) -> str:
    text = merchant.strip()
    path = _PATH_RE.match(text)
    if path:
        text = path[1]
    text = _DOMAIN_RE.sub(r"\1", text)
    found = [w for w in _WORD_RE.findall(text) if not w.isdigit()]
    while found and found[0].casefold() in _NOISE:
        found.pop(0)
    while found and found[-1].casefold() in _NOISE | _COUNTRIES:
        found.pop()
    return " ".join(w for w in found if w.casefold() not in _NOISE)
