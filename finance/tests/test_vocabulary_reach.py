"""The shipped vocabulary reaches every user, existing ones too, and never beats their own words."""

from datetime import UTC, datetime

import time_machine

from botapi.results import transaction_data
from config.testing import BaseTestCase
from finance.models import Category, CategoryAlias, Kind, Transaction
from finance.services.categories import category_archive, category_create, category_update
from finance.services.text import record_from_text
from finance.services.transactions import transaction_update


@time_machine.travel(datetime(2026, 11, 24, 9, 0, tzinfo=UTC), tick=False)
class VocabularyReachTestCase(BaseTestCase):
    def record(self, text: str, kind: str = Kind.EXPENSE, **kwargs: object) -> Transaction:
        return record_from_text(
            user=self.alice,
            kind=kind,
            text=text,
            source="web",
            **kwargs,  # type: ignore[arg-type]
        )

    def move(self, tx: Transaction, slug: str) -> Transaction:
        user = tx.created_by
        assert user is not None  # recorded by a person who still has an account
        category = self.category(user, slug)
        return transaction_update(tx=tx, user=user, category=category, source="web")

    def test_users_with_keywords_from_before_get_it_without_a_migration(self) -> None:
        # A user created before the vocabulary holds only the old default keywords, or,
        # like this one, none at all: the vocabulary goes by the category's slug.
        for category in Category.objects.filter(ledger__personal_for=self.alice):
            category_update(category=category, user=self.alice, aliases=[], source="web")
        self.assertEqual(self.record("Koton 900 tl").category.slug, "clothing")
        self.assertEqual(self.record("кроссовки 5000").category.slug, "clothing")
        self.assertEqual(self.record("upwork 850 usd", Kind.INCOME).category.slug, "freelance")
        self.assertFalse(
            CategoryAlias.objects.filter(category__ledger__personal_for=self.alice).exists()
        )

    def test_a_correction_beats_the_vocabulary(self) -> None:
        self.move(self.record("Koton 900 tl"), "gifts")
        self.assertEqual(self.record("Koton 500 tl").category.slug, "gifts")
        self.move(self.record("такси в аэропорт 1500"), "travel")
        self.assertEqual(self.record("такси в аэропорт 1700").category.slug, "travel")
        # Only for that person.
        other = record_from_text(
            user=self.bob, kind=Kind.EXPENSE, text="Koton 500 tl", source="web"
        )
        self.assertEqual(other.category.slug, "clothing")

    def test_a_persons_own_category_beats_the_vocabulary(self) -> None:
        mine = category_create(
            user=self.alice, kind=Kind.EXPENSE, name="Кофе с собой", aliases=["латте"], source="web"
        )
        self.assertEqual(self.record("латте 300").category, mine)
        self.assertEqual(self.record("капучино 300").category.slug, "cafe")

    def test_an_archived_category_takes_its_vocabulary_with_it(self) -> None:
        category_archive(category=self.category(self.alice, "pets"), user=self.alice, source="web")
        tx = self.record("корм для кота 500")
        self.assertEqual(tx.category.slug, "other")
        self.assertFalse(tx.category_guessed)


@time_machine.travel(datetime(2026, 11, 24, 9, 0, tzinfo=UTC), tick=False)
class CategoryGuessedPresentedTestCase(BaseTestCase):
    def record(self, text: str, *, dry_run: bool = False) -> Transaction:
        return record_from_text(
            user=self.alice, kind=Kind.EXPENSE, text=text, source="bot", dry_run=dry_run
        )

    def test_a_transaction_read_from_text_says_whether_the_category_was_guessed(self) -> None:
        self.assertIs(transaction_data(self.record("кофе 250"))["category_guessed"], True)
        unknown = transaction_data(self.record("qwerty 250"))
        self.assertEqual(unknown["category"]["slug"], "other")
        self.assertIs(unknown["category_guessed"], False)
        dry = transaction_data(self.record("250", dry_run=True))
        self.assertEqual((dry["id"], dry["category_guessed"]), (None, False))

    def test_a_category_the_caller_named_is_not_called_guessed(self) -> None:
        gifts = self.category(self.alice, "gifts")
        tx = record_from_text(
            user=self.alice, kind=Kind.EXPENSE, text="qwerty 250", category=gifts, source="bot"
        )
        self.assertEqual(tx.category, gifts)
        self.assertNotIn("category_guessed", transaction_data(tx))

    def test_a_stored_transaction_carries_no_such_claim(self) -> None:
        tx = Transaction.objects.get(pk=self.record("qwerty 250").pk)
        self.assertNotIn("category_guessed", transaction_data(tx))
