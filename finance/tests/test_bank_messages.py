"""Bank notifications to operations: each bank's corpus, the fields one by one, the fingerprint."""

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal

from django.test import SimpleTestCase

from finance.readers import bank_messages
from finance.readers.bank_messages import Kind, merchants
from finance.tests.bank_messages import TODAY, load, score

BANKS = {
    "sber", "tbank", "alfa", "vtb", "gazprombank", "raiffeisen", "ozon", "yandex",
    "revolut", "wise", "n26", "chase", "amex",
}  # fmt: skip
EVERY_KIND = {k.value for k in Kind} - {Kind.NOT_UNDERSTOOD.value}


def read(text: str, today: dt.date = TODAY) -> list[bank_messages.Operation]:
    return bank_messages.read(text, today=today)


def one(text: str, today: dt.date = TODAY) -> bank_messages.Operation:
    ops = read(text, today)
    assert len(ops) == 1, ops
    return ops[0]


class CorpusTestCase(SimpleTestCase):
    def setUp(self) -> None:
        self.examples = load()

    def test_every_bank_has_a_corpus_of_every_kind_it_sends(self) -> None:
        self.assertEqual({b.code for b in bank_messages.BANKS}, BANKS)
        groups = Counter(e["group"] for e in self.examples)
        for group in (*sorted(BANKS - {"chase", "amex"}), "us_card"):
            self.assertGreaterEqual(groups[group], 10, group)
        kinds: defaultdict[str, set[str]] = defaultdict(set)
        for example in self.examples:
            kinds[example["group"]] |= {op["kind"] for op in example["expect"]}
        for group in ("sber", "tbank", "alfa", "vtb", "gazprombank", "raiffeisen", "ozon"):
            # Sber's cashback comes as points (СберСпасибо), not money.
            expected = EVERY_KIND - {"cashback"} if group == "sber" else EVERY_KIND
            self.assertLessEqual(expected, kinds[group], group)
        for group in ("yandex", "revolut", "wise", "n26", "us_card"):
            self.assertGreaterEqual(len(kinds[group]), 9, group)
        texts = [e["text"] for e in self.examples]
        self.assertEqual(len(texts), len(set(texts)), "no notification twice")
        detected = {op["bank"] for e in self.examples for op in e["expect"]}
        self.assertEqual(detected - {""}, BANKS)

    def test_every_notification_reads_as_labelled(self) -> None:
        result = score(self.examples)
        print(f"\nBank notifications, per bank:\n{result.table()}")  # noqa: T201
        self.assertEqual(result.wrong, [])
        self.assertGreaterEqual(sum(result.categories.values()), 75)

    def test_the_amount_is_never_a_balance_it_states(self) -> None:
        for example in self.examples:
            for op in read(example["text"]):
                if op.balance is not None and op.amount is not None:
                    with self.subTest(example["text"]):
                        self.assertIn(f"{op.amount:.2f}", [e["amount"] for e in example["expect"]])
                        self.assertNotEqual(op.amount, op.balance)


