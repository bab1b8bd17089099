"""What people really type (issue 26): numbers in words and slang, arithmetic, emoji,
slips of short words, harder dates and the senses of English keywords."""

from datetime import date
from decimal import Decimal

from config.testing import BaseTestCase
from finance import textparse
from finance.tests.parsing import TODAY, parse

# TODAY is Tuesday 2026-11-24: last week ran from Monday the 16th to Sunday the 22nd.
MONDAY, TUESDAY = date(2026, 11, 23), date(2026, 11, 24)


class NumbersInWordsTestCase(BaseTestCase):
    def assertAmounts(self, cases: dict[str, str], kind: str = "expense") -> None:
        for text, amount in cases.items():
            with self.subTest(text):
                self.assertEqual(parse(text, kind).amount, Decimal(amount))

    def test_it_reads_russian_numerals_in_any_case_and_combination(self) -> None:
        self.assertAmounts(
            {
                "такси пятьсот сорок": "540",
                "продукты девятьсот": "900",
                "коммуналка три тысячи двести": "3200",
                "ремонт две с половиной тысячи": "2500",
                "за квартиру тридцать пять тысяч": "35000",
                "заплатил двумстам сорока": "240",  # any case: датив
                "подарок пятьюстами": "500",
                "на такси трёхсот": "300",
                "одна тысяча сто": "1100",
                "тысячу двести пятьдесят за свет": "1250",
                "зарплата 2 миллиона триста тысяч": "2300000",
                "девятьсот девяносто девять": "999",
            }
        )

    def test_it_reads_halves_and_the_slang_for_round_sums(self) -> None:
        self.assertAmounts(
            {
                "полторы тысячи на бензин": "1500",
                "такси полтора косаря": "1500",
                "премия полтора ляма": "1500000",
                "парикмахерская полтыщи": "500",
                "такси пол косаря": "500",
                "стрижка косарь": "1000",
                "маникюр две штуки": "2000",
                "бензин 2 куска": "2000",
                "аренда 35 косарей": "35000",
                "штука двести за маникюр": "1200",
                "косарь пятьсот на бенз": "1500",
                "обед пятихатка": "500",
                "две пятихатки на продукты": "1000",
                "проезд полтинник": "50",
                "полтос на маршрутку": "50",
                "стольник за парковку": "100",
                "пополнил телефон на сотку": "100",
                "пару сотен на кофе": "200",
                "пару тысяч на такси": "2000",
                "чирик на чай": "10",
                "стоматолог пять тыщ": "5000",
                "шиномонтаж 2 тыщи": "2000",
                "отель 2 ляма": "2000000",
            }
        )

    def test_it_reads_shortened_thousands(self) -> None:
        self.assertAmounts(
            {
                "ЖКХ 4 т.р.": "4000",
                "куртка 12 тр": "12000",
                "продукты 1,5 т.р.": "1500",
                "продукты 1,5 к": "1500",
                "такси 2 к": "2000",
                "билет на поезд 3 тыс. 200": "3200",
                "зп 85 тыс.": "85000",
            }
        )
        self.assertEqual(parse("500 к врачу").amount, 500)  # a preposition, not thousands

    def test_it_reads_sums_said_short(self) -> None:
        # Russian leaves out the thousand (`две двести`), English says cents as a number
        # of their own (`two fifty`), and `полторы` alone is a thousand and a half.
        self.assertAmounts(
            {
                "лекарства две двести": "2200",
                "такси пять пятьсот": "5500",
                "такси полторы": "1500",
                "полторы на такси": "1500",
                "bus fare two fifty": "2.50",
                "lunch twelve ninety nine": "12.99",
                "продукты 3 косых": "3000",
            }
        )
        with self.assertRaises(textparse.ParseError):
            parse("полтора литра")  # a count of litres, no price

    def test_it_reads_english_number_words(self) -> None:
        self.assertAmounts(
            {
                "lunch forty dollars": "40",
                "taxi twenty-five": "25",
                "groceries a hundred and ten": "110",
                "ten bucks for coffee": "10",
                "dinner one hundred twenty": "120",
                "salary three thousand five hundred": "3500",
                "a grand for rent": "1000",
                "bonus 5 grand": "5000",
                "groceries 1.5 thousand": "1500",
                "nine hundred and ninety-nine thousand, nine hundred and ninety-nine": "999999",
            }
        )
        self.assertEqual(parse("ten bucks for coffee").currency, "USD")
        tenner = parse("a tenner for the bus")
        self.assertEqual((tenner.amount, tenner.currency), (10, "GBP"))
        self.assertEqual(parse("haircut thirty quid").currency, "GBP")

    def test_a_number_word_that_counts_items_stays_a_count(self) -> None:
        self.assertAmounts(
            {
                "три пирожка 210": "210",
                "два кофе 400": "400",
                "две штуки хлеба 90": "90",
                "яблоки 3 штуки 200": "200",
                "пять шаурм по дороге домой 1250": "1250",
                "three beers 15": "15",
                "one coffee 4.5": "4.5",
            }
        )
        self.assertEqual(parse("два кофе 400").note, "два кофе")

    def test_digits_beat_a_word_that_is_also_a_name(self) -> None:
        result = parse("СТО 5000")  # a car service, not a hundred
        self.assertEqual((result.amount, result.category_slug), (5000, "car"))
        self.assertEqual(parse("grand hotel 200").amount, 200)

    def test_a_name_with_a_number_word_inside_is_no_number(self) -> None:
        result = parse("books-a-million 100")
        self.assertEqual((result.amount, result.category_slug), (100, "education"))

    def test_it_reads_kopecks_and_cents(self) -> None:
        self.assertAmounts(
            {
                "кофе 5 руб 50 коп": "5.50",
                "жвачка 50 коп": "0.50",
                "coffee 2 dollars 25 cents": "2.25",
            }
        )
        cents = parse("ninety nine cents coffee")
        self.assertEqual((cents.amount, cents.currency), (Decimal("0.99"), "USD"))

    def test_hours_phone_numbers_years_and_numbers_of_things_are_no_amounts(self) -> None:
        self.assertAmounts(
            {
                "такси в 7 утра 450": "450",
                "такси в 7 за 450": "450",
                "заказ такси на 8 вечера 600": "600",
                "lunch at 1 pm 14": "14",
                "пополнил телефон +7 999 123-45-67 на 300": "300",
                "мтс 89161234567 500": "500",
                "пополнил 8 (916) 123 45 67 на 500": "500",
                "заказ № 12345 на 1200 озон": "1200",
                "2024 год налог 5000": "5000",
                "аи 95 2500": "2500",
            }
        )
        with self.assertRaises(textparse.ParseError):
            parse("позвони мне +7 999 123-45-67")


