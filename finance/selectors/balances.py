"""Who owes whom in a shared ledger: each person's balance per currency, the transfers
that settle them, and the history of settlements.

A balance = what the person paid for split expenses - their shares of them + the
settlements they paid - the settlements they received. In each currency the balances
of a ledger sum to zero, to the minor unit: the shares of an expense add up to its
amount, and a settlement adds to one side what it takes from the other.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core import money
from finance.models import Settlement
from finance.rates.lookup import MissingExchangeRate, exchange_rate
from finance.rules import ledger_for_read
from finance.selectors.summary import MissingRate
from finance.shares import apportion, from_minor, settle, to_minor
from ledgers import access

if TYPE_CHECKING:
    from accounts.models import User

# None: an account since deleted (its shares and payments stay, with nobody's name).
Person = int | None


@dataclass(frozen=True)
class Balance:
    user_id: Person
    name: str
    currency: str
    # Above zero: the others owe them; below: they owe.
    balance: Decimal
    # False for someone who has left the ledger (their balance stays for the others).
    member: bool


@dataclass(frozen=True)
class SettleTransfer:
    from_id: Person
    from_name: str
    to_id: Person
    to_name: str
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Balances:
    balances: tuple[Balance, ...]
    settle: tuple[SettleTransfer, ...]
    # The currency asked for (None: each in its own); what no rate converted stays in
    # its own currency, listed in `unconverted`, its missing rates in `missing_rates`.
    currency: str | None = None
    unconverted: tuple[str, ...] = ()
    missing_rates: tuple[MissingRate, ...] = ()

    def of(self, user_id: Person) -> list[Balance]:
        """One person's balances (those not zero)."""
        return [b for b in self.balances if b.user_id == user_id and b.balance]


# Money facts per person and currency: payments for split expenses and settlements paid
# in major units (the amount columns), shares in minor units (the share column).
_FACTS_SQL = """
WITH facts AS (
    SELECT t.paid_by_id AS user_id, t.currency, SUM(t.amount) AS major, 0 AS minor
    FROM finance_transaction t JOIN finance_split s ON s.transaction_id = t.id
    WHERE t.ledger_id = %(ledger)s
    GROUP BY 1, 2
    UNION ALL
    SELECT sh.user_id, t.currency, 0, SUM(sh.amount_minor)
    FROM finance_share sh JOIN finance_transaction t ON t.id = sh.split_id
    WHERE t.ledger_id = %(ledger)s
    GROUP BY 1, 2
    UNION ALL
    SELECT st.from_user_id, st.currency, SUM(st.amount), 0
    FROM finance_settlement st WHERE st.ledger_id = %(ledger)s
    GROUP BY 1, 2
    UNION ALL
    SELECT st.to_user_id, st.currency, -SUM(st.amount), 0
    FROM finance_settlement st WHERE st.ledger_id = %(ledger)s
    GROUP BY 1, 2
)
SELECT f.user_id, u.username, m.id IS NOT NULL, f.currency, SUM(f.major), SUM(f.minor)
FROM facts f
LEFT JOIN accounts_user u ON u.id = f.user_id
LEFT JOIN ledgers_membership m ON m.ledger_id = %(ledger)s AND m.user_id = f.user_id
GROUP BY f.user_id, u.username, m.id, f.currency
"""


def _rank(person: Person) -> tuple[bool, int]:
    return (person is None, person or 0)


def _converted(
    balances: dict[str, dict[Person, int]], target: str, on: date
) -> tuple[dict[str, dict[Person, int]], list[str], list[MissingRate]]:
    """`balances` in `target` where a rate converts them: each currency's balances at
    the rate of `on`, rounded (largest remainder) so that they still sum to zero."""
    result: dict[str, dict[Person, int]] = {target: dict(balances.get(target, {}))}
    unconverted: list[str] = []
    missing: list[MissingRate] = []
    for code, per_person in balances.items():
        if code == target:
            continue
        try:
            rate = exchange_rate(base=code, quote=target, on=on)
        except MissingExchangeRate as exc:
            result[code] = dict(per_person)
            unconverted.append(code)
            missing.append(MissingRate(exc.base, exc.quote, exc.on))
            continue
        scale = Fraction(rate) * Fraction(money.quantum(code)) / Fraction(money.quantum(target))
        people = list(per_person)
        exact = [Fraction(per_person[p]) * scale for p in people]
        # Shifted so that every value is >= 0 for apportion; the shift comes off again.
        shift = -min((x.numerator // x.denominator for x in exact), default=0)
        rounded = apportion([x + shift for x in exact], shift * len(people))
        into = result[target]
        for person, minor in zip(people, rounded, strict=True):
            into[person] = into.get(person, 0) + minor - shift
    return result, unconverted, missing


def ledger_balances(
    *,
    user: "User",
    ledger: access.LedgerRef = None,
    currency: str | None = None,
    on: date | None = None,
) -> Balances:
    """Everyone's balance in `ledger` (None: the person's active ledger) and the transfers
    that settle them, per currency; or, with `currency`, converted into it at the rates
    of `on` (default: the person's today) where rates are stored."""
    books = ledger_for_read(user, ledger)
    target = money.normalize_code(currency) if currency else None
    with connection.cursor() as cursor:
        cursor.execute(_FACTS_SQL, {"ledger": books.pk})
        rows: Sequence[tuple[Any, ...]] = cursor.fetchall()

    names: dict[Person, str] = {}
    members: set[Person] = set()
    per_currency: dict[str, dict[Person, int]] = {}
    for person, username, is_member, code, major, minor in rows:
        names[person] = username if username is not None else _("deleted account")
        if is_member:
            members.add(person)
        owed = per_currency.setdefault(code, {})
        owed[person] = owed.get(person, 0) + to_minor(major, code) - int(minor)

    unconverted: list[str] = []
    missing: list[MissingRate] = []
    if target is not None and per_currency:
        per_currency, unconverted, missing = _converted(per_currency, target, on or user.today())

    balances: list[Balance] = []
    transfers: list[SettleTransfer] = []
    for code in sorted(per_currency):
        people = sorted(per_currency[code], key=_rank)
        owed = {p: per_currency[code][p] for p in people}
        balances += [
            Balance(p, names[p], code, from_minor(owed[p], code), p in members)
            for p in sorted(people, key=lambda p: (names[p].casefold(), _rank(p)))
        ]
        transfers += [
            SettleTransfer(
                from_id=t.debtor,
                from_name=names[t.debtor],
                to_id=t.creditor,
                to_name=names[t.creditor],
                amount=from_minor(t.amount, code),
                currency=code,
            )
            for t in settle(owed)
        ]
    return Balances(
        balances=tuple(balances),
        settle=tuple(transfers),
        currency=target,
        unconverted=tuple(sorted(unconverted)),
        missing_rates=tuple(sorted(missing, key=lambda m: m.base)),
    )


def settlement_list(*, user: "User", ledger: access.LedgerRef = None) -> "QuerySet[Settlement]":
    """The ledger's settlements, newest first."""
    books = ledger_for_read(user, ledger)
    return (
        Settlement.objects.filter(ledger=books)
        .select_related("from_user", "to_user", "created_by")
        .order_by("-date", "-id")
    )


def settlement_get(*, user: "User", ledger: access.LedgerRef = None, pk: int) -> Settlement | None:
    """One settlement of the ledger, or None (another ledger's is as unknown as none)."""
    return settlement_list(user=user, ledger=ledger).filter(pk=pk).first()
