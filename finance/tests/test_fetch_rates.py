from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import httpx
import respx
import time_machine
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings

from finance.models import ExchangeRate
from finance.rates.lookup import exchange_rate

DATA = Path(__file__).parent / "data" / "rates"
ECB_DAILY = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"
ECB_90D = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist-90d.xml"
ECB_HIST = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.xml"
CBR = "https://www.cbr.ru/scripts/XML_daily.asp"


def saved(name: str) -> bytes:
    return (DATA / name).read_bytes()


def xml(name: str) -> httpx.Response:
    return httpx.Response(200, content=saved(name), headers={"Content-Type": "text/xml"})


@time_machine.travel("2026-11-28 12:00 +03:00", tick=False)
class FetchRatesTestCase(TestCase):
    def run_command(self, *args: str) -> str:
        out = StringIO()
        call_command("fetch_rates", *args, stdout=out, stderr=StringIO())
        return out.getvalue()

    def rate(self, base: str, quote: str, day: date, source: str) -> Decimal:
        return ExchangeRate.objects.get(base=base, quote=quote, date=day, source=source).rate

    @respx.mock
    def test_it_fetches_both_daily_feeds(self) -> None:
        respx.get(ECB_DAILY).mock(return_value=xml("eurofxref-daily.xml"))
        respx.get(CBR).mock(return_value=xml("XML_daily.asp.xml"))
        output = self.run_command()
        self.assertIn("ecb: 30 rates from 2026-11-27 to 2026-11-27: 30 new", output)
        self.assertIn("cbr: 12 rates from 2026-11-28 to 2026-11-28: 12 new", output)
        self.assertEqual(self.rate("EUR", "USD", date(2026, 11, 27), "ecb"), Decimal("1.0517"))
        # Comma decimals, and the rate of one unit where the bank quotes 100 or 10 000.
        self.assertEqual(self.rate("USD", "RUB", date(2026, 11, 28), "cbr"), Decimal("78.253"))
        self.assertEqual(self.rate("JPY", "RUB", date(2026, 11, 28), "cbr"), Decimal("0.514419"))
        self.assertEqual(self.rate("UZS", "RUB", date(2026, 11, 28), "cbr"), Decimal("0.00612209"))

    @respx.mock
    def test_it_changes_nothing_when_run_twice(self) -> None:
        respx.get(ECB_DAILY).mock(return_value=xml("eurofxref-daily.xml"))
        respx.get(CBR).mock(return_value=xml("XML_daily.asp.xml"))
        self.run_command()
        before = list(ExchangeRate.objects.values_list("pk", "rate", "imported_at"))
        output = self.run_command()
        self.assertIn(
            "ecb: 30 rates from 2026-11-27 to 2026-11-27: 0 new, 0 updated, 30 unchanged", output
        )
        self.assertIn(
            "cbr: 12 rates from 2026-11-28 to 2026-11-28: 0 new, 0 updated, 12 unchanged", output
        )
        self.assertEqual(
            list(ExchangeRate.objects.values_list("pk", "rate", "imported_at")), before
        )

    @respx.mock
    def test_a_corrected_rate_is_updated(self) -> None:
        respx.get(CBR).mock(return_value=xml("XML_daily.asp.xml"))
        self.run_command("--source", "cbr")
        corrected = (
            saved("XML_daily.asp.xml")
            .replace(b"78,2530", b"78,3000")
            .replace(b"<VunitRate>78,253<", b"<VunitRate>78,3<")
        )
        respx.get(CBR).mock(return_value=httpx.Response(200, content=corrected))
        output = self.run_command("--source", "cbr")
        self.assertIn("0 new, 1 updated, 11 unchanged", output)
        self.assertEqual(self.rate("USD", "RUB", date(2026, 11, 28), "cbr"), Decimal("78.3"))

    @respx.mock
    def test_a_feed_with_a_malformed_line_writes_nothing(self) -> None:
        broken = saved("eurofxref-hist-90d.xml").replace(b"rate='4.3178'", b"rate='4,31,78'", 1)
        respx.get(ECB_90D).mock(return_value=httpx.Response(200, content=broken))
        with self.assertRaisesMessage(
            CommandError, "ecb: 2026-11-27 PLN: '4,31,78' is not a number"
        ):
            self.run_command("--source", "ecb", "--since", "2026-11-20")
        self.assertFalse(ExchangeRate.objects.exists())

    @respx.mock
    def test_an_unreadable_feed_is_named_and_the_other_still_loads(self) -> None:
        respx.get(ECB_DAILY).mock(return_value=httpx.Response(200, content=b"<html>maintenance"))
        respx.get(CBR).mock(return_value=xml("XML_daily.asp.xml"))
        with self.assertRaisesMessage(CommandError, "ecb: not an XML document"):
            self.run_command()
        self.assertEqual(set(ExchangeRate.objects.values_list("source", flat=True)), {"cbr"})

    @respx.mock
    def test_an_http_error_or_a_timeout_is_named(self) -> None:
        respx.get(CBR).mock(return_value=httpx.Response(503))
        with self.assertRaisesMessage(
            CommandError, "cbr: https://www.cbr.ru/scripts/XML_daily.asp answered HTTP 503"
        ):
            self.run_command("--source", "cbr")
        respx.get(ECB_DAILY).mock(side_effect=httpx.ConnectTimeout("timed out"))
        with self.assertRaisesMessage(CommandError, "ecb: could not fetch"):
            self.run_command("--source", "ecb")
        self.assertFalse(ExchangeRate.objects.exists())

    @respx.mock
    def test_another_document_is_refused(self) -> None:
        respx.get(CBR).mock(return_value=xml("eurofxref-daily.xml"))
        with self.assertRaisesMessage(CommandError, "cbr: not the Bank of Russia's XML_daily"):
            self.run_command("--source", "cbr")

    def test_an_xml_bomb_is_refused(self) -> None:
        bomb = DATA.parent / "bomb.xml"
        bomb.write_bytes(
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><ValCurs Date="28.11.2026">&b;</ValCurs>'
        )
        self.addCleanup(bomb.unlink)
        with self.assertRaisesMessage(CommandError, "cbr: not an XML document"):
            self.run_command("--source", "cbr", "--url", str(bomb))

    @respx.mock
    def test_since_reads_the_history_and_keeps_the_days_asked_for(self) -> None:
        respx.get(ECB_90D).mock(return_value=xml("eurofxref-hist-90d.xml"))
        output = self.run_command("--source", "ecb", "--since", "2026-11-26")
        self.assertIn("ecb: 60 rates from 2026-11-26 to 2026-11-27", output)
        self.assertEqual(
            sorted(set(ExchangeRate.objects.values_list("date", flat=True))),
            [date(2026, 11, 26), date(2026, 11, 27)],
        )

    @respx.mock
    def test_an_old_date_reads_the_full_history(self) -> None:
        history = saved("eurofxref-hist-90d.xml").replace(b"2026-11-25", b"2026-07-31")
        route = respx.get(ECB_HIST).mock(return_value=httpx.Response(200, content=history))
        # A Sunday: the rates in force are the last ones published before it, on Friday.
        output = self.run_command("--source", "ecb", "--date", "2026-08-02")
        self.assertTrue(route.called)
        self.assertIn("ecb: 30 rates from 2026-07-31 to 2026-07-31", output)

    @respx.mock
    def test_cbr_is_asked_for_each_day(self) -> None:
        route = respx.get(CBR).mock(return_value=xml("XML_daily.asp.xml"))
        self.run_command("--source", "cbr", "--since", "2026-11-26")
        self.assertEqual(
            [call.request.url.params["date_req"] for call in route.calls],
            ["26/11/2026", "27/11/2026", "28/11/2026"],
        )

    def test_url_reads_a_saved_copy_of_the_old_format(self) -> None:
        output = self.run_command("--source", "cbr", "--url", str(DATA / "XML_daily-2021.asp.xml"))
        self.assertIn("cbr: 2 rates from 2021-03-02 to 2021-03-02: 2 new", output)
        # Before VunitRate: the Value of Nominal units.
        self.assertEqual(self.rate("JPY", "RUB", date(2021, 3, 2), "cbr"), Decimal("0.69595"))

    def test_it_refuses_bad_arguments(self) -> None:
        with self.assertRaisesMessage(CommandError, "--url needs --source"):
            self.run_command("--url", "http://localhost/x.xml")
        with self.assertRaisesMessage(CommandError, "is not a date"):
            self.run_command("--date", "28.11.2026")
        with self.assertRaisesMessage(CommandError, "the date is in the future"):
            self.run_command("--since", "2026-12-05")
        with self.assertRaisesMessage(CommandError, "cbr: cannot read"):
            self.run_command("--source", "cbr", "--url", "/nonexistent/rates.xml")

    @respx.mock
    @override_settings(EXCHANGE_RATE_PIVOTS=["EUR", "RUB"])
    def test_both_sources_convert_through_either_pivot(self) -> None:
        respx.get(ECB_DAILY).mock(return_value=xml("eurofxref-daily.xml"))
        respx.get(CBR).mock(return_value=xml("XML_daily.asp.xml"))
        self.run_command()
        on = date(2026, 11, 28)
        # EUR/RUB straight from the Bank of Russia; GBP -> CHF through EUR; KZT -> USD through RUB.
        self.assertEqual(exchange_rate(base="EUR", quote="RUB", on=on), Decimal("90.6512"))
        self.assertEqual(
            exchange_rate(base="GBP", quote="CHF", on=on).quantize(Decimal("0.000001")),
            (Decimal("0.9312") / Decimal("0.83195")).quantize(Decimal("0.000001")),
        )
        self.assertEqual(
            exchange_rate(base="KZT", quote="USD", on=on).quantize(Decimal("0.000001")),
            (Decimal("0.15321") / Decimal("78.253")).quantize(Decimal("0.000001")),
        )


class TwoSourcesTestCase(TestCase):
    def test_each_source_keeps_its_own_rate_for_the_same_pair(self) -> None:
        # Before March 2022 both banks published EUR/RUB.
        day = date(2021, 3, 2)
        ExchangeRate.objects.create(date=day, base="EUR", quote="RUB", rate=89, source="cbr")
        ExchangeRate.objects.create(date=day, base="EUR", quote="RUB", rate=90, source="ecb")
        self.assertEqual(ExchangeRate.objects.filter(base="EUR", quote="RUB").count(), 2)
        # The tie is broken the same way every time (by source name, the index's order).
        self.assertEqual(exchange_rate(base="EUR", quote="RUB", on=day), Decimal(90))
        # A later rate from either source wins over both.
        ExchangeRate.objects.create(
            date=date(2021, 3, 3), base="EUR", quote="RUB", rate=91, source="cbr"
        )
        self.assertEqual(exchange_rate(base="EUR", quote="RUB", on=date(2021, 3, 4)), Decimal(91))
