"""Free text (`кофе 250`, `такси 12.5$ вчера`) to the fields of one transaction.

A pure package: plain Python and libraries, no database and no clock. The caller
loads the user's categories once, builds a `CategoryIndex` from them (cheap to
keep and reuse) and passes the user's default currency and today's date.
"""

from core.money import MAX_AMOUNT
from finance.textparse.categories import Alias, CategoryEntry, CategoryIndex, CategoryMatch
from finance.textparse.parser import ParseError, ParseResult, Problem, parse
from finance.textparse.words import keywords, phrase, phrase_key

__all__ = [
    "MAX_AMOUNT",
    "Alias",
    "CategoryEntry",
    "CategoryIndex",
    "CategoryMatch",
    "ParseError",
    "ParseResult",
    "Problem",
    "keywords",
    "parse",
    "phrase",
    "phrase_key",
]
