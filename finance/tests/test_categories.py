from unittest import mock

from django.core.exceptions import ValidationError

from accounts.services import user_update_settings
from audit.models import AuditLog
from config.testing import BaseTestCase
from finance.defaults import DEFAULT_CATEGORIES
from finance.models import Category, CategoryAlias
from finance.selectors.categories import category_list
from finance.services import categories as category_services
from finance.services.categories import category_archive, category_create, category_update


class DefaultCategoriesTestCase(BaseTestCase):
    def test_every_new_user_gets_the_defaults_in_their_language(self) -> None:
        slugs = {d.slug for d in DEFAULT_CATEGORIES}
        for user in (self.alice, self.bob):
            self.assertEqual(
                set(
                    Category.objects.filter(ledger__personal_for=user).values_list(
                        "slug", flat=True
                    )
                ),
                slugs,
            )
        self.assertEqual(self.category(self.alice, "cafe").name, "Кафе и рестораны")
        self.assertEqual(self.category(self.bob, "cafe").name, "Cafes & restaurants")

    def test_defaults_carry_both_names_and_keywords_as_aliases(self) -> None:
        words = set(self.category(self.bob, "cafe").aliases.values_list("word", flat=True))
        self.assertTrue({"кафе и рестораны", "cafes & restaurants", "кофе", "coffee"} <= words)
        self.assertEqual(
            set(
                CategoryAlias.objects.filter(category__ledger__personal_for=self.bob).values_list(
                    "source", flat=True
                )
            ),
            {"default"},
        )


class TranslateDefaultsTestCase(BaseTestCase):
    def test_switching_language_renames_the_defaults_not_renamed_by_hand(self) -> None:
        category_update(
            user=self.alice,
            category=self.category(self.alice, "cafe"),
            name="Кофейни",
            source="web",
        )
        category_create(user=self.alice, kind="expense", name="Car", source="web")
        user_update_settings(
            user=self.alice,
            default_currency="RUB",
            timezone_name="Europe/Moscow",
            language="en",
            source="web",
        )
        self.assertEqual(self.category(self.alice, "groceries").name, "Groceries")
        self.assertEqual(self.category(self.alice, "gifts_received").name, "Gifts received")
        self.assertEqual(self.category(self.alice, "cafe").name, "Кофейни")  # renamed by hand
        self.assertEqual(self.category(self.alice, "car").name, "Авто")  # "Car" is taken
        self.assertIn(
            "продукты",
            self.category(self.alice, "groceries").aliases.values_list("word", flat=True),
        )
        self.assertEqual(self.category(self.bob, "groceries").name, "Groceries")  # untouched


class CategoryServicesTestCase(BaseTestCase):
    def test_create_rename_and_archive(self) -> None:
        cat = category_create(
            user=self.alice, kind="expense", name="Кошка  Мурка", aliases=["Вискас"], source="web"
        )
        self.assertEqual((cat.name, cat.slug), ("Кошка Мурка", "кошка-мурка"))
        self.assertEqual(set(cat.aliases.values_list("word", flat=True)), {"кошка мурка", "вискас"})

        category_update(
            user=self.alice, category=cat, name="Мурка", aliases=["вискас", "корм"], source="web"
        )
        cat.refresh_from_db()
        self.assertEqual(cat.name, "Мурка")
        self.assertEqual(cat.slug, "кошка-мурка")  # slugs are stable identifiers
        self.assertEqual(set(cat.aliases.values_list("word", flat=True)), {"вискас", "корм"})

        category_archive(user=self.alice, category=cat, source="web")
        self.assertNotIn(cat, category_list(user=self.alice))
        self.assertIn(cat, category_list(user=self.alice, include_archived=True))
        self.assertEqual(
            list(
                AuditLog.objects.filter(object_id=str(cat.pk))
                .values_list("action", flat=True)
                .order_by("id")
            ),
            ["category.create", "category.update", "category.archive"],
        )

    def test_names_are_unique_per_user_and_kind(self) -> None:
        with self.assertRaises(ValidationError) as cm:
            category_create(user=self.alice, kind="expense", name="кафе И рестораны", source="web")
        self.assertEqual(cm.exception.code, "category_name_taken")
        # The same name is free for an income category, and for another user.
        category_create(user=self.alice, kind="income", name="Кафе и рестораны", source="web")
        category_create(user=self.bob, kind="expense", name="Кафе и рестораны", source="web")

    def test_a_twin_that_takes_the_name_first_is_a_validation_error(self) -> None:
        # Both checks passed for both requests; the database decides at the insert.
        with (
            mock.patch.object(
                category_services, "check_category_name_free", lambda **kw: kw["name"]
            ),
            mock.patch.object(Category, "full_clean"),
            self.assertRaises(ValidationError) as cm,
        ):
            category_create(user=self.alice, kind="expense", name="Продукты", source="web")
        self.assertEqual(cm.exception.code, "category_name_taken")
        self.assertEqual(
            Category.objects.filter(ledger__personal_for=self.alice, name="Продукты").count(), 1
        )

    def test_slugs_never_clash(self) -> None:
        a = category_create(user=self.alice, kind="expense", name="Other stuff", source="web")
        b = category_create(user=self.alice, kind="income", name="Other stuff", source="web")
        self.assertEqual((a.slug, b.slug), ("other-stuff", "other-stuff-2"))

    def test_the_fallback_categories_cannot_be_archived(self) -> None:
        for slug in ("other", "other_income"):
            with self.subTest(slug=slug), self.assertRaises(ValidationError) as cm:
                category_archive(
                    user=self.alice, category=self.category(self.alice, slug), source="web"
                )
            self.assertEqual(cm.exception.code, "category_fallback")

    def test_lists_are_per_user(self) -> None:
        mine = category_list(user=self.alice, kind="income")
        self.assertEqual({c.ledger_id for c in mine}, {self.ledger(self.alice).pk})
        self.assertEqual({c.kind for c in mine}, {"income"})
