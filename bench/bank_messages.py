"""How well and how fast bank notifications are read: per-bank results and messages per second.

    .venv/bin/python bench/bank_messages.py [--rounds N] [--paste N]

Reads every notification of the corpus (finance/tests/data/bank_messages.jsonl) and
prints, per bank, how many read exactly as labelled and how many merchants the category
parser files under the labelled category. Then the speed on one core: each notification
read alone, and one paste of `--paste` notifications (blank lines between them, then one
a line), as a chat message or the cabinet's Add page would hand them over. Times are the
process's CPU time, so that other work on a shared machine does not count.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The category check builds the parser's index from finance/defaults.py, which imports the
# models: Django must be set up, though nothing connects to a database.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DATABASE_URL", "postgresql://localhost/kopilka-bench-unused")

import django  # noqa: E402

django.setup()

from finance.readers import bank_messages  # noqa: E402
from finance.tests.bank_messages import TODAY, load, score  # noqa: E402


def rate(texts: list[str], rounds: int) -> tuple[float, float]:
    """Messages per second read one by one: the median round's, and the slowest message (ms)."""
    rates, slowest = [], 0.0
    for _ in range(rounds):
        start = time.process_time()
        for text in texts:
            before = time.process_time()
            bank_messages.read(text, today=TODAY)
            slowest = max(slowest, time.process_time() - before)
        rates.append(len(texts) / (time.process_time() - start))
    return statistics.median(rates), slowest * 1000


def paste_rate(texts: list[str], count: int, separator: str) -> tuple[float, int]:
    chosen = [texts[i % len(texts)] for i in range(count)]
    paste = separator.join(chosen)
    start = time.process_time()
    found = bank_messages.read(paste, today=TODAY)
    return count / (time.process_time() - start), len(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--paste", type=int, default=1000)
    args = parser.parse_args()

    examples = load()
    start = time.process_time()
    bank_messages.read(examples[0]["text"], today=TODAY)
    first = (time.process_time() - start) * 1000
    result = score(examples)
    print(f"Corpus: {len(examples)} notifications, {len(result.total)} groups\n")
    print(result.table())
    for group, text, found in result.wrong:
        print(f"  {group}: {text!r}: {'; '.join(found)}")

    texts = [e["text"] for e in examples]
    singles = [
        e["text"]
        for e in examples
        if len(e["expect"]) == 1 and e["expect"][0]["kind"] != bank_messages.Kind.NOT_UNDERSTOOD
    ]
    print(f"\nfirst read in this process: {first:.1f} ms")
    per_second, slowest = rate(texts, args.rounds)
    print(
        f"one at a time: {per_second:,.0f} messages/s (median of {args.rounds} rounds),"
        f" slowest message {slowest:.2f} ms"
    )
    for name, separator in (("blank lines", "\n\n"), ("one a line", "\n")):
        per_second, operations = paste_rate(singles, args.paste, separator)
        print(
            f"one paste of {args.paste}, {name}: {per_second:,.0f} messages/s,"
            f" {operations} operations found"
        )


if __name__ == "__main__":
    main()
