"""Shared by the parser's tests: the default categories as a parser index, no database."""

import datetime as dt
import json
from collections import Counter
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from finance import textparse
from finance.defaults import FALLBACK_SLUGS, parser_entries

TODAY = date(2026, 11, 24)  # a Tuesday
FIELDS = ("amount", "currency", "date", "category")


@cache
def default_index() -> textparse.CategoryIndex:
    entries = parser_entries()
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


def load(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def outcome(
    example: dict[str, Any], index: textparse.CategoryIndex | None = None
) -> dict[str, str]:
    """What the parser makes of one example, in the shape of its `expect`."""
    try:
        result = textparse.parse(
            example["text"],
            kind="expense" if example["action"] == "create_expense" else "income",
            index=index or default_index(),
            default_currency="RUB",
            today=TODAY,
            date=dt.date.fromisoformat(example["date_field"]) if example["date_field"] else None,
            currency=example["currency_field"],
        )
    except textparse.ParseError as e:
        return {"error": e.problems[0].code}
    return {
        "amount": f"{result.amount:.2f}",
        "currency": result.currency,
        "date": result.date.isoformat(),
        "category": result.category_slug,
    }


def score(
    examples: list[dict[str, Any]], index: textparse.CategoryIndex | None = None
) -> dict[str, Any]:
    """Counts of right answers per field and category, and the messages got wrong."""
    right: Counter[str] = Counter()
    labelled: Counter[str] = Counter()
    filed: Counter[str] = Counter()
    misses = []
    scored = [e for e in examples if "error" not in e["expect"]]
    for example in scored:
        expect, got = example["expect"], outcome(example, index)
        labelled[expect["category"]] += 1
        for name in FIELDS:
            right[name] += got.get(name) == expect[name]
        if got.get("category") == expect["category"]:
            filed[expect["category"]] += 1
        if any(got.get(name) != expect[name] for name in FIELDS):
            misses.append((example["text"], expect, got))
        else:
            right["message"] += 1
    return {
        "total": len(scored),
        "right": right,
        "labelled": labelled,
        "filed": filed,
        "misses": misses,
    }
