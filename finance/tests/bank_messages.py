"""Shared by the bank notifications' tests and bench/bank_messages.py: the corpus and its score.

Each line of data/bank_messages.jsonl is one text as a bank wrote it, the group it belongs
to (the bank, `us_card` for Chase and Amex, `unknown` for senders no bank entry knows) and
what reading it must give: one object per operation, every field checked, `category` (the
slug the merchant text files under) where the operation is a purchase with a known merchant.
"""

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from finance import textparse
from finance.readers import bank_messages
from finance.tests.parsing import default_index

CORPUS = Path(__file__).parent / "data" / "bank_messages.jsonl"
TODAY = dt.date(2026, 11, 24)
FIELDS = ("kind", "amount", "currency", "counterpart", "card", "date", "time", "bank")
OPTIONAL = ("balance", "fee")


def load() -> list[dict[str, Any]]:
    with CORPUS.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def _money(value: object) -> str | None:
    return None if value is None else f"{value:.2f}"


def outcome(op: bank_messages.Operation) -> dict[str, str | None]:
    """An operation in the shape of the corpus's `expect`."""
    return {
        "kind": op.kind.value,
        "amount": _money(op.amount),
        "currency": op.currency,
        "counterpart": op.counterpart,
        "card": op.card,
        "date": op.date.isoformat() if op.date else None,
        "time": op.time.isoformat() if op.time else None,
        "bank": op.bank,
        "balance": _money(op.balance),
        "fee": _money(op.fee),
    }


def category(op: bank_messages.Operation) -> str:
    """The category slug the parser files the operation's merchant text under."""
    result = textparse.parse(
        f"{op.merchant_text} {op.amount} {op.currency}",
        kind="expense",
        index=default_index(),
        default_currency="RUB",
        today=TODAY,
    )
    return result.category_slug


def _time(value: str | None) -> str | None:
    return dt.time.fromisoformat(value).isoformat() if value else None


def misses(example: dict[str, Any]) -> list[str]:
    """What reading the example got wrong, one line per field; empty when all is right."""
    ops = bank_messages.read(example["text"], today=TODAY)
    if len(ops) != len(example["expect"]):
        return [f"{len(ops)} operations, not {len(example['expect'])}"]
    found = []
    for op, expect in zip(ops, example["expect"], strict=True):
        got = outcome(op)
        for name in (*FIELDS, *(n for n in OPTIONAL if n in expect)):
            want = _time(expect[name]) if name == "time" else expect[name]
            if got[name] != want:
                found.append(f"{name}: {got[name]!r}, not {want!r}")
        if "category" in expect and (slug := category(op)) != expect["category"]:
            found.append(
                f"category: {slug!r} from {op.merchant_text!r}, not {expect['category']!r}"
            )
    return found


@dataclass
class Score:
    right: Counter[str] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)
    categories_right: Counter[str] = field(default_factory=Counter)
    categories: Counter[str] = field(default_factory=Counter)
    wrong: list[tuple[str, str, list[str]]] = field(default_factory=list)

    def table(self) -> str:
        rows = [f"{'bank':<12} {'read right':>12} {'categories':>12}"]
        for group in sorted(self.total):
            rows.append(
                f"{group:<12} {self.right[group]:>6} / {self.total[group]:<4}"
                f" {self.categories_right[group]:>5} / {self.categories[group]:<4}"
            )
        rows.append(
            f"{'all':<12} {sum(self.right.values()):>6} / {sum(self.total.values()):<4}"
            f" {sum(self.categories_right.values()):>5} / {sum(self.categories.values()):<4}"
        )
        return "\n".join(rows)


def score(examples: list[dict[str, Any]]) -> Score:
    result = Score()
    for example in examples:
        group = example["group"]
        result.total[group] += 1
        labelled = sum("category" in e for e in example["expect"])
        result.categories[group] += labelled
        found = misses(example)
        result.categories_right[group] += labelled - sum(m.startswith("category:") for m in found)
        if found:
            result.wrong.append((group, example["text"], found))
        else:
            result.right[group] += 1
    return result
