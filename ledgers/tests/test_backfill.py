"""The migration that moves every user's books into a personal ledger, run on a database
full of data: every user's summary is the same after it as before, and no row is lost
or renumbered."""

import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase

from core import money
from finance.rates.lookup import rate_pivots
from finance.rates.lookup import rate_sql as _rate_sql

BEFORE = [
    ("accounts", "0002_user_categories_version"),
    ("audit", "0004_merge_0003_redaction_0003_source_mcp"),
    ("finance", "0005_alter_transaction_source"),
    ("ledgers", None),
]
# The summary as it was computed per user before ledgers (finance/selectors.py then).
OLD_SUMMARY_SQL = """
WITH lines AS (
    SELECT 'spent' AS measure, t.category_id, t.currency,
           CASE WHEN t.currency = %(target)s THEN NULL ELSE t.date END AS day,
           SUM(t.amount) AS amount
    FROM finance_transaction t
    WHERE t.user_id = %(user)s AND t.date >= %(start)s AND t.date <= %(end)s
    GROUP BY t.category_id, t.currency, 4
    UNION ALL
    SELECT 'planned', b.category_id, b.currency,
           CASE WHEN b.currency = %(target)s THEN NULL ELSE %(end)s END,
           b.planned_amount
    FROM finance_budgetitem b
    WHERE b.user_id = %(user)s AND b.month = %(start)s
), rates AS MATERIALIZED (
    SELECT d.currency, d.day, {rate} AS rate
    FROM (SELECT DISTINCT currency, day FROM lines WHERE day IS NOT NULL) d
)
SELECT l.measure, c.id, c.kind, l.currency, l.day, l.amount, r.rate
FROM lines l
JOIN finance_category c ON c.id = l.category_id AND c.user_id = %(user)s
LEFT JOIN rates r ON r.currency = l.currency AND r.day = l.day
""".format(rate=_rate_sql("d.currency", "%(target)s", "d.day", ["%(p1)s", "%(p2)s"]))
MONTHS = [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]
Summary = tuple[Decimal, Decimal, dict[int, tuple[Decimal, Decimal]]]


def old_summary(user_id: int, month: date, target: str) -> Summary:
    end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    params: dict[str, Any] = {
        "user": user_id,
        "start": month,
        "end": end,
        "target": target,
        "p1": rate_pivots()[0],
        "p2": rate_pivots()[1],
    }
    with connection.cursor() as cursor:
        cursor.execute(OLD_SUMMARY_SQL, params)
        rows = cursor.fetchall()
    lines: dict[int, list[Any]] = {}
    for measure, cat_id, kind, _currency, day, amount, rate in rows:
        assert day is None or rate is not None
        amount = amount * rate if day is not None else amount
        line = lines.setdefault(cat_id, [kind, Decimal(0), Decimal(0)])
        line[1 if measure == "spent" else 2] += amount
    quantum = money.quantum(target)
    rounded = {
        cat: (s.quantize(quantum, ROUND_HALF_UP), p.quantize(quantum, ROUND_HALF_UP))
        for cat, (_k, s, p) in lines.items()
    }
    income = sum((rounded[c][0] for c, line in lines.items() if line[0] == "income"), Decimal(0))
    expense = sum((rounded[c][0] for c, line in lines.items() if line[0] == "expense"), Decimal(0))
    return income, expense, rounded