class ArithmeticTestCase(BaseTestCase):
    def test_it_multiplies_a_count_by_a_price(self) -> None:
        cases = {
            "3 пирожка по 70": "210",
            "2 кофе по 180": "360",
            "кофе 2 по 150": "300",
            "три билета по 500": "1500",
            "бензин 40 литров по 55": "2200",
            "2 шт по 350 носки": "700",
            "2 coffees at 4.5 each": "9",
            "5 bus tickets 2.5 each": "12.5",
            "3 tickets @ 12": "36",
            "4*250 проезд": "1000",
            "билеты 4х250": "1000",
            "4 x 250 метро": "1000",
            "кофе 3×150": "450",
            "bus 2.5 x 4": "10",
        }
        for text, amount in cases.items():
            with self.subTest(text):
                self.assertEqual(parse(text).amount, Decimal(amount))
        result = parse("3 пирожка по 70")
        self.assertEqual((result.note, result.category_slug), ("3 пирожка", "cafe"))
        self.assertEqual(parse("два пирожка по 60 рублей").amount, 120)

    def test_it_adds_items_with_words_between(self) -> None:
        cases = {
            "такси 300 + чаевые 50": "350",
            "такси 250р + 50р чаевые": "300",
            "бургер 350 плюс картошка 120": "470",
            "lunch 12 plus 3 tip": "15",
            "продукты 500+320": "820",  # bare numbers, as before
        }
        for text, amount in cases.items():
            with self.subTest(text):
                self.assertEqual(parse(text).amount, Decimal(amount))
        result = parse("такси 300 + чаевые 50")
        self.assertEqual((result.note, result.category_slug), ("такси чаевые", "transport"))

    def test_a_count_and_a_price_are_not_multiplied_without_a_word_for_it(self) -> None:
        self.assertEqual(parse("2 кофе 500").amount, 500)
        self.assertEqual(parse("кофе ×2 300").amount, 300)  # two of them, 300 in all
        self.assertEqual(parse("coffee x3 12").amount, 12)
        self.assertEqual(parse("рамка 30х40 900").amount, 900)  # a size, and a price


