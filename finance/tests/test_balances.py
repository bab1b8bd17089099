"""Who owes whom: balances per member and currency, the transfers that settle them,
settlements recorded and undone, and a settlement kept out of spending."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import translation

from audit.models import AuditLog
from finance.data import imports
from finance.models import BudgetItem, ExchangeRate, Settlement, Share, Transaction
from finance.selectors.balances import Balances, ledger_balances
from finance.selectors.summary import monthly_summary
from finance.selectors.totals import monthly_totals
from finance.services.settlements import settlement_create, settlement_delete
from finance.services.splits import SplitMember, SplitRequest
from finance.services.transactions import transaction_create
from ledgers import access
from ledgers.services import ledger_activate, member_remove
from ledgers.tests.household import HouseholdTestCase

NOVEMBER = date(2026, 11, 1)


def figures(balances: Balances) -> dict[tuple[str, str], str]:
    return {(b.name, b.currency): str(b.balance) for b in balances.balances}


def transfers(balances: Balances) -> list[tuple[str, str, str, str]]:
    return [(t.from_name, t.to_name, str(t.amount), t.currency) for t in balances.settle]


class BalancesBase(HouseholdTestCase):
    def balances(self, **kwargs: object) -> Balances:
        return ledger_balances(user=self.carol, ledger=self.home, **kwargs)  # type: ignore[arg-type]

    def settle(self, payer: object, payee: object, amount: str, **kwargs: object) -> Settlement:
        return settlement_create(
            user=kwargs.pop("user", payer),  # type: ignore[arg-type]
            ledger=self.home,
            from_user_id=payer.pk,  # type: ignore[attr-defined]
            to_user_id=payee.pk,  # type: ignore[attr-defined]
            amount=Decimal(amount),
            source="web",
            **kwargs,  # type: ignore[arg-type]
        )


class BalancesTestCase(BalancesBase):
    def test_balances_are_paid_less_shares(self) -> None:
        self.spend(self.alice, "300")  # 100 each
        self.spend(self.carol, "90")  # 30 each
        balances = self.balances()
        self.assertEqual(
            figures(balances),
            {
                ("alice", "RUB"): "170.00",  # 300 - 100 - 30
                ("carol", "RUB"): "-40.00",  # 90 - 100 - 30
                ("dave", "RUB"): "-130.00",
            },
        )
        self.assertEqual(
            transfers(balances),
            [("dave", "alice", "130.00", "RUB"), ("carol", "alice", "40.00", "RUB")],
        )

    def test_a_settlement_moves_the_balances_and_its_undo_moves_them_back(self) -> None:
        self.spend(self.alice, "300")
        settlement = self.settle(self.carol, self.alice, "100")
        self.assertEqual(
            figures(self.balances()),
            {("alice", "RUB"): "100.00", ("carol", "RUB"): "0.00", ("dave", "RUB"): "-100.00"},
        )
        self.assertEqual(transfers(self.balances()), [("dave", "alice", "100.00", "RUB")])
        self.assertTrue(settlement_delete(user=self.carol, settlement=settlement, source="web"))
        self.assertFalse(settlement_delete(user=self.carol, settlement=settlement, source="web"))
        self.assertEqual(figures(self.balances())[("carol", "RUB")], "-100.00")
        actions = AuditLog.objects.filter(action__startswith="settlement.").values_list(
            "action", flat=True
        )
        self.assertEqual(sorted(actions), ["settlement.create", "settlement.delete"])

    def test_each_currency_is_its_own(self) -> None:
        self.spend(self.alice, "300")
        transaction_create(
            user=self.carol,
            ledger=self.home,
            kind="expense",
            amount=Decimal("30"),
            currency="EUR",
            category=self.home_category("cafe"),
            date=date(2026, 11, 4),
            source="web",
            split=SplitRequest("equal", (SplitMember(self.alice.pk), SplitMember(self.carol.pk))),
        )
        balances = self.balances()
        self.assertEqual(figures(balances)[("alice", "EUR")], "-15.00")
        self.assertEqual(figures(balances)[("carol", "EUR")], "15.00")
        self.assertNotIn(("dave", "EUR"), figures(balances))
        self.assertIn(("alice", "carol", "15.00", "EUR"), transfers(balances))

    def test_a_currency_asked_for_converts_what_rates_convert(self) -> None:
        self.spend(self.alice, "300")
        transaction_create(
            user=self.carol,
            ledger=self.home,
            kind="expense",
            amount=Decimal("10"),
            currency="EUR",
            category=self.home_category("cafe"),
            date=date(2026, 11, 4),
            source="web",
        )
        transaction_create(
            user=self.alice,
            paid_by=self.dave,
            ledger=self.home,
            kind="expense",
            amount=Decimal("30"),
            currency="GEL",
            category=self.home_category("cafe"),
            date=date(2026, 11, 4),
            source="web",
        )
        ExchangeRate.objects.create(date=date(2026, 11, 1), base="EUR", quote="RUB", rate=100)
        balances = self.balances(currency="rub", on=date(2026, 11, 5))
        self.assertEqual(balances.currency, "RUB")
        self.assertEqual(balances.unconverted, ("GEL",))
        self.assertEqual([(m.base, m.quote) for m in balances.missing_rates], [("GEL", "RUB")])
        rub = {b.name: b.balance for b in balances.balances if b.currency == "RUB"}
        # The EUR balances (-3.34, +6.67, -3.33: shares of whole cents) at 100 roubles.
        self.assertEqual(
            rub,
            {
                "alice": Decimal("200.00") - Decimal("334.00"),
                "carol": Decimal("-100.00") + Decimal("667.00"),
                "dave": Decimal("-100.00") - Decimal("333.00"),
            },
        )
        self.assertEqual(sum(rub.values()), 0)
        self.assertIn("GEL", {b.currency for b in balances.balances})
        with self.assertRaises(ValidationError):
            self.balances(currency="XXQ")

    def test_converted_balances_still_sum_to_zero(self) -> None:
        for payer, amount in ((self.alice, "10"), (self.carol, "7"), (self.alice, "1")):
            transaction_create(
                user=payer,
                ledger=self.home,
                kind="expense",
                amount=Decimal(amount),
                currency="USD",
                category=self.home_category("cafe"),
                date=date(2026, 11, 4),
                source="web",
            )
        ExchangeRate.objects.create(
            date=date(2026, 11, 1), base="USD", quote="RUB", rate=Decimal("91.3377")
        )
        balances = self.balances(currency="RUB")
        self.assertEqual(sum(b.balance for b in balances.balances), 0)
        self.assertEqual(balances.unconverted, ())

    def test_a_settlement_is_not_spending(self) -> None:
        self.spend(self.alice, "300")
        BudgetItem.objects.create(
            ledger=self.home,
            month=NOVEMBER,
            category=self.home_category("cafe"),
            planned_amount=Decimal(250),
            currency="RUB",
        )
        self.settle(self.carol, self.alice, "100", date=date(2026, 11, 5))
        summary = monthly_summary(user=self.alice, ledger=self.home, month=NOVEMBER)
        self.assertEqual(summary.expense, Decimal("300.00"))
        self.assertEqual(summary.income, Decimal(0))
        self.assertEqual([line.spent for line in summary.categories], [Decimal("300.00")])
        totals = monthly_totals(user=self.alice, ledger=self.home, last_month=NOVEMBER, months=1)
        self.assertEqual((totals[0].expense, totals[0].income), (Decimal("300.00"), Decimal(0)))

    def test_the_summary_shows_each_members_share(self) -> None:
        self.spend(self.alice, "300")
        self.spend(self.carol, "90")
        summary = monthly_summary(user=self.alice, ledger=self.home, month=NOVEMBER)
        self.assertEqual(
            {m.name: (m.expense, m.share) for m in summary.members},
            {
                "alice": (Decimal("300.00"), Decimal("130.00")),
                "carol": (Decimal("90.00"), Decimal("130.00")),
                "dave": (Decimal(0), Decimal("130.00")),
            },
        )

    def test_the_summarys_share_is_converted_as_spending_is(self) -> None:
        transaction_create(
            user=self.alice,
            ledger=self.home,
            kind="expense",
            amount=Decimal("10"),
            currency="EUR",
            category=self.home_category("cafe"),
            date=date(2026, 11, 4),
            source="web",
        )
        ExchangeRate.objects.create(date=date(2026, 11, 1), base="EUR", quote="RUB", rate=100)
        summary = monthly_summary(user=self.alice, ledger=self.home, month=NOVEMBER)
        self.assertEqual(
            {m.name: m.share for m in summary.members},
            # Each share of 10 EUR (3.34, 3.33, 3.33) at 100 roubles.
            {"alice": Decimal("334.00"), "carol": Decimal("333.00"), "dave": Decimal("333.00")},
        )


class ImportedExpensesTestCase(BalancesBase):
    def test_a_files_expenses_are_split_by_the_default_and_its_incomes_not(self) -> None:
        csv = (
            b"date,amount,currency,note\n"
            b"2026-11-24,-100.00,RUB,groceries\n"
            b"2026-11-25,-50.00,RUB,coffee\n"
            b"2026-11-25,900.00,RUB,salary\n"
        )
        table = imports.read_table(csv)
        options = imports.Options(mapping=imports.guess_mapping(table.header))
        ledger_activate(user=self.carol, ledger=self.home, source="web")
        self.carol.refresh_from_db()
        imports.transactions_import(user=self.carol, table=table, options=options)
        rows = Transaction.objects.filter(ledger=self.home).order_by("amount")
        self.assertEqual(
            [(tx.kind, Share.objects.filter(split_id=tx.pk).count()) for tx in rows],
            [("expense", 3), ("expense", 3), ("income", 0)],
        )
        # 150 paid by carol; 100 is 33.34 + 33.33 + 33.33 and 50 is 16.67 + 16.67 + 16.66,
        # the odd kopecks to the members listed first (alice, then carol).
        self.assertEqual(
            figures(self.balances()),
            {("alice", "RUB"): "-50.01", ("carol", "RUB"): "100.00", ("dave", "RUB"): "-49.99"},
        )
        self.assertEqual(AuditLog.objects.get(action="transactions.import").details["split"], 2)

    def test_a_personal_ledgers_file_is_not_split(self) -> None:
        table = imports.read_table(b"date,amount,currency,note\n2026-11-24,-100.00,RUB,bread\n")
        options = imports.Options(mapping=imports.guess_mapping(table.header))
        imports.transactions_import(user=self.carol, table=table, options=options)
        self.assertEqual(Transaction.objects.filter(created_by=self.carol).count(), 1)
        self.assertFalse(Share.objects.exists())


class SettlementRulesTestCase(BalancesBase):
    def test_a_member_records_only_what_they_paid_or_received(self) -> None:
        self.spend(self.alice, "300")
        self.settle(self.carol, self.alice, "10")  # paid
        self.settle(self.alice, self.carol, "5", user=self.carol)  # received
        with self.assertRaises(access.LedgerForbidden) as caught:
            self.settle(self.alice, self.dave, "10", user=self.carol)
        self.assertEqual(caught.exception.code, "settlement_not_party")
        # An owner or a manager records any.
        self.settle(self.dave, self.carol, "10", user=self.alice)
        self.assertEqual(Settlement.objects.count(), 3)

    def test_a_read_only_member_and_a_stranger_record_nothing(self) -> None:
        with self.assertRaises(access.LedgerForbidden):
            self.settle(self.dave, self.alice, "10")
        with self.assertRaises(access.LedgerNotFound):
            self.settle(self.bob, self.alice, "10")
        self.assertFalse(Settlement.objects.exists())

    def test_it_refuses_bad_settlements(self) -> None:
        cases = {
            "settlement_same_person": (self.alice, self.alice, "10"),
            "settlement_unknown_person": (self.alice, self.bob, "10"),
            "amount_out_of_range": (self.alice, self.carol, "0"),
            "amount_precision": (self.alice, self.carol, "0.001"),
        }
        for code, (payer, payee, amount) in cases.items():
            with self.subTest(code), self.assertRaises(ValidationError) as caught:
                self.settle(payer, payee, amount)
            self.assertEqual(caught.exception.error_list[0].code, code)
        with self.assertRaises(ValidationError) as caught:
            self.settle(self.alice, self.carol, "10.50", currency="JPY")
        self.assertEqual(caught.exception.error_list[0].code, "amount_precision")
        self.assertFalse(Settlement.objects.exists())

    def test_a_personal_ledger_has_nobody_to_settle_with(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            settlement_create(
                user=self.alice,
                from_user_id=self.alice.pk,
                to_user_id=self.carol.pk,
                amount=Decimal(1),
                source="web",
            )
        self.assertEqual(caught.exception.error_list[0].code, "settlement_personal_ledger")

    def test_only_the_people_the_recorder_or_a_manager_undo_one(self) -> None:
        settlement = self.settle(self.alice, self.dave, "10")
        Settlement.objects.filter(pk=settlement.pk).update(created_by=self.alice)
        self.home.members.filter(user=self.dave).update(role="member")
        with self.assertRaises(access.LedgerForbidden):
            settlement_delete(user=self.carol, settlement=settlement, source="web")
        self.assertTrue(settlement_delete(user=self.dave, settlement=settlement, source="web"))


class FormerMembersTestCase(BalancesBase):
    def test_a_member_who_left_keeps_their_balance_for_the_others(self) -> None:
        self.spend(self.alice, "300")
        member_remove(user=self.carol, ledger=self.home, member_user=self.carol, source="web")
        balances = ledger_balances(user=self.alice, ledger=self.home)
        carol = [b for b in balances.balances if b.name == "carol"]
        self.assertEqual([(str(b.balance), b.member) for b in carol], [("-100.00", False)])
        self.assertIn(("carol", "alice", "100.00", "RUB"), transfers(balances))
        # And the debt can still be paid back.
        self.settle(self.carol, self.alice, "100", user=self.alice)
        after = ledger_balances(user=self.alice, ledger=self.home)
        self.assertEqual(figures(after)[("carol", "RUB")], "0.00")
        with self.assertRaises(access.LedgerNotFound):
            ledger_balances(user=self.carol, ledger=self.home)

    def test_a_deleted_accounts_part_stays_and_the_balances_still_sum_to_zero(self) -> None:
        self.spend(self.alice, "300")
        self.spend(self.carol, "90")
        member_remove(user=self.alice, ledger=self.home, member_user=self.dave, source="web")
        self.dave.delete()
        self.assertEqual(Share.objects.filter(user__isnull=True).count(), 2)
        # The name is said in the language active (the reader's), whatever ran before.
        with translation.override("en"):
            balances = ledger_balances(user=self.alice, ledger=self.home)
        self.assertEqual(sum(b.balance for b in balances.balances), 0)
        self.assertIn(("deleted account", "RUB"), figures(balances))