class FieldsTestCase(SimpleTestCase):
    def test_it_reads_every_amount_style(self) -> None:
        cases = {
            "Покупка 550р PYATEROCHKA": ("550.00", "RUB"),
            "Покупка 1 250.50р SBERMARKET": ("1250.50", "RUB"),
            "Покупка 1\u00a0234,56\u00a0₽ в Пятёрочке": ("1234.56", "RUB"),
            "Оплата 12 345 ₽": ("12345.00", "RUB"),
            "Оплата 550 руб. Лента": ("550.00", "RUB"),
            "Оплата 550 рублей": ("550.00", "RUB"),
            "Pokupka; Summa: 550,00 RUR; Ostatok: 1,00 RUR": ("550.00", "RUB"),
            "Оплата RUB 550.00": ("550.00", "RUB"),
            "Покупка 12,50 $, STEAM": ("12.50", "USD"),
            "You spent $1,234.56 at BESTBUY": ("1234.56", "USD"),
            "You spent $12,345,678 at BESTBUY": ("12345678.00", "USD"),
            "Bezahlt 1.234,56 € bei MediaMarkt": ("1234.56", "EUR"),
            "You spent 12.5 EUR at LIDL": ("12.50", "EUR"),
            "Пятёрочка\n−550 ₽": ("550.00", "RUB"),
            "Оплата 2 000 KZT, Magnum": ("2000.00", "KZT"),
            "Paid ¥1200 at Lawson": ("1200.00", "JPY"),
        }
        for text, (amount, currency) in cases.items():
            with self.subTest(text):
                op = one(text)
                self.assertEqual((f"{op.amount:.2f}", op.currency), (amount, currency))

    def test_a_card_number_or_a_time_is_never_the_amount(self) -> None:
        op = one("Karta *1234 12:34 Oplata 550 RUB PYATEROCHKA 1234")
        self.assertEqual(op.amount, Decimal("550.00"))
        op = one("Chase: Your card ending in 1234 $45.67 at STARBUCKS was declined")
        self.assertEqual((op.amount, op.card), (Decimal("45.67"), "1234"))

    def test_it_reads_every_card_mask(self) -> None:
        cases = [
            "ECMC1234 12:34 Покупка 550р X",
            "MIR-1234 12:34 Покупка 550р X",
            "СЧЁТ1234 12:34 Зачисление 550р",
            "Покупка, карта *1234. 550 RUB. X",
            "Покупка 550 ₽ X, карта •1234",
            "Покупка 550 ₽, Карта MIR •• 1234",
            "Покупка 550 ₽, счёт ··1234",
            "Telecard; Card1234; Pokupka; Summa 550.00 RUR; X",
            "Покупка 550 ₽, карта **1234",
            "Transfer of $550.00 from checking …1234",
            "A charge of $550.00 at X was made on your Card ending in 1234.",
        ]
        for text in cases:
            with self.subTest(text):
                self.assertEqual(one(text).card, "1234")

    def test_it_reads_dates_and_times_as_banks_print_them(self) -> None:
        cases = {
            "VISA1234 12.11.26 09:41 покупка 185р X": ("2026-11-12", "09:41:00"),
            "Karta *1; Pokupka; Summa: 5,00 RUR; X; 23.11.2026 12:34:56": (
                "2026-11-23",
                "12:34:56",
            ),
            "Telecard; Card1; Pokupka; Summa 5.00 RUR; X; 2026-11-23 12:34:56": (
                "2026-11-23",
                "12:34:56",
            ),
            "Karta *1; Provedena tranzakcija:5,00 RUB; Data:23/11/2026; Mesto: X": (
                "2026-11-23",
                None,
            ),
            "Chase: You made a $5.00 transaction with X on Nov 23, 2026 at 8:15 PM ET.": (
                "2026-11-23",
                "20:15:00",
            ),
            "Chase: A $5.00 debit card transaction to X on 11/22/2026 10:15:00 AM ET": (
                "2026-11-22",
                "10:15:00",
            ),
            "Покупка 5 ₽ в X 23 ноября в 12:34": ("2026-11-23", "12:34:00"),
            "Покупка 5 ₽ в X 23.11 12:34": ("2026-11-23", "12:34:00"),
            "Вчера в 23:50 покупка 5 ₽ в X": ("2026-11-23", "23:50:00"),
        }
        for text, (date, time) in cases.items():
            with self.subTest(text):
                op = one(text)
                self.assertEqual(op.date.isoformat() if op.date else None, date)
                self.assertEqual(op.time.isoformat() if op.time else None, time)

    def test_a_day_without_a_year_is_the_latest_not_after_today(self) -> None:
        op = one("Покупка 5 ₽ в X 28.12 12:34", today=dt.date(2027, 1, 3))
        self.assertEqual(op.date, dt.date(2026, 12, 28))
        self.assertEqual(op.time, dt.time(12, 34))

    def test_what_is_not_a_notification_is_not_understood(self) -> None:
        self.assertEqual(read(""), [])
        self.assertEqual(read(" \n\n "), [])
        for text in ("Привет! Как дела?", "Баланс: 12 345 ₽", "кофе 250", "Покупка 0 ₽ в X"):
            with self.subTest(text):
                op = one(text)
                self.assertEqual(
                    (op.kind, op.amount, op.currency), (Kind.NOT_UNDERSTOOD, None, None)
                )

    def test_a_paste_of_several_reads_each_in_order_where_it_stands(self) -> None:
        text = (
            "ECMC1234 12:34 Покупка 550р PYATEROCHKA Баланс: 12 345.67р "
            "ECMC1234 12:40 Покупка 349р YANDEX*TAXI Баланс: 11 996.67р\n"
            "Оплата 1 050р Карта*7731 DODO PIZZA Баланс 5 300р 20:40\n\n"
            "Пятёрочка\n−99 ₽\nMIR •• 5521. Баланс 1\u00a0000 ₽\n"
            "Revolut\nPaid £12.50 at Tesco Express"
        )
        ops = read(text)
        self.assertEqual(
            [(op.bank, op.amount, op.counterpart) for op in ops],
            [
                ("sber", Decimal("550.00"), "PYATEROCHKA"),
                ("sber", Decimal("349.00"), "YANDEX*TAXI"),
                ("vtb", Decimal("1050.00"), "DODO PIZZA"),
                ("sber", Decimal("99.00"), "Пятёрочка"),
                ("revolut", Decimal("12.50"), "Tesco Express"),
            ],
        )
        for op in ops:
            self.assertEqual(text[op.span[0] : op.span[1]], op.text)
        self.assertEqual(ops[2].time, dt.time(20, 40))
        self.assertEqual(ops[3].text, "Пятёрочка\n−99 ₽\nMIR •• 5521. Баланс 1\u00a0000 ₽")

    def test_an_overdrawn_balance_is_below_zero_and_the_amount_is_not(self) -> None:
        op = one("VISA8812 12:34 Покупка 550р PYATEROCHKA Баланс: -1 234.56р")
        self.assertEqual((op.amount, op.balance), (Decimal("550.00"), Decimal("-1234.56")))

    def test_a_fee_beside_a_transfer_is_kept_apart(self) -> None:
        op = one("Перевод 1 500 ₽ Анне С.\nКомиссия 15 ₽\nБаланс 3 000 ₽")
        self.assertEqual(
            (op.kind, op.amount, op.fee, op.balance),
            (Kind.TRANSFER_OUT, Decimal("1500.00"), Decimal("15.00"), Decimal("3000.00")),
        )

    def test_the_merchant_text_keeps_the_words_a_parser_knows(self) -> None:
        cases = {
            "PYATEROCHKA 1234 MOSCOW RUS": "PYATEROCHKA MOSCOW",
            "YANDEX*TAXI": "YANDEX TAXI",
            "RU/MOSCOW/SBERMARKET.RU": "SBERMARKET",
            "SQ *BLUE BOTTLE COFFEE": "BLUE BOTTLE COFFEE",
            'ООО "Ромашка"': "Ромашка",
            "WWW.WILDBERRIES.RU": "WILDBERRIES",
            "CVS/PHARMACY #1234": "CVS PHARMACY",
            "TELE2 ONLINE": "TELE2 ONLINE",
            "APPLE.COM/BILL": "APPLE BILL",
        }
        for printed, words in cases.items():
            with self.subTest(printed):
                self.assertEqual(merchants.clean(printed), words)