class EmojiTestCase(BaseTestCase):
    def test_an_emoji_names_the_category(self) -> None:
        cases = {
            "🍔 450": "cafe",
            "🚇 62": "transport",
            "🎁 1500": "gifts",
            "🏥 2000": "health",
            "🛍 3400": "clothing",
            "450 🍜": "cafe",
            "🐶 корм 800": "pets",
            "🚕 uber 15 usd": "transport",
        }
        for text, slug in cases.items():
            with self.subTest(text):
                result = parse(text)
                self.assertEqual(result.category_slug, slug)
                self.assertTrue(result.category_guessed)

    def test_skin_tones_variation_selectors_and_sequences_do_not_matter(self) -> None:
        for text in (
            "💅 2000",
            "💅🏻 2000",
            "💅🏾 2000",
            "💇‍♀️ 1500",
            "💇🏼‍♀️ 1500",
            "✂️ 1200",
            "✂ 1200",
        ):
            with self.subTest(text):
                self.assertEqual(parse(text).category_slug, "beauty")
        self.assertEqual(parse("☕️ 250").category_slug, parse("☕ 250").category_slug)

    def test_an_emoji_means_the_category_of_the_kind(self) -> None:
        self.assertEqual(parse("🎁 1500").category_slug, "gifts")
        self.assertEqual(parse("🎁 5000", "income").category_slug, "gifts_received")
        self.assertEqual(parse("💼 80000", "income").category_slug, "salary")

    def test_an_emoji_without_a_category_changes_nothing(self) -> None:
        result = parse("😀 300")
        self.assertEqual(result.category_slug, "other")
        self.assertFalse(result.category_guessed)
        self.assertEqual(parse("😀 кофе 300").category_slug, "cafe")

    def test_a_longer_phrase_beats_an_emoji_and_an_emoji_beats_a_single_word(self) -> None:
        self.assertEqual(parse("🍔 корм для кота 900").category_slug, "pets")
        self.assertEqual(parse("🎁 духи 3000").category_slug, "gifts")

    def test_without_the_shipped_vocabulary_emoji_mean_nothing(self) -> None:
        from finance.defaults import FALLBACK_SLUGS, parser_entries

        index = textparse.CategoryIndex(
            parser_entries(), {k.value: v for k, v in FALLBACK_SLUGS.items()}, vocabulary=False
        )
        self.assertEqual(parse("🍔 450", index=index).category_slug, "other")


