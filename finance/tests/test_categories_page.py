from audit.models import AuditLog
from config.testing import BaseTestCase
from finance.models import Category


class CategoriesPageTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.alice)

    def test_it_lists_only_the_users_categories(self) -> None:
        response = self.client.get("/categories/")
        ledgers = {c.ledger_id for c in response.context["categories"]}
        self.assertEqual(ledgers, {self.ledger(self.alice).pk})

    def test_it_adds_a_category_with_keywords(self) -> None:
        response = self.client.post(
            "/categories/", {"kind": "expense", "name": "Кофе", "aliases": "латте, Капучино"}
        )
        self.assertRedirects(response, "/categories/")
        category = Category.objects.get(ledger__personal_for=self.alice, name="Кофе")
        words = set(category.aliases.values_list("word", flat=True))
        self.assertEqual(words, {"кофе", "латте", "капучино"})
        self.assertEqual(AuditLog.objects.get(action="category.create").source, "web")

    def test_a_taken_name_is_a_form_error(self) -> None:
        response = self.client.post("/categories/", {"kind": "expense", "name": "продукты"})
        self.assertEqual(
            response.context["form"].errors.as_data()["name"][0].code, "category_name_taken"
        )

    def test_it_renames_and_replaces_keywords(self) -> None:
        cafe = self.category(self.alice, "cafe")
        response = self.client.post(
            f"/categories/{cafe.pk}/", {"name": "Кофейни", "aliases": "кофе\nраф"}
        )
        self.assertRedirects(response, "/categories/")
        cafe.refresh_from_db()
        self.assertEqual(cafe.name, "Кофейни")
        self.assertEqual(set(cafe.aliases.values_list("word", flat=True)), {"кофе", "раф"})

    def test_archive_and_restore(self) -> None:
        gifts = self.category(self.alice, "gifts")
        self.client.post(f"/categories/{gifts.pk}/archive/", {"archived": "1"})
        gifts.refresh_from_db()
        self.assertTrue(gifts.is_archived)
        self.client.post(f"/categories/{gifts.pk}/archive/", {"archived": "0"})
        gifts.refresh_from_db()
        self.assertFalse(gifts.is_archived)
        actions = set(AuditLog.objects.values_list("action", flat=True))
        self.assertTrue({"category.archive", "category.restore"} <= actions)

    def test_the_fallback_category_cannot_be_archived(self) -> None:
        other = self.category(self.alice, "other")
        response = self.client.post(f"/categories/{other.pk}/archive/", follow=True)
        self.assertContains(response, "нераспознанные")
        other.refresh_from_db()
        self.assertFalse(other.is_archived)

    def test_another_users_category_is_a_404(self) -> None:
        bobs = self.category(self.bob, "cafe")
        self.assertEqual(self.client.get(f"/categories/{bobs.pk}/").status_code, 404)
        response = self.client.post(f"/categories/{bobs.pk}/", {"name": "mine now"})
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.client.post(f"/categories/{bobs.pk}/archive/").status_code, 404)
        bobs.refresh_from_db()
        self.assertEqual((bobs.name, bobs.is_archived), ("Cafes & restaurants", False))
