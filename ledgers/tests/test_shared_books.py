from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError

from finance.models import CategoryAlias
from finance.selectors.summary import monthly_summary
from finance.selectors.transactions import transaction_list
from finance.services.budget import budget_item_set
from finance.services.categories import category_create, category_update
from finance.services.text import record_from_text
from finance.services.transactions import transaction_create, transaction_update
from ledgers import access
from ledgers.tests.household import HouseholdTestCase

NOV = date(2026, 11, 1)


class SharedBooksTestCase(HouseholdTestCase):
    def test_a_member_records_into_the_ledger_under_their_own_name(self) -> None:
        tx = self.spend(self.carol, "250")
        self.assertEqual(
            (tx.ledger, tx.created_by, tx.paid_by), (self.home, self.carol, self.carol)
        )
        self.assertEqual(tx.category.ledger, self.home)
        rows = transaction_list(user=self.alice, ledger=self.home)
        self.assertEqual(list(rows), [tx])
        self.assertFalse(transaction_list(user=self.alice).filter(pk=tx.pk).exists())

    def test_a_transaction_may_be_paid_by_another_member_only(self) -> None:
        cafe = self.home_category("cafe")
        tx = transaction_create(
            user=self.carol,
            ledger=self.home,
            kind="expense",
            amount=Decimal(100),
            currency="RUB",
            category=cafe,
            date=NOV,
            paid_by=self.alice,
            source="web",
        )
        self.assertEqual((tx.created_by, tx.paid_by), (self.carol, self.alice))
        with self.assertRaises(ValidationError) as caught:
            transaction_create(
                user=self.carol,
                ledger=self.home,
                kind="expense",
                amount=Decimal(100),
                currency="RUB",
                category=cafe,
                date=NOV,
                paid_by=self.bob,
                source="web",
            )
        self.assertEqual(caught.exception.code, "paid_by_not_member")

    def test_a_read_only_member_reads_but_never_writes(self) -> None:
        self.spend(self.alice, "100")
        summary = monthly_summary(user=self.dave, ledger=self.home, month=NOV)
        self.assertEqual(summary.expense, Decimal("100.00"))
        cafe = self.home_category("cafe")
        writes: dict[str, Callable[[], object]] = {
            "record": lambda: self.spend(self.dave, "1"),
            "text": lambda: record_from_text(
                user=self.dave, ledger=self.home, kind="expense", text="кофе 1", source="web"
            ),
            "category": lambda: category_create(
                user=self.dave, ledger=self.home, kind="expense", name="Dogs", source="web"
            ),
            "rename": lambda: category_update(
                category=cafe, user=self.dave, name="Bar", source="web"
            ),
            "plan": lambda: budget_item_set(
                user=self.dave,
                ledger=self.home,
                month=NOV,
                category=cafe,
                planned_amount=Decimal(5),
                source="web",
            ),
        }
        for name, write in writes.items():
            with self.subTest(name), self.assertRaises(access.LedgerForbidden) as caught:
                write()
            self.assertEqual(caught.exception.code, "ledger_read_only")
        self.assertEqual(cafe.transactions.count(), 1)

    def test_a_stranger_finds_nothing(self) -> None:
        with self.assertRaises(access.LedgerNotFound):
            monthly_summary(user=self.bob, ledger=self.home, month=NOV)
        with self.assertRaises(access.LedgerNotFound):
            self.spend(self.bob, "1")

    def test_the_summary_breaks_spending_down_by_member(self) -> None:
        self.spend(self.alice, "100")
        self.spend(self.carol, "250", slug="groceries")
        self.spend(self.carol, "50")
        summary = monthly_summary(user=self.alice, ledger=self.home, month=NOV)
        # Dave paid nothing, but has his share of what the others paid (each expense's
        # odd kopeck goes to the first member: alice, then carol, then dave).
        self.assertEqual(
            [(m.name, m.expense, m.share) for m in summary.members],
            [
                ("carol", Decimal("300.00"), Decimal("133.33")),
                ("alice", Decimal("100.00"), Decimal("133.35")),
                ("dave", Decimal("0.00"), Decimal("133.32")),
            ],
        )
        self.assertEqual(summary.expense, sum(m.expense for m in summary.members))
        self.client.force_login(self.alice)
        services_ledger = self.home
        from ledgers.services import ledger_activate

        ledger_activate(user=self.alice, ledger=services_ledger, source="web")
        page = self.client.get("/?month=2026-11")
        self.assertEqual([m.name for m in page.context["members"]], ["carol", "alice", "dave"])
        self.assertContains(page, '<th scope="row">carol</th><td class="num">300,00</td>')

    def test_the_transactions_list_filters_by_member(self) -> None:
        mine = self.spend(self.alice, "100")
        theirs = self.spend(self.carol, "200")
        rows = transaction_list(user=self.alice, ledger=self.home, paid_by_id=self.carol.pk)
        self.assertEqual(list(rows), [theirs])
        from ledgers.services import ledger_activate

        ledger_activate(user=self.alice, ledger=self.home, source="web")
        self.client.force_login(self.alice)
        page = self.client.get("/transactions/", {"paid_by": self.alice.pk})
        self.assertEqual(list(page.context["page"].object_list), [mine])
        self.assertContains(page, 'name="paid_by"')

    def test_learning_stays_with_the_person_who_corrected(self) -> None:
        tx = record_from_text(
            user=self.carol, ledger=self.home, kind="expense", text="кофе 250", source="web"
        )
        self.assertEqual(tx.category.slug, "cafe")
        transaction_update(
            tx=tx, user=self.carol, category=self.home_category("groceries"), source="web"
        )
        learned = CategoryAlias.objects.get(word="кофе", source="learned")
        self.assertEqual((learned.user, learned.category.ledger), (self.carol, self.home))

        def record(user: object) -> str:
            tx = record_from_text(
                user=user,  # type: ignore[arg-type]
                ledger=self.home,
                kind="expense",
                text="кофе 300",
                source="web",
                dry_run=True,
            )
            return tx.category.slug

        self.assertEqual(record(self.carol), "groceries")
        self.assertEqual(record(self.alice), "cafe")  # the ledger's keyword still holds for her
        self.assertTrue(self.home_category("cafe").aliases.filter(word="кофе").exists())