class FingerprintTestCase(SimpleTestCase):
    def test_an_sms_and_its_push_share_one(self) -> None:
        pairs = [
            (
                "MIR-5521 12:34 Покупка 550р PYATEROCHKA 1234 Баланс: 12345.67р",
                "Пятёрочка\n−550 ₽\nMIR •• 5521. Баланс 12 345,67 ₽",
            ),
            (
                "MIR-5521 18:02 Перевод 5000р от Иван И. Баланс: 17 345.67р",
                "Перевод от Иван И.\n+5 000 ₽\nMIR •• 5521. Баланс 17 345,67 ₽",
            ),
            (
                "Покупка, карта *4406. 349 RUB. YANDEX*TAXI. Доступно 5 432.10 RUB",
                "Т-Банк\nОплата 349 ₽ в «Яндекс Go». Карта *4406. Баланс 5 432,10 ₽",
            ),
        ]
        for sms, push in pairs:
            with self.subTest(sms):
                self.assertEqual(one(sms).fingerprint, one(push).fingerprint)

    def test_a_forwarded_copy_keeps_it(self) -> None:
        sms = "ECMC1234 12:34 Покупка 550р PYATEROCHKA 1234 Баланс: 12345.67р"
        copies = [
            f"  {sms}\r\n",
            sms.replace(" ", "\u00a0"),
            f"Пересланное сообщение\n{sms}",
            f"{sms}\n\nСпасибо",
        ]
        for copy in copies:
            with self.subTest(copy):
                ops = read(copy)
                self.assertEqual(ops[0].fingerprint, one(sms).fingerprint)
        # Read another day or another year, a day and month without a year keep it too.
        dated = "VISA8812 28.12 12:34 покупка 185р COFFEE LIKE"
        self.assertEqual(one(dated).fingerprint, one(dated, today=dt.date(2027, 1, 5)).fingerprint)

    def test_two_purchases_of_the_same_amount_differ(self) -> None:
        first = one("ECMC1234 12:34 Покупка 550р PYATEROCHKA Баланс: 12345.67р")
        second = one("ECMC1234 12:34 Покупка 550р PYATEROCHKA Баланс: 11795.67р")
        self.assertNotEqual(first.fingerprint, second.fingerprint)
        # Without a balance, the time tells them apart, and the card, and the merchant.
        base = "Chase: You made a $5.00 transaction with STARBUCKS on Nov 23, 2026 at 8:15 AM ET."
        others = [
            base.replace("8:15", "8:47"),
            base.replace("Nov 23", "Nov 22"),
            base.replace("STARBUCKS", "PEETS COFFEE"),
            base.replace("$5.00", "$5.01"),
            base.replace("You made a", "You received a"),
        ]
        fingerprints = {one(text).fingerprint for text in [base, *others]}
        self.assertEqual(len(fingerprints), 1 + len(others))

    def test_it_is_a_hash_that_keeps_the_balance_out(self) -> None:
        op = one("ECMC1234 12:34 Покупка 550р PYATEROCHKA Баланс: 12345.67р")
        self.assertRegex(op.fingerprint, r"^[0-9a-f]{32}$")
        self.assertNotIn("12345", op.fingerprint)
