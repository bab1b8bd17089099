"""How often the free-text parser is right: per field, per category, and whole messages.

    .venv/bin/python bench/parse_accuracy.py [--corpus PATH ...] [--misses]

Reads labelled messages in the shape of finance/tests/data/text_examples.jsonl
(the development corpus, finance/tests/data/corpus.jsonl, by default) and parses each
against the default categories and the shipped vocabulary, with no database, as of
2026-11-24. "category" accuracy per category is recall: of the messages labelled with
that category, how many the parser filed there.
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "finance" / "tests" / "data"

sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DATABASE_URL", "postgresql://localhost/kopilka-bench-unused")

import django  # noqa: E402

django.setup()

from finance import textparse  # noqa: E402
from finance.defaults import FALLBACK_SLUGS, parser_entries  # noqa: E402
from finance.tests.parsing import FIELDS, load, score  # noqa: E402


def defaults_only() -> textparse.CategoryIndex:
    """The default categories and their keywords without the shipped vocabulary."""
    entries = parser_entries()
    fallbacks = {k.value: v for k, v in FALLBACK_SLUGS.items()}
    return textparse.CategoryIndex(entries, fallbacks, vocabulary=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, action="append")
    parser.add_argument("--misses", action="store_true", help="list every message got wrong")
    parser.add_argument(
        "--no-vocabulary",
        action="store_true",
        help="match the default keywords only, as before the shipped vocabulary",
    )
    args = parser.parse_args()
    index = defaults_only() if args.no_vocabulary else None
    for path in args.corpus or [DATA / "corpus.jsonl"]:
        s = score(load(path), index)
        total = s["total"]
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        vocabulary = "without" if args.no_vocabulary else "with"
        print(f"parse accuracy: {shown} ({vocabulary} the shipped vocabulary)")
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