class SlipsTestCase(BaseTestCase):
    def assertFiled(self, cases: dict[str, str]) -> None:
        for text, slug in cases.items():
            with self.subTest(text):
                self.assertEqual(parse(text).category_slug, slug)

    def test_it_forgives_the_slips_people_make_in_short_words(self) -> None:
        self.assertFiled(
            {
                "кофэ 200": "cafe",  # э for е
                "кфое 180": "cafe",  # two letters swapped
                "обэд 450": "cafe",
                "абед 400": "cafe",  # a vowel that sounds alike
                "пица 700": "cafe",  # a doubled letter dropped
                "сушы 1200": "cafe",
                "ашн 1800": "groceries",  # a letter dropped
                "txai 15": "transport",
                "uebr 20": "transport",
                "piza 20": "cafe",
                "rnet 900": "housing",
            }
        )

    def test_it_reads_a_latin_letter_inside_a_cyrillic_word(self) -> None:
        self.assertFiled(
            {
                "кoфе 200": "cafe",
                "KOФE 200": "cafe",
                "стрижкa 800": "beauty",
                "MTC 500": "communication",
            }
        )
        self.assertEqual(parse("обед 300 вчерa").date, MONDAY)

    def test_it_reads_a_word_typed_on_the_other_keyboard_layout(self) -> None:
        self.assertFiled({"rjat 180": "cafe", "nfrcb 300": "transport", "ефчш 12": "transport"})

    def test_it_reads_clipped_and_slang_words(self) -> None:
        self.assertFiled(
            {
                "инет 600": "communication",
                "тел 500": "communication",
                "мобила 400": "communication",
                "шава 250": "cafe",
                "коммуналка 5600": "utilities",
                "жкх 4500": "utilities",
                "магаз 700": "groceries",
                "репет 2000": "education",
                "каршер 600": "transport",
                "маник 1500": "beauty",
                "groc 45": "groceries",
            }
        )

    def test_it_reads_a_keyword_with_a_fond_ending(self) -> None:
        self.assertFiled(
            {"продуктики 1200": "groceries", "бензинчик 1500": "car", "жкхшка 5000": "utilities"}
        )

    def test_a_word_in_its_own_right_is_no_slip(self) -> None:
        for text in ("кинл 800", "банка 150", "bra 40", "cable 60", "кот 300"):
            with self.subTest(text):
                self.assertNotEqual(parse(text).category_slug, "entertainment")
        self.assertEqual(parse("кинл 800").category_slug, "other")
        self.assertEqual(parse("банка 150").category_slug, "other")

    def test_slips_of_words_of_two_categories_are_no_guess(self) -> None:
        result = parse("gass 40")  # gas (car) doubled, or glass (home) with a letter dropped
        self.assertEqual(result.category_slug, "other")
        self.assertFalse(result.category_guessed)


class HarderDatesTestCase(BaseTestCase):
    def test_it_reads_weekdays_of_past_weeks(self) -> None:
        cases = {
            "в прошлую среду": date(2026, 11, 18),
            "прошлая пятница": date(2026, 11, 20),
            "на прошлой неделе в четверг": date(2026, 11, 19),
            "на прошлой неделе в понедельник": date(2026, 11, 16),
            "в понедельник на прошлой неделе": date(2026, 11, 16),
            "в среду на позапрошлой неделе": date(2026, 11, 11),
            "позапрошлая пятница": date(2026, 11, 13),
            "в позапрошлую субботу": date(2026, 11, 14),
            "в пт": date(2026, 11, 20),
            "в воскресение": date(2026, 11, 22),
            "last wednesday": date(2026, 11, 18),
            "last week on thursday": date(2026, 11, 19),
            "thursday last week": date(2026, 11, 19),
            "the friday before last": date(2026, 11, 13),
            "this past friday": date(2026, 11, 20),
            "last thurs": date(2026, 11, 19),
        }
        for words, day in cases.items():
            for text in (f"такси 350 {words}", f"{words} такси 350"):
                with self.subTest(text):
                    result = parse(text)
                    self.assertEqual((result.date, result.amount), (day, 350))
                    self.assertEqual(result.note, "такси")

    def test_last_and_the_weekday_of_today_is_a_week_ago(self) -> None:
        self.assertEqual(parse("такси 350 во вторник").date, TUESDAY)
        self.assertEqual(parse("такси 350 в прошлый вторник").date, date(2026, 11, 17))
        self.assertEqual(parse("taxi 35 last tuesday").date, date(2026, 11, 17))
        self.assertEqual(parse("taxi 35 last monday").date, MONDAY)

    def test_it_reads_how_long_ago_in_words(self) -> None:
        cases = {
            "две недели назад": date(2026, 11, 10),
            "десять дней назад": date(2026, 11, 14),
            "двадцать один день назад": date(2026, 11, 3),
            "пару дней назад": date(2026, 11, 22),
            "дня три назад": date(2026, 11, 21),
            "две недели тому назад": date(2026, 11, 10),
            "месяц назад": date(2026, 10, 24),
            "позапозавчера": date(2026, 11, 21),
            "three days back": date(2026, 11, 21),
            "a week back": date(2026, 11, 17),
            "a couple of days ago": date(2026, 11, 22),
            "a fortnight ago": date(2026, 11, 10),
            "two months ago": date(2026, 9, 24),
            "the day before yesterday": date(2026, 11, 22),
            "last night": MONDAY,
            "на прошлой неделе": date(2026, 11, 17),
        }
        for words, day in cases.items():
            with self.subTest(words):
                self.assertEqual(parse(f"кофе 250 {words}").date, day)

    def test_it_reads_days_of_the_month_in_words(self) -> None:
        cases = {
            "on the 3rd": date(2026, 11, 3),
            "on the third": date(2026, 11, 3),
            "the twenty-first": date(2026, 11, 21),
            "3-го": date(2026, 11, 3),
            "третьего числа": date(2026, 11, 3),
            "пятнадцатого": date(2026, 11, 15),
            "первого ноября": date(2026, 11, 1),
            "двадцать пятое октября": date(2026, 10, 25),
            "on the 30th": date(2026, 10, 30),
        }
        for words, day in cases.items():
            with self.subTest(words):
                self.assertEqual(parse(f"кофе 250 {words}").date, day)

    def test_a_relative_day_with_a_slip_is_still_that_day(self) -> None:
        for text in ("такси 600 вчра", "taxi 20 yesturday", "кино 500 позавчира"):
            with self.subTest(text):
                self.assertLess(parse(text).date, TODAY)
        self.assertEqual(parse("такси350вчера").date, MONDAY)

    def test_a_number_after_a_month_that_no_month_has_is_money(self) -> None:
        result = parse("water bill for october 45")
        self.assertEqual((result.amount, result.date), (45, TODAY))

    def test_a_weekday_abbreviation_that_is_also_a_verb_needs_a_reason(self) -> None:
        self.assertEqual(parse("taxi 14 wed").date, date(2026, 11, 18))
        self.assertEqual(parse("sat at the bar 30").date, TODAY)


