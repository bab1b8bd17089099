"""Splitting an expense of a shared ledger: equally (the default), by shares, by exact
amounts, the ledger's default, words in the text; shares in minor units adding up."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError

from audit.models import AuditLog
from finance.models import Share, Split, SplitDefault, Transaction
from finance.selectors.splits import default_split, split_view
from finance.services.splits import SplitMember, SplitRequest, split_default_set
from finance.services.text import record_from_text
from finance.services.transactions import transaction_create, transaction_update
from ledgers import access
from ledgers.models import Membership
from ledgers.services import member_remove
from ledgers.tests.household import HouseholdTestCase

EQUAL = Split.Mode.EQUAL
SHARES = Split.Mode.SHARES
AMOUNTS = Split.Mode.AMOUNTS


class SplitTestCase(HouseholdTestCase):
    def shares(self, tx: Transaction) -> dict[str | None, int]:
        rows = Share.objects.filter(split_id=tx.pk).select_related("user")
        return {s.user.username if s.user else None: s.amount_minor for s in rows}

    def expense(
        self, amount: str, *, split: SplitRequest | None = None, **kwargs: object
    ) -> Transaction:
        fields: dict[str, object] = {
            "user": self.alice,
            "ledger": self.home,
            "kind": "expense",
            "amount": Decimal(amount),
            "currency": "RUB",
            "category": self.home_category("cafe"),
            "date": date(2026, 11, 3),
            "source": "web",
            "split": split,
            **kwargs,
        }
        return transaction_create(**fields)  # type: ignore[arg-type]


class SplittingTestCase(SplitTestCase):
    def test_an_expense_is_split_equally_among_all_members_by_default(self) -> None:
        tx = self.expense("100.00")
        # Three members, the read-only one too; the kopeck left over goes to the first.
        self.assertEqual(self.shares(tx), {"alice": 3334, "carol": 3333, "dave": 3333})
        self.assertEqual(Split.objects.get(pk=tx.pk).mode, EQUAL)
        audit = AuditLog.objects.get(action="transaction.create", object_id=str(tx.pk))
        self.assertEqual(audit.details["split"]["mode"], "equal")

    def test_it_splits_by_shares(self) -> None:
        request = SplitRequest(
            SHARES,
            (SplitMember(self.alice.pk, Decimal(60)), SplitMember(self.carol.pk, Decimal(40))),
        )
        tx = self.expense("1000.01", split=request)
        self.assertEqual(self.shares(tx), {"alice": 60001, "carol": 40000})
        view = split_view(tx)
        assert view is not None
        self.assertEqual(
            [(s.name, s.weight, s.amount) for s in view.shares],
            [
                ("alice", Decimal(60), Decimal("600.01")),
                ("carol", Decimal(40), Decimal("400.00")),
            ],
        )

    def test_it_splits_by_exact_amounts(self) -> None:
        request = SplitRequest(
            AMOUNTS,
            (
                SplitMember(self.carol.pk, Decimal("700.50")),
                SplitMember(self.dave.pk, Decimal("299.50")),
                SplitMember(self.alice.pk, Decimal(0)),
            ),
        )
        tx = self.expense("1000", split=request)
        self.assertEqual(self.shares(tx), {"carol": 70050, "dave": 29950})

    def test_amounts_that_do_not_add_up_are_refused_and_nothing_is_written(self) -> None:
        request = SplitRequest(
            AMOUNTS,
            (SplitMember(self.carol.pk, Decimal(700)), SplitMember(self.dave.pk, Decimal(200))),
        )
        with self.assertRaises(ValidationError) as caught:
            self.expense("1000", split=request)
        self.assertEqual(caught.exception.error_list[0].code, "split_amounts_mismatch")
        self.assertFalse(Transaction.objects.filter(ledger=self.home).exists())

    def test_it_refuses_a_stranger_a_repeat_and_an_empty_split(self) -> None:
        cases = {
            "split_not_member": SplitRequest(EQUAL, (SplitMember(self.bob.pk),)),
            "split_member_repeated": SplitRequest(
                EQUAL, (SplitMember(self.carol.pk), SplitMember(self.carol.pk))
            ),
            "split_empty": SplitRequest(SHARES, (SplitMember(self.carol.pk, Decimal(0)),)),
            "split_share_missing": SplitRequest(SHARES, (SplitMember(self.carol.pk),)),
            "split_share_invalid": SplitRequest(
                SHARES, (SplitMember(self.carol.pk, Decimal("0.00001")),)
            ),
            "split_amount_precision": SplitRequest(
                AMOUNTS, (SplitMember(self.carol.pk, Decimal("99.999")),)
            ),
        }
        for code, request in cases.items():
            with self.subTest(code), self.assertRaises(ValidationError) as caught:
                self.expense("100", split=request)
            self.assertEqual(caught.exception.error_list[0].code, code)
        self.assertFalse(Transaction.objects.filter(ledger=self.home).exists())

    def test_a_personal_ledger_never_splits(self) -> None:
        personal = self.ledger(self.alice)
        tx = self.expense("100", ledger=personal, category=self.category(self.alice, "cafe"))
        self.assertFalse(Split.objects.filter(pk=tx.pk).exists())
        with self.assertRaises(ValidationError) as caught:
            self.expense(
                "100",
                ledger=personal,
                category=self.category(self.alice, "cafe"),
                split=SplitRequest(EQUAL),
            )
        self.assertEqual(caught.exception.error_list[0].code, "split_personal_ledger")

    def test_an_income_is_not_split(self) -> None:
        tx = self.expense("100", kind="income", category=self.home_category("salary"))
        self.assertFalse(Split.objects.filter(pk=tx.pk).exists())

    def test_a_minor_unit_is_the_currencys(self) -> None:
        tx = self.expense("100", currency="JPY")
        self.assertEqual(self.shares(tx), {"alice": 34, "carol": 33, "dave": 33})

    def test_a_dry_run_checks_the_split_and_writes_nothing(self) -> None:
        with self.assertRaises(ValidationError):
            self.expense(
                "100", dry_run=True, split=SplitRequest(EQUAL, (SplitMember(self.bob.pk),))
            )
        self.expense("100", dry_run=True)
        self.assertFalse(Split.objects.exists())


class DefaultSplitTestCase(SplitTestCase):
    def test_a_manager_sets_the_default_weights(self) -> None:
        split_default_set(
            user=self.alice,
            ledger=self.home,
            weights=[(self.alice.pk, Decimal(60)), (self.carol.pk, Decimal(40))],
            source="web",
        )
        tx = self.expense("250")
        self.assertEqual(self.shares(tx), {"alice": 15000, "carol": 10000})
        self.assertEqual(
            [(d.name, d.weight) for d in default_split(ledger=self.home)],
            [("alice", Decimal(60)), ("carol", Decimal(40)), ("dave", None)],
        )
        # An explicit split still wins.
        tx = self.expense("90", split=SplitRequest(EQUAL))
        self.assertEqual(self.shares(tx), {"alice": 3000, "carol": 3000, "dave": 3000})

    def test_only_a_manager_sets_it(self) -> None:
        with self.assertRaises(access.LedgerForbidden):
            split_default_set(
                user=self.carol,
                ledger=self.home,
                weights=[(self.carol.pk, Decimal(1))],
                source="web",
            )

    def test_no_weight_left_makes_it_equal_again(self) -> None:
        split_default_set(
            user=self.alice, ledger=self.home, weights=[(self.carol.pk, Decimal(1))], source="web"
        )
        self.assertEqual(self.shares(self.expense("10")), {"carol": 1000})
        member_remove(user=self.alice, ledger=self.home, member_user=self.carol, source="web")
        # Carol's weight is still stored, but she is no member: equal among those who are.
        self.assertTrue(SplitDefault.objects.filter(ledger=self.home).exists())
        self.assertEqual(self.shares(self.expense("10")), {"alice": 500, "dave": 500})
        split_default_set(user=self.alice, ledger=self.home, weights=[], source="web")
        self.assertFalse(SplitDefault.objects.filter(ledger=self.home).exists())


class ChangingSplitTestCase(SplitTestCase):
    def test_a_new_amount_is_shared_as_the_old_one_was(self) -> None:
        request = SplitRequest(
            SHARES,
            (SplitMember(self.alice.pk, Decimal(2)), SplitMember(self.carol.pk, Decimal(1))),
        )
        tx = self.expense("300", split=request)
        transaction_update(tx=tx, user=self.carol, amount=Decimal("100"), source="web")
        self.assertEqual(self.shares(tx), {"alice": 6667, "carol": 3333})
        transaction_update(tx=tx, user=self.carol, currency="JPY", source="web")
        self.assertEqual(self.shares(tx), {"alice": 67, "carol": 33})

    def test_exact_amounts_follow_a_new_amount_in_proportion(self) -> None:
        request = SplitRequest(
            AMOUNTS,
            (SplitMember(self.alice.pk, Decimal(75)), SplitMember(self.carol.pk, Decimal(25))),
        )
        tx = self.expense("100", split=request)
        transaction_update(tx=tx, user=self.alice, amount=Decimal("200"), source="web")
        self.assertEqual(self.shares(tx), {"alice": 15000, "carol": 5000})
        self.assertEqual(Split.objects.get(pk=tx.pk).mode, SHARES)

    def test_a_member_splits_it_anew_and_it_is_audited(self) -> None:
        tx = self.expense("100")
        transaction_update(
            tx=tx,
            user=self.carol,
            split=SplitRequest(EQUAL, (SplitMember(self.carol.pk),)),
            source="api",
        )
        self.assertEqual(self.shares(tx), {"carol": 10000})
        audit = AuditLog.objects.get(action="transaction.update", object_id=str(tx.pk))
        self.assertEqual(
            audit.details["split"], {"mode": "equal", "shares": {str(self.carol.pk): 10000}}
        )

    def test_a_read_only_member_is_in_splits_but_cannot_change_one(self) -> None:
        tx = self.expense("100")
        self.assertIn("dave", self.shares(tx))
        with self.assertRaises(access.LedgerForbidden):
            transaction_update(
                tx=tx,
                user=self.dave,
                split=SplitRequest(EQUAL, (SplitMember(self.dave.pk),)),
                source="web",
            )
        self.assertEqual(len(self.shares(tx)), 3)

    def test_a_former_members_share_stays_when_the_amount_changes(self) -> None:
        tx = self.expense("90")
        member_remove(user=self.carol, ledger=self.home, member_user=self.carol, source="web")
        transaction_update(tx=tx, user=self.alice, amount=Decimal(30), source="web")
        self.assertEqual(self.shares(tx), {"alice": 1000, "carol": 1000, "dave": 1000})
        self.assertFalse(Membership.objects.filter(ledger=self.home, user=self.carol).exists())


class SplitWordsTestCase(SplitTestCase):
    def say(self, text: str, user: object = None) -> Transaction:
        return record_from_text(
            user=user or self.alice,  # type: ignore[arg-type]
            ledger=self.home,
            kind="expense",
            text=text,
            source="telegram",
        )

    def test_words_say_who_shares_it(self) -> None:
        cases = {
            "пицца 900 за всех": {"alice": 30000, "carol": 30000, "dave": 30000},
            "кофе 300 пополам с carol": {"alice": 15000, "carol": 15000},
            "такси 300 за меня и Dave": {"alice": 15000, "dave": 15000},
            "taxi 300 for carol": {"carol": 30000},
            "dinner 300 split with carol and dave": {"alice": 10000, "carol": 10000, "dave": 10000},
        }
        for text, expected in cases.items():
            with self.subTest(text):
                tx = self.say(text)
                self.assertEqual(self.shares(tx), expected)
                self.assertEqual(tx.text, text)  # the text as written is kept
                self.assertEqual(tx.amount, Decimal(next(w for w in text.split() if w.isdigit())))

    def test_the_words_are_not_the_note(self) -> None:
        tx = self.say("кофе 300 пополам с carol")
        self.assertEqual(tx.note, "кофе")
        self.assertEqual(tx.category.slug, "cafe")

    def test_a_first_name_in_any_form_names_a_member(self) -> None:
        type(self.carol).objects.filter(pk=self.carol.pk).update(first_name="Маша")
        tx = self.say("такси 300 за меня и Машу")
        self.assertEqual(self.shares(tx), {"alice": 15000, "carol": 15000})
        tx = self.say("ужин 200 пополам с Машей")
        self.assertEqual(self.shares(tx), {"alice": 10000, "carol": 10000})

    def test_halves_with_nobody_named_among_three_asks_with_whom(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.say("кофе 300 пополам")
        self.assertEqual(caught.exception.error_dict["text"][0].code, "split_who")
        self.assertFalse(Transaction.objects.filter(ledger=self.home).exists())

    def test_halves_between_two_members_needs_no_name(self) -> None:
        member_remove(user=self.alice, ledger=self.home, member_user=self.dave, source="web")
        tx = self.say("ужин 3000 на двоих")
        self.assertEqual(self.shares(tx), {"alice": 150000, "carol": 150000})

    def test_words_that_name_nobody_are_left_to_the_parser(self) -> None:
        tx = self.say("штраф за парковку 500")
        self.assertEqual(self.shares(tx), {"alice": 16667, "carol": 16667, "dave": 16666})
        self.assertIn("парковку", tx.note)

    def test_a_personal_ledger_reads_no_split_words(self) -> None:
        tx = record_from_text(
            user=self.alice, kind="expense", text="кофе 300 пополам", source="telegram"
        )
        self.assertFalse(Split.objects.filter(pk=tx.pk).exists())
