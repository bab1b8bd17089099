"""The cabinet of a household: the ledger's page (balances, transfers, payments, the
default split), recording and undoing a payment, the transaction forms' split, leaving
with a balance, and the dashboard's shares."""

from datetime import date
from decimal import Decimal

from django.contrib.messages import get_messages

from audit.models import AuditLog
from finance.models import Settlement, Share, SplitDefault, Transaction
from finance.services.settlements import settlement_create
from finance.services.transactions import transaction_create
from ledgers.models import Membership
from ledgers.services import ledger_activate
from ledgers.tests.household import HouseholdTestCase


class HouseholdPagesTestCase(HouseholdTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.alice)
        self.page = f"/ledgers/{self.home.pk}/"

    def test_the_ledger_page_shows_who_owes_whom(self) -> None:
        self.spend(self.alice, "300")
        settlement_create(
            user=self.carol,
            ledger=self.home,
            from_user_id=self.carol.pk,
            to_user_id=self.alice.pk,
            amount=Decimal(50),
            source="web",
        )
        self.client.force_login(self.carol)
        response = self.client.get(self.page)
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn('id="balances"', html)
        self.assertIn(">150,00<", html)  # alice: paid 300, her share 100, was paid back 50
        self.assertIn("dave → alice: 100,00 RUB", html)
        self.assertIn("carol → alice: 50,00 RUB", html)
        self.assertIn('id="settlements"', html)
        self.assertIn("Вы должны 50,00 RUB.", html)
        # Carol may record her own transfer, not dave's; nor set the default split.
        self.assertEqual(html.count("Заплачено: записать"), 1)
        self.assertNotIn("Сохранить разделение", html)

    def test_a_personal_ledger_page_has_none_of_it(self) -> None:
        response = self.client.get(f"/ledgers/{self.ledger(self.alice).pk}/")
        self.assertNotIn("Кто кому должен", response.content.decode())

    def test_record_and_undo_a_payment(self) -> None:
        self.spend(self.alice, "300")
        url = f"/ledgers/{self.home.pk}/settlements/"
        data = {
            "from_user": self.dave.pk,
            "to_user": self.alice.pk,
            "amount": "100,00",
            "currency": "RUB",
        }
        response = self.client.post(url, data)
        self.assertRedirects(response, self.page, fetch_redirect_response=False)
        settlement = Settlement.objects.get()
        self.assertEqual(
            (settlement.from_user, settlement.amount, settlement.source, settlement.created_by),
            (self.dave, Decimal("100.00"), "web", self.alice),
        )
        response = self.client.post(f"/ledgers/{self.home.pk}/settlements/{settlement.pk}/undo/")
        self.assertRedirects(response, self.page, fetch_redirect_response=False)
        self.assertFalse(Settlement.objects.exists())
        self.assertEqual(AuditLog.objects.filter(action__startswith="settlement.").count(), 2)

    def test_a_member_cannot_record_others_payments(self) -> None:
        self.client.force_login(self.carol)
        data = {
            "from_user": self.dave.pk,
            "to_user": self.alice.pk,
            "amount": "10",
            "currency": "RUB",
        }
        response = self.client.post(f"/ledgers/{self.home.pk}/settlements/", data)
        self.assertRedirects(response, self.page, fetch_redirect_response=False)
        self.assertIn(
            "Вы можете записать то, что сами отдали",
            str(next(iter(get_messages(response.wsgi_request)))),
        )
        self.assertFalse(Settlement.objects.exists())

    def test_a_manager_sets_the_default_split(self) -> None:
        data = {
            f"weight_{self.alice.pk}": "60",
            f"weight_{self.carol.pk}": "40",
            f"weight_{self.dave.pk}": "",
        }
        response = self.client.post(f"/ledgers/{self.home.pk}/split/", data)
        self.assertRedirects(response, self.page, fetch_redirect_response=False)
        self.assertEqual(
            dict(SplitDefault.objects.values_list("user__username", "weight")),
            {"alice": Decimal(60), "carol": Decimal(40)},
        )
        html = self.client.get(self.page).content.decode()
        self.assertIn("alice 60 · carol 40", html)

    def test_leaving_with_a_balance_is_allowed_and_warned_about(self) -> None:
        self.spend(self.alice, "300")
        self.client.force_login(self.carol)
        response = self.client.post(f"/ledgers/{self.home.pk}/leave/")
        self.assertRedirects(response, "/ledgers/", fetch_redirect_response=False)
        warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
        self.assertEqual(len(warnings), 1)
        self.assertIn("-100.00 RUB", warnings[0])
        self.assertFalse(Membership.objects.filter(ledger=self.home, user=self.carol).exists())
        # The others still see her balance.
        self.client.force_login(self.alice)
        html = self.client.get(self.page).content.decode()
        self.assertIn('carol <span class="muted">(вышел из книги)</span>', html)