class WordSensesTestCase(BaseTestCase):
    def assertFiled(self, cases: dict[str, str]) -> None:
        for text, slug in cases.items():
            with self.subTest(text):
                self.assertEqual(parse(text).category_slug, slug)

    def test_the_words_around_a_weak_keyword_decide_its_sense(self) -> None:
        self.assertFiled(
            {
                "bill 40": "utilities",
                "bill for my phone 45": "communication",
                "dentist bill 120": "health",
                "bill at the restaurant 80": "cafe",
                "ticket 30": "transport",
                "ticket to the movies 12": "entertainment",
                "ticket concert 70": "entertainment",
                "pass for the bus 60": "transport",
                "coach 35": "transport",
                "tennis coach 40": "sport",
                "tip for the taxi 5": "transport",
                "билет 60": "transport",
                "билет в театр на двоих 2500": "entertainment",
                "счёт в ресторане 3200": "cafe",
                "абонемент 3000": "sport",
                "абонемент в театр 6000": "entertainment",
                "магазин одежды 4000": "clothing",
                "штраф за парковку 500": "car",
            }
        )

    def test_english_verbs_are_not_the_nouns_they_look_like(self) -> None:
        self.assertFiled(
            {
                "booked a hotel 120": "travel",
                "booked flights 300": "travel",
                "books 24": "education",
                "fuel the car 50": "car",
                "ordered pizza 25": "cafe",
                "shopped for groceries 60": "groceries",
            }
        )

    def test_a_word_before_the_amount_is_no_verb_of_the_words_after_it(self) -> None:
        self.assertEqual(parse("uber 14 the other day").category_slug, "transport")
        self.assertEqual(parse("the other day uber 14").category_slug, "transport")

    def test_a_persons_own_keyword_is_never_weak(self) -> None:
        from finance.defaults import FALLBACK_SLUGS, parser_entries

        entries = [
            textparse.CategoryEntry(
                e.id, e.slug, e.name, e.kind, (*e.aliases, textparse.Alias("bill", "learned"))
            )
            if e.slug == "housing"
            else e
            for e in parser_entries()
        ]
        index = textparse.CategoryIndex(entries, {k.value: v for k, v in FALLBACK_SLUGS.items()})
        self.assertEqual(parse("bill phone 45", index=index).category_slug, "housing")
        self.assertEqual(parse("bill phone 45").category_slug, "communication")
