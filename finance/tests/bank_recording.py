"""What recording the bank-notification corpus must give, whatever the door: per
notification its outcome, and for a recorded one the transaction's kind, amount,
currency, category and day. Shared by the service's, the bot API's, the chat's and the
cabinet's tests.

The corpus (data/bank_messages.jsonl) says what each notification holds; the rules of
recording (finance.services.bank_messages) say what that makes: a purchase or a fee an
expense, a refund a refund, a salary an income under Salary, cashback and interest
incomes under Interest & cashback; transfers, own transfers, cash and declined ones
nothing. A notification without a date is placed on the day it arrives, or on the day
before when its time is later than the time it arrives.
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from finance.tests.bank_messages import load

# The moment every test pastes the corpus: noon in Moscow on the corpus's today, so that
# a notification of 12:34 without a date is yesterday's, and one of 08:15 today's.
NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Moscow"))
RECORDS = {"purchase": "expense", "fee": "expense", "refund": "refund"}
INCOMES = {"salary": "salary", "cashback": "interest", "interest": "interest"}
SKIPS = {
    "own_transfer": "own_transfer",
    "declined": "declined",
    "cash_withdrawal": "cash_withdrawal",
    "transfer_in": "transfer",
    "transfer_out": "transfer",
}


@dataclass(frozen=True)
class Expected:
    outcome: str  # "recorded" or "skipped"
    reason: str = ""
    kind: str = ""
    amount: str = ""
    currency: str = ""
    date: str = ""
    category: str | None = None  # the slug, where the corpus or the rules say it


def day(op: dict[str, Any], now: dt.datetime = NOW) -> str:
    if op["date"]:
        return str(op["date"])
    if op["time"] and dt.time.fromisoformat(op["time"]) > now.time():
        return (now.date() - dt.timedelta(days=1)).isoformat()
    return now.date().isoformat()


def expected(op: dict[str, Any]) -> Expected:
    kind = op["kind"]
    if kind in SKIPS:
        return Expected("skipped", reason=SKIPS[kind])
    category = op.get("category") or INCOMES.get(kind)
    return Expected(
        "recorded",
        kind=RECORDS.get(kind, "income"),
        amount=op["amount"],
        currency=op["currency"],
        date=day(op),
        category=category,
    )


def examples(groups: set[str] | None = None) -> list[dict[str, Any]]:
    """The corpus's notifications of these groups (every one by default) that hold an
    operation (the corpus keeps a few texts that are none, for the reader's tests)."""
    return [
        e
        for e in load()
        if (groups is None or e["group"] in groups)
        and all(op["kind"] != "not_understood" for op in e["expect"])
    ]


def one_of_each(groups: set[str] | None = None) -> list[dict[str, Any]]:
    """For each bank, one notification of each kind it sends (a pasted text of one)."""
    chosen: dict[tuple[str, str], dict[str, Any]] = {}
    for example in examples(groups):
        if len(example["expect"]) == 1:
            chosen.setdefault((example["group"], example["expect"][0]["kind"]), example)
    return list(chosen.values())


def item_view(item: dict[str, Any]) -> Expected:
    """A `record_bank_messages` item (its JSON) in the shape of `Expected`."""
    if item["outcome"] != "recorded":
        return Expected(item["outcome"], reason=item.get("reason", ""))
    tx = item["transaction"]
    return Expected(
        "recorded",
        kind=tx["kind"],
        amount=tx["amount"],
        currency=tx["currency"],
        date=tx["date"],
        category=tx["category"]["slug"],
    )


def comparable(want: Expected, got: Expected) -> Expected:
    """`got` with the category left out where the corpus does not name one."""
    if want.category is None:
        return Expected(**{**got.__dict__, "category": None})
    return got
