"""How fast the free-text parser is: texts per second on one core, and the slowest texts.

    .venv/bin/python bench/parse.py [--rounds N] [--top N]

Parses every worked example (finance/tests/data/text_examples.jsonl) against the
default categories, with no database: the index is built from finance/defaults.py.
"warm" is the steady state of a running worker (word forms cached); "cold" forgets
every word form and fuzzy match before each round, as a fresh process would.
"""

import argparse
import contextlib
import json
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "finance" / "tests" / "data" / "text_examples.jsonl"
TODAY = date(2026, 11, 24)

sys.path.insert(0, str(ROOT))
# finance.defaults imports the models, so Django must be set up; nothing connects to
# a database, so a placeholder URL does when none is set.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DATABASE_URL", "postgresql://localhost/kopilka-bench-unused")

import django  # noqa: E402

django.setup()

from finance import textparse  # noqa: E402
from finance.defaults import FALLBACK_SLUGS, parser_entries  # noqa: E402
from finance.textparse import words  # noqa: E402


def build_index() -> textparse.CategoryIndex:
    entries = parser_entries()
    return textparse.CategoryIndex(entries, {k.value: v for k, v in FALLBACK_SLUGS.items()})


def load() -> list[dict[str, Any]]:
    with EXAMPLES.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def parse_one(example: dict[str, Any], index: textparse.CategoryIndex) -> None:
    with contextlib.suppress(textparse.ParseError):  # refusals are part of the workload
        textparse.parse(
            example["text"],
            kind="expense" if example["action"] == "create_expense" else "income",
            index=index,
            default_currency="RUB",
            today=TODAY,
            date=date.fromisoformat(example["date_field"]) if example["date_field"] else None,
            currency=example["currency_field"],
        )


def rate(examples: list[dict[str, Any]], rounds: int, *, cold: bool) -> float:
    index, elapsed = build_index(), 0.0
    for _ in range(rounds):
        if cold:
            words.clear_caches()
            index = build_index()
            words.clear_caches()  # building the index looked up the aliases' forms
        start = time.perf_counter()
        for example in examples:
            parse_one(example, index)
        elapsed += time.perf_counter() - start
    return len(examples) * rounds / elapsed


def slowest(examples: list[dict[str, Any]], top: int) -> list[tuple[float, str]]:
    index = build_index()
    timings = []
    for example in examples:
        runs = []
        for _ in range(200):
            start = time.perf_counter()
            parse_one(example, index)
            runs.append(time.perf_counter() - start)
        timings.append((statistics.median(runs) * 1e6, example["text"]))
    return sorted(timings, reverse=True)[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--top", type=int, default=5)
    args = parser.parse_args()
    examples = load()
    rate(examples, 1, cold=False)  # load the dictionaries outside the clock

    warm = rate(examples, args.rounds, cold=False)
    cold = rate(examples, max(args.rounds // 10, 1), cold=True)
    print(f"parse: {len(examples)} examples, single process")
    print(f"  warm (word forms cached): {warm:,.0f} texts/second")
    print(f"  cold (every word new):    {cold:,.0f} texts/second")
    print("  slowest (median of 200, warm):")
    for micros, text in slowest(examples, args.top):
        print(f"    {micros:7.1f} µs  {text}")


if __name__ == "__main__":
    main()
