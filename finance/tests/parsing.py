"""Shared by the parser's tests: the default categories as a parser index, no database."""

from datetime import date
from functools import cache

from finance import textparse
from finance.defaults import DEFAULT_CATEGORIES, FALLBACK_SLUGS

TODAY = date(2026, 11, 24)  # a Tuesday


@cache
def default_index() -> textparse.CategoryIndex:
    entries = [
        textparse.CategoryEntry(
            id=n,
            slug=d.slug,
            name=d.name_ru,
            kind=d.kind,
            aliases=tuple(textparse.Alias(w, "default") for w in d.words()),
        )
        for n, d in enumerate(DEFAULT_CATEGORIES, start=1)
    ]
    return textparse.CategoryIndex(entries, {k.value: v for k, v in FALLBACK_SLUGS.items()})


def parse(
    text: str,
    kind: str = "expense",
    *,
    date: date | None = None,
    currency: str | None = None,
    index: textparse.CategoryIndex | None = None,
) -> textparse.ParseResult:
    return textparse.parse(
        text,
        kind=kind,
        index=index or default_index(),
        default_currency="RUB",
        today=TODAY,
        date=date,
        currency=currency,
    )
