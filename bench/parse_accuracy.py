"""How often the free-text parser is right: per field, per category, and whole messages.

    .venv/bin/python bench/parse_accuracy.py [--corpus PATH ...] [--misses]

Reads labelled messages in the shape of finance/tests/data/text_examples.jsonl
(the development corpus, finance/tests/data/corpus.jsonl, by default) and parses each
against the default categories and the shipped vocabulary, with no database, as of
2026-11-24. "category" accuracy per category is recall: of the messages labelled with
that category, how many the parser filed there.
"""

import argparse
import json
import os
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "finance" / "tests" / "data"
TODAY = date(2026, 11, 24)
FIELDS = ("amount", "currency", "date", "category")

sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DATABASE_URL", "postgresql://localhost/kopilka-bench-unused")

import django  # noqa: E402

django.setup()

from finance import textparse  # noqa: E402
from finance.tests.parsing import default_index  # noqa: E402


def load(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def outcome(example: dict[str, Any]) -> dict[str, str]:
    """What the parser makes of one example, in the shape of its `expect`."""
    try:
        result = textparse.parse(
            example["text"],
            kind="expense" if example["action"] == "create_expense" else "income",
            index=default_index(),
            default_currency="RUB",
            today=TODAY,
            date=date.fromisoformat(example["date_field"]) if example["date_field"] else None,
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


def score(examples: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts of right answers per field and category, and the messages got wrong."""
    right: Counter[str] = Counter()
    labelled: Counter[str] = Counter()
    filed: Counter[str] = Counter()
    misses = []
    scored = [e for e in examples if "error" not in e["expect"]]
    for example in scored:
        expect, got = example["expect"], outcome(example)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, action="append")
    parser.add_argument("--misses", action="store_true", help="list every message got wrong")
    args = parser.parse_args()
    for path in args.corpus or [DATA / "corpus.jsonl"]:
        s = score(load(path))
        total = s["total"]
        print(f"parse accuracy: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
        print(f"  {total} labelled messages")
        for name in (*FIELDS, "message"):
            label = "entirely right" if name == "message" else name
            print(f"  {label:15} {s['right'][name] / total:7.1%}  ({s['right'][name]}/{total})")
        print("  category, per labelled category:")
        for slug, n in sorted(s["labelled"].items()):
            print(f"    {slug:15} {s['filed'][slug] / n:7.1%}  ({s['filed'][slug]}/{n})")
        if args.misses:
            print("  misses:")
            for text, expect, got in s["misses"]:
                wrong = {k: f"{got.get(k, got.get('error'))} (not {expect[k]})" for k in FIELDS}
                wrong = {k: v for k, v in wrong.items() if got.get(k) != expect[k]}
                print(f"    {text!r}: {wrong}")


if __name__ == "__main__":
    main()
