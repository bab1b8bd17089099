"""The arithmetic of sharing money, pure: an amount apportioned in minor units by weights
(largest remainder), and the transfers that settle a set of balances.

Exact throughout: Decimal and Fraction, never float. Imports nothing of Django or the
project but core.money.
"""

import heapq
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Generic, TypeVar

from core import money

K = TypeVar("K", bound=Hashable)


def to_minor(amount: Decimal, currency: str) -> int:
    """`amount` in the currency's minor units (250.50 RUB -> 25050); it must be a whole
    number of them."""
    minor = amount.scaleb(money.decimal_places(currency))
    if minor != minor.to_integral_value():
        raise ValueError(f"{amount} is not a whole number of {currency} minor units")
    return int(minor)


def from_minor(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-money.decimal_places(currency))


def plain(number: Decimal) -> Decimal:
    """`number` without trailing zeros and never in exponent form (60.0000 -> 60)."""
    if number == number.to_integral_value():
        return number.quantize(Decimal(1))
    return number.normalize()


def apportion(exact: Sequence[Fraction], total: int) -> list[int]:
    """Whole numbers near `exact`, adding up to `total`: each is rounded down, and the
    units still missing go one each to the largest remainders (the earlier one first on
    a tie). `total` must be the sum of `exact` rounded to a whole number or near it."""
    floors = [value.numerator // value.denominator for value in exact]
    missing = total - sum(floors)
    if not 0 <= missing <= len(exact):
        raise ValueError("the total is not the sum of the values")
    # Sorted by remainder, largest first; a stable sort keeps the given order on ties.
    order = sorted(range(len(exact)), key=lambda i: exact[i] - floors[i], reverse=True)
    for i in order[:missing]:
        floors[i] += 1
    return floors


def allocate(total: int, weights: Sequence[Decimal]) -> list[int]:
    """`total` minor units shared in proportion to `weights` (each >= 0, some > 0):
    whole units, adding up to `total` exactly (largest remainder)."""
    if total < 0 or any(w < 0 for w in weights):
        raise ValueError("negative total or weight")
    whole = sum((Fraction(w) for w in weights), Fraction(0))
    if whole == 0:
        raise ValueError("no weight")
    return apportion([Fraction(total) * Fraction(w) / whole for w in weights], total)


@dataclass(frozen=True)
class Transfer(Generic[K]):
    """`debtor` pays `creditor` `amount` (minor units)."""

    debtor: K
    creditor: K
    amount: int


def settle(balances: Mapping[K, int], order: Mapping[K, int] | None = None) -> list[Transfer[K]]:
    """Transfers that bring every balance (minor units, summing to zero) to zero: the
    largest creditor is paid by the largest debtor, again and again, so at most one
    transfer fewer than there are people with a balance. `order` ranks people on ties
    (by default, their order in `balances`), so the answer is stable."""
    if sum(balances.values()) != 0:
        raise ValueError("balances must sum to zero")
    rank = order if order is not None else {k: n for n, k in enumerate(balances)}
    # Heaps of (-amount owed or due, rank, person): the largest first, the lower rank on a tie.
    creditors = [(-b, rank[k], k) for k, b in balances.items() if b > 0]
    debtors = [(b, rank[k], k) for k, b in balances.items() if b < 0]
    heapq.heapify(creditors)
    heapq.heapify(debtors)
    transfers: list[Transfer[K]] = []
    while creditors and debtors:
        due, c_rank, creditor = heapq.heappop(creditors)
        owed, d_rank, debtor = heapq.heappop(debtors)
        amount = min(-due, -owed)
        transfers.append(Transfer(debtor, creditor, amount))
        if -due > amount:
            heapq.heappush(creditors, (due + amount, c_rank, creditor))
        if -owed > amount:
            heapq.heappush(debtors, (owed + amount, d_rank, debtor))
    return transfers
