"""A person made around the services has no books: a read finds none and makes none; the
first write, token or cabinet page makes their personal ledger."""

from datetime import date
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from accounts.middleware import PersonalLedgerMiddleware
from accounts.models import User
from config.testing import PASSWORD, BaseTestCase
from finance.models import Category
from finance.selectors.summary import monthly_summary
from finance.selectors.totals import monthly_totals
from finance.selectors.transactions import transaction_get, transaction_list
from finance.services.books import member_for
from ledgers import access
from ledgers.models import Ledger, Membership


class FirstNeedTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.erin = User.objects.create_superuser(
            "erin", "erin@example.org", PASSWORD, default_currency="EUR"
        )

    def assert_no_books(self) -> None:
        self.assertFalse(Ledger.objects.filter(owner=self.erin).exists())
        self.assertFalse(Membership.objects.filter(user=self.erin).exists())

    def test_the_permission_check_only_reads(self) -> None:
        with self.assertRaises(access.NoLedgerYet):
            access.member_of(user=self.erin)
        with self.assertRaises(access.NoLedgerYet):
            access.member_of(user=self.erin, write=True)
        self.assert_no_books()

    def test_a_read_finds_empty_books_and_makes_none(self) -> None:
        self.assertEqual(list(transaction_list(user=self.erin)), [])
        self.assertIsNone(transaction_get(user=self.erin, pk=1))
        summary = monthly_summary(user=self.erin, month=date(2026, 11, 1))
        self.assertEqual((summary.currency, summary.income, summary.expense), ("EUR", 0, 0))
        self.assertEqual(summary.categories, [])
        totals = monthly_totals(user=self.erin, last_month=date(2026, 11, 1), months=2)
        self.assertEqual([(t.income, t.expense) for t in totals], [(Decimal(0), Decimal(0))] * 2)
        self.assert_no_books()

    def test_a_write_makes_the_personal_ledger_once(self) -> None:
        member = member_for(user=self.erin, write=True)
        self.assertEqual(member.ledger.personal_for_id, self.erin.pk)
        self.assertEqual(member.ledger.default_currency, "EUR")
        self.assertTrue(Category.objects.filter(ledger=member.ledger, slug="cafe").exists())
        self.assertEqual(member_for(user=self.erin, write=True).pk, member.pk)
        self.assertEqual(Ledger.objects.filter(personal_for=self.erin).count(), 1)

    def test_another_ledger_named_is_not_a_first_need(self) -> None:
        bobs = Ledger.objects.get(personal_for=self.bob)
        with self.assertRaises(access.LedgerNotFound):
            member_for(user=self.erin, ledger=bobs, write=True)
        self.assert_no_books()

    def test_the_first_cabinet_page_makes_the_personal_ledger(self) -> None:
        self.client.force_login(self.erin)
        response = self.client.get("/transactions/")
        self.assertEqual(response.status_code, 200)
        self.erin.refresh_from_db()
        self.assertIsNotNone(self.erin.active_ledger)
        assert self.erin.active_ledger is not None
        self.assertEqual(self.erin.active_ledger.personal_for_id, self.erin.pk)

    def test_the_middleware_costs_no_query_to_a_person_with_an_active_ledger(self) -> None:
        def page(request: HttpRequest) -> HttpResponse:
            return HttpResponse()

        request = RequestFactory().get("/")
        request.user = self.alice
        with self.assertNumQueries(0):
            PersonalLedgerMiddleware(page)(request)
