"""A new person's default currency, guessed from their time zone and language (pure: CLDR
data through babel and core.money, nothing of Django)."""

from dataclasses import dataclass
from functools import lru_cache

from babel.core import get_global

from core import money

# The time zone comes first, so Moscow's is RUB whatever the browser's language: an English
# browser in Moscow once signed up in dollars and recorded "кофе 250" as $250.
WORLD = "001"  # CLDR's territory for zones of no country (Antarctica/Troll, say)
FALLBACK = "RUB"


@dataclass(frozen=True)
class CurrencyGuess:
    code: str
    zone: str | None  # the time zone it follows, or None when it follows the language
    language: str


@lru_cache(maxsize=1024)
def zone_territory(zone: str) -> str | None:
    """The region (ISO 3166, "RU") of an IANA time zone, old names too ("Europe/Kiev")."""
    territories = get_global("zone_territories")
    territory = territories.get(zone) or territories.get(get_global("zone_aliases").get(zone, ""))
    return None if territory in (None, WORLD) else str(territory)


def language_territory(language: str) -> str | None:
    """The region a language most likely means: "ru" Russia, "en" the United States."""
    likely = get_global("likely_subtags").get(language.lower().replace("-", "_"))
    parts = str(likely).split("_") if likely else []
    return parts[-1] if len(parts) > 1 and parts[-1].isalpha() else None


def default_currency(*, zone: str, language: str) -> CurrencyGuess:
    """The time zone's region's currency (a Russian zone is RUB), else the language's."""
    territory = zone_territory(zone)
    code = money.territory_currency(territory) if territory else None
    if code is not None:
        return CurrencyGuess(code=code, zone=zone, language=language)
    by_language = language_territory(language)
    code = money.territory_currency(by_language) if by_language else None
    return CurrencyGuess(code=code or FALLBACK, zone=None, language=language)


def currency_order(*, zone: str, language: str, also: str = "") -> list[str]:
    """Currency codes for a list: `also` (the one already chosen), the common ones, the
    guess for this time zone and language, then every current currency."""
    guess = default_currency(zone=zone, language=language).code
    return money.choice_codes([also, *money.COMMON, guess])
