from datetime import date
from decimal import Decimal

from config.testing import BaseTestCase
from finance import textparse
from finance.tests.parsing import TODAY, parse


class TextParseTestCase(BaseTestCase):
    def codes(self, text: str, **kwargs: str) -> list[tuple[str, str]]:
        with self.assertRaises(textparse.ParseError) as caught:
            parse(text, **kwargs)  # type: ignore[arg-type]
        return [(p.path, p.code) for p in caught.exception.problems]

    def test_it_reads_every_amount_style(self) -> None:
        cases = {
            "кофе 250": "250",
            "кофе 250.50": "250.50",
            "кофе 250,50": "250.50",
            "кофе 1 299,50": "1299.50",
            "кофе 1\u00a0299,50": "1299.50",
            "кофе 1,299.50": "1299.50",
            "кофе 1.299,50": "1299.50",
            "кофе 1,299": "1299",
            "кофе 2.5к": "2500",
            "кофе 2,5 тыс": "2500",
            "кофе 3 тысячи": "3000",
            "кофе 15k": "15000",
            "кофе 1.2m": "1200000",
            "кофе 1,2 млн": "1200000",
            "кофе 500+320": "820",
            "кофе 100 + 50 + 25,5": "175.5",
            "кофе 2 500": "2500",
        }
        for text, amount in cases.items():
            with self.subTest(text):
                self.assertEqual(parse(text).amount, Decimal(amount))

    def test_it_takes_the_price_over_a_count(self) -> None:
        self.assertEqual(parse("2 кофе 500").amount, 500)
        self.assertEqual(parse("12 яиц 150").amount, 150)
        self.assertEqual(parse("кофе 250 булка 100").amount, 250)
        self.assertEqual(parse("теле2 500").amount, 500)
        self.assertEqual(parse("5км такси 300").amount, 300)

    def test_it_takes_a_lone_count_or_day_as_the_amount(self) -> None:
        self.assertEqual(parse("2 кофе").amount, 2)
        lone = parse("кофе 1.12")
        self.assertEqual((lone.amount, lone.date), (Decimal("1.12"), TODAY))

    def test_it_reads_no_thousands_into_a_spaced_preposition(self) -> None:
        result = parse("500 к врачу")
        self.assertEqual(result.amount, 500)
        self.assertEqual(result.category_slug, "health")

    def test_it_skips_times_and_percentages(self) -> None:
        self.assertEqual(parse("обед 12:30 450").amount, 450)
        self.assertEqual(parse("кэшбэк 5% 300", "income").amount, 300)

    def test_it_refuses_what_it_cannot_record(self) -> None:
        self.assertEqual(self.codes("кофе"), [("payload.text", "amount_not_found")])
        self.assertEqual(self.codes("кофе 15 ноября"), [("payload.text", "amount_not_found")])
        for text in (
            "кофе 0",
            "кофе 0,00",
            "такси -300",
            "такси −300",
            "кофе 1000000000000",
            "1001 млрд кофе",
            "1" * 41,
            # Numbers too long to read, summed with opposite signs: still numbers.
            f"{'1' * 41} + -{'1' * 41}",
        ):
            with self.subTest(text):
                self.assertEqual(self.codes(text), [("payload.text", "amount_out_of_range")])
        self.assertEqual(parse("кофе 999 999 999 999,99").amount, Decimal("999999999999.99"))
        self.assertEqual(parse("1.5 млрд кофе").date, TODAY)

    def test_it_lists_every_problem_with_its_field(self) -> None:
        self.assertEqual(
            self.codes("кофе", currency="XYZ"),
            [("payload.text", "amount_not_found"), ("payload.currency", "unknown_currency")],
        )

    def test_it_reads_currencies_in_every_form(self) -> None:
        cases = {
            "RUB": "₽ р р. руб руб. рубль рубля рублей рублями rub RUB",
            "USD": "$ usd USD доллар доллара долларов долларами бакс баксов bucks dollars",
            "EUR": "€ eur евро euro",
            "KZT": "₸ тенге kzt",
            "UAH": "₴ грн гривен гривна гривны гривень uah",
            "GBP": "£ gbp фунт фунтов pounds",
            "CNY": "¥ cny юань юаней",
            "TRY": "₺ try лир лиры",
            "BYN": "byn бел.руб",
            "GEL": "gel лари",
            "AMD": "amd драм",
            "UZS": "uzs сум",
        }
        for code, names in cases.items():
            for name in names.split():
                for text in (f"обед 20 {name}", f"обед 20{name}"):
                    with self.subTest(text):
                        result = parse(text)
                        self.assertEqual((result.amount, result.currency), (20, code))
                        self.assertEqual(result.note, "обед")
        self.assertEqual(parse("vet £60").currency, "GBP")
        self.assertEqual(parse("CHF 40 lunch").currency, "CHF")
        self.assertEqual(parse("50 белорусских рублей").currency, "BYN")
        self.assertEqual(parse("кофе 250").currency, "RUB")

    def test_it_reads_weak_currency_names_only_after_a_number(self) -> None:
        self.assertEqual(parse("try 300").currency, "RUB")
        self.assertEqual(parse("сум 300").currency, "RUB")

    def test_it_lets_the_currency_field_win(self) -> None:
        result = parse("gift for wife 120$", currency="eur")
        self.assertEqual((result.currency, result.note), ("EUR", "gift for wife"))

    def test_it_reads_dates(self) -> None:
        cases = {
            "сегодня": date(2026, 11, 24),
            "today": date(2026, 11, 24),
            "вчера": date(2026, 11, 23),
            "позавчера": date(2026, 11, 22),
            "3 дня назад": date(2026, 11, 21),
            "5 days ago": date(2026, 11, 19),
            "неделю назад": date(2026, 11, 17),
            "два дня назад": date(2026, 11, 22),
            "в понедельник": date(2026, 11, 23),
            "во вторник": date(2026, 11, 24),
            "в прошлую пятницу": date(2026, 11, 20),
            "on monday": date(2026, 11, 23),
            "last sunday": date(2026, 11, 22),
            "в воскресенье": date(2026, 11, 22),
            "15.11": date(2026, 11, 15),
            "25.11": date(2025, 11, 25),
            "15.11.2026": date(2026, 11, 15),
            "15.11.25": date(2025, 11, 15),
            "15/11": date(2026, 11, 15),
            "15 ноября": date(2026, 11, 15),
            "31 декабря": date(2025, 12, 31),
            "1 января 2026 года": date(2026, 1, 1),
            "29 февраля": date(2024, 2, 29),
            "Nov 15": date(2026, 11, 15),
            "November 15, 2025": date(2025, 11, 15),
            "15th of November": date(2026, 11, 15),
            "2026-11-15": date(2026, 11, 15),
        }
        for words, day in cases.items():
            for text in (f"такси 350 {words}", f"{words} такси 350"):
                with self.subTest(text):
                    result = parse(text)
                    self.assertEqual((result.date, result.amount), (day, 350))
                    self.assertEqual(result.note, "такси")

    def test_it_keeps_an_amount_after_a_date_out_of_the_year(self) -> None:
        result = parse("подарки 31 декабря 8500")
        self.assertEqual((result.date, result.amount), (date(2025, 12, 31), 8500))

    def test_it_refuses_a_day_that_does_not_exist(self) -> None:
        self.assertEqual(self.codes("кофе 300 31 ноября"), [("payload.text", "invalid_date")])
        self.assertEqual(self.codes("кофе 300 2026-02-30"), [("payload.text", "invalid_date")])
        self.assertEqual(parse("кофе 300 31 ноября", date=TODAY).date, TODAY)

    def test_it_lets_the_date_field_win(self) -> None:
        result = parse("parking 3.5 eur yesterday", date=date(2026, 11, 10))
        self.assertEqual((result.date, result.note), (date(2026, 11, 10), "parking"))

    def test_it_builds_the_note(self) -> None:
        cases = {
            "в Пятёрочке продуктов на 734,90": "в Пятёрочке продуктов",
            "ВкусВилл 615 в субботу": "ВкусВилл",
            "flight to Berlin 189 eur 2 days ago": "flight to Berlin",
            "  Такси,  350 ₽ ": "Такси",
            "2 кофе 500": "2 кофе",
            "кофе250": "кофе",
            "350": "",
        }
        for text, note in cases.items():
            with self.subTest(text):
                self.assertEqual(parse(text).note, note)

    def test_it_finds_categories_in_any_form(self) -> None:
        cases = {
            "в аптеке 640": "health",
            "апткеа 640": "health",
            "такcи 480": "transport",
            "ТАКСИ 480": "transport",
            "продуктв 500": "groceries",
            "в пятерочке 500": "groceries",
            "детского сада 5000": "kids",
            "Яндекс Go 412": "transport",
            "ремонт квартиры 15000": "home",
            "ремонт машины 15000": "car",
            "аренда квартиры 45000": "housing",
            "ozon 1590": "other",
        }
        for text, slug in cases.items():
            with self.subTest(text):
                self.assertEqual(parse(text).category_slug, slug)
        self.assertEqual(parse("проценты по вкладу 300", "income").category_slug, "interest")
        self.assertEqual(parse("продал машину 1,2 млн", "income").category_slug, "other_income")

    def test_it_forgives_no_typo_in_a_short_word(self) -> None:
        self.assertEqual(parse("кинл 800").category_slug, "other")

    def test_it_prefers_a_persons_keyword_to_a_category_name(self) -> None:
        cafe = textparse.CategoryEntry(1, "cafe", "Кафе", "expense")
        mine = textparse.CategoryEntry(
            2, "treats", "Вкусное", "expense", (textparse.Alias("кафе", "learned"),)
        )
        other = textparse.CategoryEntry(3, "other", "Прочее", "expense")
        index = textparse.CategoryIndex([cafe, mine, other], {"expense": "other"})
        result = parse("кафе 300", index=index)
        self.assertEqual((result.category_slug, result.matched), ("treats", "кафе"))

    def test_it_reports_a_kind_with_no_categories(self) -> None:
        index = textparse.CategoryIndex([], {"expense": "other"})
        self.assertEqual(
            self.codes("кофе 300", index=index),  # type: ignore[arg-type]
            [("payload.text", "category_not_found")],
        )

    def test_it_refuses_an_unknown_kind(self) -> None:
        with self.assertRaises(ValueError):
            parse("кофе 300", "transfer")