class SplitFormsTestCase(HouseholdTestCase):
    def setUp(self) -> None:
        ledger_activate(user=self.alice, ledger=self.home, source="web")
        self.client.force_login(self.alice)

    def form(self, **fields: str) -> dict[str, str]:
        return {
            "kind": "expense",
            "amount": "900",
            "currency": "RUB",
            "category": str(self.home_category("groceries").pk),
            "date": "2026-11-03",
            "note": "",
            **fields,
        }

    def test_the_add_form_splits_by_the_default_or_as_asked(self) -> None:
        page = self.client.get("/transactions/add/").content.decode()
        self.assertIn(f'name="split_{self.dave.pk}"', page)
        self.client.post("/transactions/add/", self.form())
        tx = Transaction.objects.get()
        self.assertEqual(Share.objects.filter(split_id=tx.pk).count(), 3)
        self.client.post(
            "/transactions/add/",
            self.form(
                split_mode="shares",
                **{
                    f"split_{self.alice.pk}": "2",
                    f"split_{self.carol.pk}": "1",
                    f"split_{self.dave.pk}": "",
                },
            ),
        )
        tx = Transaction.objects.latest("pk")
        self.assertEqual(
            dict(
                Share.objects.filter(split_id=tx.pk).values_list("user__username", "amount_minor")
            ),
            {"alice": 60000, "carol": 30000},
        )

    def test_a_bad_split_is_shown_on_the_form(self) -> None:
        response = self.client.post(
            "/transactions/add/",
            self.form(split_mode="amounts", **{f"split_{self.alice.pk}": "100"}),
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("Суммы дают в итоге 100", response.content.decode())
        self.assertFalse(Transaction.objects.exists())

    def test_the_edit_form_keeps_or_changes_the_split(self) -> None:
        tx = self.spend(self.alice, "900")
        url = f"/transactions/{tx.pk}/"
        base = {
            "amount": "900,00",
            "currency": "RUB",
            "category": str(tx.category_id),
            "date": "2026-11-03",
            "note": "",
        }
        page = self.client.get(url).content.decode()
        self.assertIn("Оставить как есть", page)
        self.client.post(url, {**base, "amount": "600"})
        self.assertEqual(
            sorted(Share.objects.filter(split_id=tx.pk).values_list("amount_minor", flat=True)),
            [20000] * 3,
        )
        self.client.post(
            url, {**base, "amount": "600", "split_mode": "equal", f"split_{self.carol.pk}": "1"}
        )
        self.assertEqual(
            list(Share.objects.filter(split_id=tx.pk).values_list("user", flat=True)),
            [self.carol.pk],
        )

    def test_the_dashboard_shows_each_members_share(self) -> None:
        self.spend(self.alice, "300")
        self.spend(self.carol, "90")
        response = self.client.get("/?month=2026-11")
        html = response.content.decode()
        self.assertIn("Его доля", html)
        self.assertEqual([str(m.share) for m in response.context["members"]], ["130.00"] * 3)

    def test_a_shared_ledger_shows_who_paid_even_one_person_without_splits(self) -> None:
        # Issue 20 item 8: the cabinet's per-member breakdown, for a shared ledger; the
        # share column only where splits exist (an income is never split).
        ledger_activate(user=self.alice, ledger=self.home, source="web")
        transaction_create(
            user=self.alice,
            ledger=self.home,
            kind="income",
            amount=Decimal(5000),
            currency="RUB",
            category=self.home_category("salary"),
            date=date(2026, 11, 3),
            source="web",
        )
        response = self.client.get("/?month=2026-11")
        html = response.content.decode()
        self.assertEqual([m.name for m in response.context["members"]], ["alice"])
        self.assertIn("Кто платил", html)
        self.assertNotIn("Его доля", html)
        # A personal ledger of one shows no breakdown.
        ledger_activate(user=self.alice, ledger=self.ledger(self.alice), source="web")
        transaction_create(
            user=self.alice,
            kind="expense",
            amount=Decimal(10),
            currency="RUB",
            category=self.category(self.alice, "cafe"),
            date=date(2026, 11, 3),
            source="web",
        )
        response = self.client.get("/?month=2026-11")
        self.assertEqual(response.context["members"], [])
        self.assertNotIn("Кто платил", response.content.decode())
