"""Payments that repeat: what makes two records "the same payment", and whether a run
of them keeps a monthly or weekly rhythm. Pure: no Django, no clock.

The suggestions (`finance.selectors.suggestions`) look for such runs that no rule
covers; the forecast (`finance.selectors.forecast`) leaves what a rule covers out of the
variable spending it averages. Both use the same two tests here, so a payment a rule
covers is never suggested again nor counted twice.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

MONTHLY = "monthly"
WEEKLY = "weekly"
# "About the same amount": within 10 % of the larger one.
TOLERANCE = Decimal("0.10")
MIN_TIMES = 3
# The gaps a rhythm allows between two payments, in days: a month's payment drifts
# with weekends and month lengths (28-31 days), a week's by a day.
GAPS = {MONTHLY: (25, 35), WEEKLY: (6, 8)}
# A series is current while its next payment is not overdue by more than this: a
# subscription cancelled three months ago is not one to offer.
CURRENT_WITHIN = {MONTHLY: timedelta(days=45), WEEKLY: timedelta(days=10)}

_NOT_LETTERS = re.compile(r"[\W\d_]+")


def words_key(note: str) -> str:
    """What a record's note names, for comparing: its letters' words, lowered
    (`NETFLIX.COM 4471` and `netflix com` are one). "" when it names nothing."""
    return " ".join(_NOT_LETTERS.sub(" ", note.lower()).split())[:200]


def about_the_same(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) <= TOLERANCE * max(abs(a), abs(b))


@dataclass(frozen=True)
class Payment:
    day: date
    amount: Decimal


@dataclass(frozen=True)
class Rhythm:
    frequency: str
    payments: tuple[Payment, ...]  # oldest first, MIN_TIMES or more

    @property
    def last(self) -> Payment:
        return self.payments[-1]

    @property
    def month_end(self) -> bool:
        """Every payment fell on its month's last day (a monthly rule "on the last day")."""
        return all((p.day + timedelta(days=1)).day == 1 for p in self.payments)


def rhythm(payments: Sequence[Payment], *, today: date) -> Rhythm | None:
    """The monthly or weekly run that `payments` (one merchant's, in one category and
    currency) end with, if it is MIN_TIMES long, its amounts about the same as the last
    one, and still current on `today`; else None.

    A payment of a very different amount (a one-off purchase at the same shop) is left
    out rather than breaking the run.
    """
    ordered = sorted(payments, key=lambda p: p.day)
    if not ordered:
        return None
    latest = ordered[-1]
    similar = [p for p in ordered if about_the_same(p.amount, latest.amount)]
    for frequency, (shortest, longest) in GAPS.items():
        run = [similar[-1]]
        for earlier in reversed(similar[:-1]):
            if not shortest <= (run[-1].day - earlier.day).days <= longest:
                break
            run.append(earlier)
        if len(run) >= MIN_TIMES and today - latest.day <= CURRENT_WITHIN[frequency]:
            return Rhythm(frequency, tuple(reversed(run)))
    return None
