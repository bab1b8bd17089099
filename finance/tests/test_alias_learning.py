from datetime import UTC, datetime

import time_machine

from audit.models import AuditLog
from config.testing import BaseTestCase
from finance.models import CategoryAlias, Kind, Transaction
from finance.services.text import record_from_text
from finance.services.transactions import transaction_update


@time_machine.travel(datetime(2026, 11, 24, 9, 0, tzinfo=UTC), tick=False)
class AliasLearningTestCase(BaseTestCase):
    def record(self, text: str, user_name: str = "alice", kind: str = Kind.EXPENSE) -> Transaction:
        user = self.alice if user_name == "alice" else self.bob
        return record_from_text(user=user, kind=kind, text=text, source="web")

    def move(self, tx: Transaction, slug: str) -> Transaction:
        user = tx.created_by
        assert user is not None  # recorded by a person who still has an account
        category = self.category(user, slug)
        return transaction_update(tx=tx, user=user, category=category, source="web")

    def words(self, user_name: str, slug: str) -> set[str]:
        user = self.alice if user_name == "alice" else self.bob
        return set(self.category(user, slug).aliases.values_list("word", flat=True))

    def test_it_learns_from_a_correction(self) -> None:
        self.move(self.record("кофе 250"), "groceries")
        self.assertEqual(self.record("кофе 300").category.slug, "groceries")
        self.assertEqual(self.record("2 кофе 500").category.slug, "groceries")
        learned = CategoryAlias.objects.get(
            category=self.category(self.alice, "groceries"), word="кофе"
        )
        self.assertEqual(learned.source, CategoryAlias.Source.LEARNED)
        self.assertNotIn("кофе", self.words("alice", "cafe"))

    def test_it_learns_for_that_person_only(self) -> None:
        self.move(self.record("кофе 250"), "groceries")
        self.assertEqual(self.record("кофе 300", "bob").category.slug, "cafe")
        self.assertIn("кофе", self.words("bob", "cafe"))
        self.assertNotIn("кофе", self.words("bob", "groceries"))

    def test_it_learns_word_forms_and_phrases(self) -> None:
        self.move(self.record("ремонт квартиры 15 000"), "housing")
        self.assertEqual(self.record("ремонт квартиры 9000").category.slug, "housing")
        self.assertEqual(self.record("ремонт 9000").category.slug, "housing")
        self.assertTrue({"ремонт", "квартира", "ремонт квартиры"} <= self.words("alice", "housing"))
        self.assertFalse({"ремонт", "ремонт квартиры"} & self.words("alice", "home"))

    def test_it_learns_only_meaningful_words(self) -> None:
        self.move(self.record("за такси в аэропорт 2 шт 1200 вчера"), "travel")
        learned = set(
            CategoryAlias.objects.filter(source=CategoryAlias.Source.LEARNED).values_list(
                "word", flat=True
            )
        )
        self.assertEqual(learned, {"такси", "аэропорт", "такси аэропорт"})

    def test_it_leaves_the_other_kind_alone(self) -> None:
        self.move(self.record("подарок 3000"), "other")
        self.assertIn("подарок", self.words("alice", "gifts_received"))
        self.assertEqual(
            self.record("подарок 500", kind=Kind.INCOME).category.slug, "gifts_received"
        )

    def test_it_learns_nothing_without_a_new_category(self) -> None:
        tx = self.record("кофе 250")
        transaction_update(
            user=tx.created_by, tx=tx, note="кофе с собой", category=tx.category, source="web"
        )
        self.assertFalse(CategoryAlias.objects.filter(source=CategoryAlias.Source.LEARNED).exists())

    def test_it_audits_what_it_learned(self) -> None:
        self.move(self.record("кофе 250"), "groceries")
        audit = AuditLog.objects.get(action="transaction.update")
        self.assertEqual(audit.details["category"], ["cafe", "groceries"])
        self.assertEqual(audit.details["learned_aliases"], ["кофе"])
