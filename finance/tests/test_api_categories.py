from audit.models import AuditLog
from finance.models import Category
from finance.tests.apitest import ApiTestCase


class CategoriesApiTestCase(ApiTestCase):
    def test_list_filters_by_kind_and_hides_archived(self) -> None:
        gifts = self.category(self.alice, "gifts")
        gifts.is_archived = True
        gifts.save()
        body = self.api.get("/api/categories/", {"kind": "income", "page_size": "100"}).json()
        self.assertTrue(body["results"])
        self.assertEqual({c["kind"] for c in body["results"]}, {"income"})
        slugs = {
            c["slug"] for c in self.api.get("/api/categories/?page_size=100").json()["results"]
        }
        self.assertNotIn("gifts", slugs)
        slugs = {
            c["slug"]
            for c in self.api.get("/api/categories/?page_size=100&archived=true").json()["results"]
        }
        self.assertIn("gifts", slugs)

    def test_create_rename_and_archive(self) -> None:
        response = self.api.post(
            "/api/categories/",
            {"kind": "expense", "name": "Coffee", "aliases": ["Latte"]},
            format="json",
        )
        self.assertEqual(response.status_code, 201)
        body = response.json()
        self.assertEqual(body["aliases"], ["coffee", "latte"])
        url = f"/api/categories/{body['id']}/"
        response = self.api.patch(url, {"name": "Кофе", "is_archived": True}, format="json")
        self.assertEqual((response.json()["name"], response.json()["is_archived"]), ("Кофе", True))
        self.assertEqual(
            set(AuditLog.objects.filter(source="api").values_list("action", flat=True)),
            {"category.create", "category.update", "category.archive"},
        )
        self.assertEqual(self.api.delete(url).status_code, 405)

    def test_a_taken_name_and_the_fallback_are_refused(self) -> None:
        response = self.api.post(
            "/api/categories/", {"kind": "expense", "name": "продукты"}, format="json"
        )
        self.assertEqual(response.json()["details"][0]["code"], "category_name_taken")
        other = self.category(self.alice, "other")
        response = self.api.patch(
            f"/api/categories/{other.pk}/", {"is_archived": True}, format="json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Category.objects.get(pk=other.pk).is_archived)

    def test_a_refused_change_writes_none_of_its_parts(self) -> None:
        other = self.category(self.alice, "other")
        response = self.api.patch(
            f"/api/categories/{other.pk}/",
            {"name": "Misc", "aliases": ["misc"], "is_archived": True},
            format="json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["details"][0]["code"], "category_fallback")
        other.refresh_from_db()
        self.assertEqual((other.name, other.is_archived), ("Прочее", False))
        self.assertNotIn("misc", other.aliases.values_list("word", flat=True))
        self.assertFalse(AuditLog.objects.filter(source="api").exists())