class BackfillTestCase(TransactionTestCase):
    def setUp(self) -> None:
        executor = MigrationExecutor(connection)
        self.after = executor.loader.graph.leaf_nodes()
        executor.migrate(BEFORE)
        nodes = [(app, name) for app, name in BEFORE if name is not None]
        self.old = MigrationExecutor(connection).loader.project_state(nodes).apps

    def tearDown(self) -> None:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(self.after)

    def fill(self) -> None:
        old = self.old
        User = old.get_model("accounts", "User")
        Category = old.get_model("finance", "Category")
        CategoryAlias = old.get_model("finance", "CategoryAlias")
        Transaction = old.get_model("finance", "Transaction")
        BudgetItem = old.get_model("finance", "BudgetItem")
        ExchangeRate = old.get_model("finance", "ExchangeRate")
        ApiToken = old.get_model("accounts", "ApiToken")
        rng = random.Random(16)
        day0 = date(2026, 8, 20)
        ExchangeRate.objects.bulk_create(
            ExchangeRate(date=day0 + timedelta(days=i), base=b, quote=q, rate=Decimal(r))
            for i in range(110)
            for b, q, r in (("EUR", "RUB", "100.25"), ("EUR", "USD", "1.0838"))
        )
        users = User.objects.bulk_create(
            User(username=f"u{i}", password="!", default_currency=("RUB", "USD")[i % 2])
            for i in range(12)
        )
        slugs = [("cafe", "expense"), ("groceries", "expense"), ("salary", "income")]
        categories = Category.objects.bulk_create(
            Category(user=u, kind=kind, slug=slug, name=f"{slug} {u.username}")
            for u in users
            for slug, kind in slugs
        )
        CategoryAlias.objects.bulk_create(
            CategoryAlias(category=c, word=f"w{c.pk}", source=("default", "learned")[c.pk % 2])
            for c in categories
        )
        rows = []
        for c in categories:
            for _ in range(60):
                currency = rng.choice(["RUB", "RUB", "USD", "EUR"])
                rows.append(
                    Transaction(
                        user_id=c.user_id,
                        kind=c.kind,
                        amount=Decimal(rng.randrange(100, 500_000)) / 100,
                        currency=currency,
                        category=c,
                        date=day0 + timedelta(days=rng.randrange(100)),
                        source="web",
                    )
                )
        Transaction.objects.bulk_create(rows)
        BudgetItem.objects.bulk_create(
            BudgetItem(
                user_id=c.user_id,
                month=m,
                category=c,
                planned_amount=Decimal(rng.randrange(0, 100_000)),
                currency=rng.choice(["RUB", "USD"]),
            )
            for c in categories
            for m in MONTHS
            if c.kind == "expense"
        )
        ApiToken.objects.create(
            user=users[0],
            name="bot",
            token_hash="0" * 64,
            prefix="kop_x",
            scopes=["summaries:read"],
        )

    def test_every_users_summary_is_the_same_after_the_backfill(self) -> None:
        self.fill()
        old = self.old
        users = list(old.get_model("accounts", "User").objects.values_list("pk", flat=True))
        before = {
            (u, m, cur): old_summary(u, m, cur)
            for u in users
            for m in MONTHS
            for cur in ("RUB", "USD")
        }
        self.assertTrue(any(s[1] for s in before.values()))
        tx_before = set(
            old.get_model("finance", "Transaction").objects.values_list("pk", "user_id", "amount")
        )
        categories_before = set(
            old.get_model("finance", "Category").objects.values_list("pk", "user_id", "name")
        )
        learned_before = set(
            old.get_model("finance", "CategoryAlias")
            .objects.filter(source="learned")
            .values_list("pk", "category__user_id")
        )

        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(self.after)

        from accounts.models import ApiToken, User
        from finance.models import Category, CategoryAlias, Transaction
        from finance.selectors.summary import monthly_summary
        from ledgers.models import Ledger, Membership

        for (user_id, month, currency), (income, expense, lines) in before.items():
            with self.subTest(user=user_id, month=month, currency=currency):
                user = User.objects.get(pk=user_id)
                after = monthly_summary(user=user, month=month, currency=currency)
                self.assertEqual((after.income, after.expense), (income, expense))
                self.assertEqual(
                    {line.category.id: (line.spent, line.planned) for line in after.categories},
                    lines,
                )
        self.assertEqual(
            set(Transaction.objects.values_list("pk", "created_by_id", "amount")), tx_before
        )
        self.assertFalse(Transaction.objects.exclude(paid_by_id=models_f("created_by_id")).exists())
        self.assertEqual(
            set(Category.objects.values_list("pk", "ledger__personal_for_id", "name")),
            categories_before,
        )
        self.assertEqual(
            set(CategoryAlias.objects.filter(source="learned").values_list("pk", "user_id")),
            learned_before,
        )
        self.assertEqual(Ledger.objects.count(), len(users))
        for user in User.objects.all():
            ledger = Ledger.objects.get(personal_for=user)
            self.assertEqual(user.active_ledger_id, ledger.pk)
            self.assertEqual(ledger.default_currency, user.default_currency)
            self.assertEqual(Membership.objects.get(ledger=ledger).role, "owner")
        token = ApiToken.objects.get()
        self.assertEqual(token.ledger.personal_for_id, token.user_id)


def models_f(name: str) -> Any:
    from django.db.models import F

    return F(name)
