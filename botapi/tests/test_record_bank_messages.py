"""record_bank_messages and record_separately through the bot endpoint."""

import time_machine
from django.test import override_settings
from jsonschema import Draft202012Validator

from accounts.models import Scope
from accounts.services import api_token_create
from botapi.openapi import BANK_ITEM, CATEGORY, OPERATION, TRANSACTION
from botapi.tests.helpers import BotTestCase
from finance.models import Capture, Transaction
from finance.services.text import record_from_text
from finance.tests.bank_recording import NOW, comparable, examples, expected, item_view

PURCHASE = "ECMC1234 11:50 Покупка 250р KOFEJNYA SHOKOLADNICA Баланс: 9750.00р"
SALARY = "СЧЁТ4417 10:01 Зачисление зарплаты 85 000р Баланс: 97 345.67р"

ITEM_SCHEMA = {
    **BANK_ITEM,
    "$defs": {
        "BotBankOperation": OPERATION,
        "BotTransaction": TRANSACTION,
        "BotCategory": CATEGORY,
    },
}


def _local_refs(schema: object) -> object:
    """The OpenAPI document's component references as references into `$defs`."""
    if isinstance(schema, dict):
        return {
            k: (v.replace("#/components/schemas/", "#/$defs/") if k == "$ref" else _local_refs(v))
            for k, v in schema.items()
        }
    if isinstance(schema, list):
        return [_local_refs(v) for v in schema]
    return schema


ITEM = Draft202012Validator(_local_refs(ITEM_SCHEMA))  # type: ignore[arg-type]


