from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import httpx
import respx
import time_machine
from django.core.management import call_command

from config.testing import BaseTestCase
from finance.models import ExchangeRate, ExchangeRateRequest
from finance.services.transactions import transaction_create

DATA = Path(__file__).parent / "data" / "rates"


@time_machine.travel("2026-11-28 12:00 +03:00", tick=False)
class RateRequestTestCase(BaseTestCase):
    def spend(self, amount: str, currency: str, day: date) -> None:
        transaction_create(
            user=self.alice,
            kind="expense",
            amount=Decimal(amount),
            currency=currency,
            category=self.category(self.alice, "cafe"),
            date=day,
            source="web",
        )

    def test_a_transaction_with_no_rate_asks_for_it_once(self) -> None:
        self.spend("45.20", "EUR", date(2026, 11, 24))
        self.spend("5", "EUR", date(2026, 11, 24))
        self.spend("300", "RUB", date(2026, 11, 20))  # the person's own currency: no rate needed
        ExchangeRate.objects.create(date=date(2026, 11, 1), base="USD", quote="RUB", rate=80)
        self.spend("7", "USD", date(2026, 11, 21))  # a rate exists
        self.assertEqual(
            list(ExchangeRateRequest.objects.values_list("base", "quote", "date")),
            [("EUR", "RUB", date(2026, 11, 24))],
        )

    @respx.mock
    def test_the_daily_fetch_goes_back_to_the_oldest_request_and_settles_it(self) -> None:
        self.spend("45.20", "EUR", date(2026, 11, 27))
        route = respx.get("https://www.cbr.ru/scripts/XML_daily.asp").mock(
            return_value=httpx.Response(200, content=(DATA / "XML_daily.asp.xml").read_bytes())
        )
        respx.get("https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist-90d.xml").mock(
            return_value=httpx.Response(200, content=(DATA / "eurofxref-hist-90d.xml").read_bytes())
        )
        out = StringIO()
        call_command("fetch_rates", stdout=out, stderr=StringIO())
        self.assertIn(
            "Published by neither source, no longer asked for: EUR/RUB 2026-11-27", out.getvalue()
        )
        self.assertEqual(
            [c.request.url.params["date_req"] for c in route.calls], ["27/11/2026", "28/11/2026"]
        )
        # The saved answer is dated 28.11 whatever day is asked, so nothing gives a EUR/RUB
        # rate on or before the 27th: both sources were read, so it is no longer asked for.
        self.assertFalse(ExchangeRateRequest.objects.exists())

    def test_loading_a_rate_answers_the_request(self) -> None:
        self.spend("45.20", "EUR", date(2026, 11, 27))
        self.assertTrue(ExchangeRateRequest.objects.exists())
        call_command(
            "fetch_rates",
            "--source",
            "cbr",
            "--url",
            str(DATA / "XML_daily.asp.xml"),
            stdout=StringIO(),
        )
        self.assertTrue(ExchangeRateRequest.objects.exists())  # the 28th's rate is too late
        ExchangeRate.objects.create(date=date(2026, 11, 26), base="EUR", quote="RUB", rate=90)
        call_command(
            "fetch_rates",
            "--source",
            "cbr",
            "--url",
            str(DATA / "XML_daily.asp.xml"),
            stdout=StringIO(),
        )
        self.assertFalse(ExchangeRateRequest.objects.exists())