# The corpus is some 250 requests of one token in a minute.
@override_settings(BOT_RATELIMIT_TOKEN="100000/m")
@time_machine.travel(NOW, tick=False)
class RecordBankMessagesTestCase(BotTestCase):
    def record(self, text: str, *, token: str | None = None, **payload: object) -> list[dict]:  # type: ignore[type-arg]
        response = self.act("record_bank_messages", {"text": text, **payload}, token=token)
        self.assertIn(response.status_code, (200, 201), response.content)
        items: list[dict] = response.json()["result"]["items"]  # type: ignore[type-arg]
        for item in items:
            ITEM.validate(item)
        return items

    def token(self, *scopes: str) -> str:
        return api_token_create(user=self.alice, name="x", scopes=list(scopes), source="cli").raw

    def test_every_banks_notifications_give_the_corpus_once(self) -> None:
        recorded = 0
        for example in examples():
            items = self.record(example["text"])
            self.assertEqual(len(items), len(example["expect"]), example["text"])
            for item, op in zip(items, example["expect"], strict=True):
                want = expected(op)
                with self.subTest(group=example["group"], text=example["text"]):
                    if item["outcome"] == "duplicate":  # an SMS's push, pasted after it
                        self.assertEqual(want.outcome, "recorded")
                        continue
                    self.assertEqual(comparable(want, item_view(item)), want)
                    recorded += item["outcome"] == "recorded"
        transactions = Transaction.objects.filter(created_by=self.alice)
        self.assertEqual(transactions.count(), recorded)
        self.assertEqual(set(transactions.values_list("source", flat=True)), {"bot"})

    def test_the_answer_per_notification(self) -> None:
        record_from_text(user=self.alice, kind="expense", text="кофе 250", source="web")
        text = "\n\n".join(
            [
                PURCHASE,
                "MIR-5521 19:45 перевод 2000р получатель Сергей П. Баланс: 1 456.78р",
                SALARY,
                "Привет!",
            ]
        )
        response = self.act("record_bank_messages", {"text": text})
        self.assertEqual(response.status_code, 201, response.content)
        matched, transfer, salary, hello = response.json()["result"]["items"]
        self.assertEqual(hello, {"outcome": "not_understood", "text": "Привет!"})
        self.assertEqual(matched["outcome"], "matched")
        self.assertEqual(matched["transaction"]["note"], "кофе")
        self.assertEqual(
            matched["operation"],
            {
                "kind": "purchase",
                "amount": "250.00",
                "currency": "RUB",
                "date": "2026-11-24",
                "time": "11:50",
                "counterpart": "KOFEJNYA SHOKOLADNICA",
                "card": "1234",
                "bank": "sber",
            },
        )
        self.assertEqual((transfer["outcome"], transfer["reason"]), ("skipped", "transfer"))
        self.assertEqual(
            (
                salary["outcome"],
                salary["transaction"]["kind"],
                salary["transaction"]["category"]["slug"],
            ),
            ("recorded", "income", "salary"),
        )

    def test_a_retry_with_the_same_key_is_the_first_answer(self) -> None:
        first = self.act("record_bank_messages", {"text": PURCHASE}, key="bank-retry-0001")
        second = self.act("record_bank_messages", {"text": PURCHASE}, key="bank-retry-0001")
        self.assertEqual(first.json(), second.json())
        self.assertEqual(second["Idempotent-Replayed"], "true")
        self.assertEqual(first.json()["result"]["items"][0]["outcome"], "recorded")
        # A new request with the same notification is a duplicate.
        (again,) = self.record(PURCHASE)
        self.assertEqual(again["outcome"], "duplicate")
        self.assertEqual(Transaction.objects.count(), 1)

    def test_each_notification_needs_the_scope_of_its_kind(self) -> None:
        incomes = self.token(Scope.INCOMES_WRITE)
        purchase, salary = self.record(f"{PURCHASE}\n\n{SALARY}", token=incomes)
        self.assertEqual(
            (purchase["outcome"], purchase["reason"]), ("skipped", "insufficient_scope")
        )
        self.assertEqual(salary["outcome"], "recorded")
        reader = self.token(Scope.SUMMARIES_READ)
        response = self.act("record_bank_messages", {"text": PURCHASE}, token=reader)
        self.assert_error(response, 403, "insufficient_scope")

    def test_a_text_with_no_notification_is_a_400(self) -> None:
        response = self.act("record_bank_messages", {"text": "кофе 250"})
        self.assert_error(response, 400, "validation_error", [("payload.text", "no_notifications")])
        response = self.act("record_bank_messages", {"text": ""})
        self.assert_error(response, 400, "validation_error", [("payload.text", "blank")])
        self.assertFalse(Transaction.objects.exists())

    def test_record_separately_undoes_a_match(self) -> None:
        typed = record_from_text(user=self.alice, kind="expense", text="250", source="web")
        (matched,) = self.record(PURCHASE)
        self.assertEqual(matched["outcome"], "matched")
        expenses_only = self.token(Scope.INCOMES_WRITE)
        refused = self.act(
            "record_separately", {"match_id": matched["match_id"]}, token=expenses_only
        )
        self.assert_error(refused, 403, "insufficient_scope")
        response = self.act("record_separately", {"match_id": matched["match_id"]})
        self.assertEqual(response.status_code, 201, response.content)
        separate = response.json()["result"]
        self.assertNotEqual(separate["id"], typed.pk)
        self.assertEqual(
            (separate["amount"], separate["category"]["slug"], separate["kind"]),
            ("250.00", "cafe", "expense"),
        )
        self.assertEqual(Transaction.objects.count(), 2)
        self.assertFalse(Capture.objects.filter(matched=True).exists())
        again = self.act("record_separately", {"match_id": matched["match_id"]})
        self.assert_error(again, 400, "validation_error", [("payload.match_id", "match_not_found")])

    def test_another_persons_match_is_not_found(self) -> None:
        record_from_text(user=self.alice, kind="expense", text="250", source="web")
        (matched,) = self.record(PURCHASE)
        bobs = api_token_create(user=self.bob, name="b", scopes=Scope.values, source="cli").raw
        response = self.act("record_separately", {"match_id": matched["match_id"]}, token=bobs)
        self.assert_error(
            response, 400, "validation_error", [("payload.match_id", "match_not_found")]
        )
        self.assertEqual(Transaction.objects.count(), 1)
