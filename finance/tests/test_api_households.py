"""The JWT API of a household: splits on transactions, balances, settlements and the
default split, under /api/ledgers/{id}/."""

from typing import Any

from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from finance.models import ExchangeRate, Settlement, Share, Transaction
from ledgers.tests.household import HouseholdTestCase


class HouseholdApiTestCase(HouseholdTestCase):
    def setUp(self) -> None:
        self.api = APIClient()
        self.as_user(self.alice)

    def as_user(self, user: User) -> None:
        access = RefreshToken.for_user(user).access_token
        self.api.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")

    def url(self, tail: str) -> str:
        return f"/api/ledgers/{self.home.pk}/{tail}"

    def post_expense(self, **body: Any) -> Any:
        data = {
            "kind": "expense",
            "amount": "900.00",
            "category": self.home_category("groceries").pk,
            "date": "2026-11-03",
            **body,
        }
        return self.api.post(f"/api/transactions/?ledger={self.home.pk}", data, format="json")


class SplitApiTestCase(HouseholdApiTestCase):
    def test_a_transaction_carries_its_split(self) -> None:
        split = {
            "mode": "shares",
            "members": [{"user": self.alice.pk, "share": "2"}, {"user": self.carol.pk, "share": 1}],
        }
        response = self.post_expense(split=split)
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(
            response.json()["split"],
            {
                "mode": "shares",
                "members": [
                    {"user": self.alice.pk, "name": "alice", "share": "2", "amount": "600.00"},
                    {"user": self.carol.pk, "name": "carol", "share": "1", "amount": "300.00"},
                ],
            },
        )
        listed = self.api.get(f"/api/transactions/?ledger={self.home.pk}").json()["results"]
        self.assertEqual(listed[0]["split"], response.json()["split"])

    def test_omitted_it_is_the_ledgers_default(self) -> None:
        response = self.post_expense()
        self.assertEqual(response.json()["split"]["mode"], "equal")
        self.assertEqual([m["amount"] for m in response.json()["split"]["members"]], ["300.00"] * 3)

    def test_a_split_is_changed_with_patch_and_a_bad_one_is_a_400(self) -> None:
        tx_id = self.post_expense().json()["id"]
        url = f"/api/transactions/{tx_id}/?ledger={self.home.pk}"
        split = {"mode": "amounts", "members": [{"user": self.carol.pk, "share": "900"}]}
        response = self.api.patch(url, {"split": split}, format="json")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(Share.objects.get(split_id=tx_id).user, self.carol)
        bad = {"mode": "amounts", "members": [{"user": self.carol.pk, "share": "800"}]}
        response = self.api.patch(url, {"split": bad}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            [(d["path"], d["code"]) for d in response.json()["details"]],
            [("split", "split_amounts_mismatch")],
        )
        self.assertEqual(Share.objects.get(split_id=tx_id).amount_minor, 90000)

    def test_malformed_splits_are_refused_before_anything_is_written(self) -> None:
        for split in (
            {"mode": "thirds"},
            {"mode": "shares", "members": [{"user": self.alice.pk, "share": 1.5}]},
            {"mode": "shares", "members": [{"user": self.alice.pk, "share": "-1"}]},
            {"mode": "equal", "members": [{"user": self.bob.pk}]},
            {"mode": "equal", "members": "everyone"},
        ):
            with self.subTest(split=split):
                response = self.post_expense(split=split)
                self.assertEqual(response.status_code, 400, response.content)
                self.assertTrue(response.json()["details"][0]["path"].startswith("split"))
        self.assertFalse(Transaction.objects.filter(ledger=self.home).exists())

    def test_text_with_split_words_is_split(self) -> None:
        response = self.api.post(
            f"/api/transactions/?ledger={self.home.pk}",
            {"text": "пицца 1200 пополам с carol"},
            format="json",
        )
        self.assertEqual(response.status_code, 201, response.content)
        members = response.json()["split"]["members"]
        self.assertEqual(
            [(m["name"], m["amount"]) for m in members], [("alice", "600.00"), ("carol", "600.00")]
        )


class BalancesApiTestCase(HouseholdApiTestCase):
    def test_who_owes_whom(self) -> None:
        self.spend(self.alice, "300")
        self.spend(self.carol, "90")
        self.as_user(self.dave)  # a read-only member reads them too
        response = self.api.get(self.url("balances/"))
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual(
            body["balances"],
            [
                {"user": self.alice.pk, "name": "alice", "currency": "RUB", "balance": "170.00"},
                {"user": self.carol.pk, "name": "carol", "currency": "RUB", "balance": "-40.00"},
                {"user": self.dave.pk, "name": "dave", "currency": "RUB", "balance": "-130.00"},
            ],
        )
        self.assertEqual(
            body["settle"],
            [
                {"from": self.dave.pk, "to": self.alice.pk, "amount": "130.00", "currency": "RUB"},
                {"from": self.carol.pk, "to": self.alice.pk, "amount": "40.00", "currency": "RUB"},
            ],
        )
        self.assertEqual((body["currency"], body["unconverted"]), (None, []))

    def test_a_currency_converts_and_says_what_it_could_not(self) -> None:
        self.spend(self.alice, "300")
        response = self.api.get(self.url("balances/?currency=EUR"))
        body = response.json()
        self.assertEqual((body["currency"], body["unconverted"]), ("EUR", ["RUB"]))
        self.assertEqual(body["missing_rates"][0]["from"], "RUB")
        ExchangeRate.objects.create(date="2026-01-01", base="EUR", quote="RUB", rate=100)
        body = self.api.get(self.url("balances/?currency=EUR")).json()
        self.assertEqual(body["unconverted"], [])
        self.assertEqual([b["balance"] for b in body["balances"]], ["2.00", "-1.00", "-1.00"])
        response = self.api.get(self.url("balances/?currency=ZZZ"))
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["details"][0]["code"], "unknown_currency")

    def test_a_stranger_gets_a_404(self) -> None:
        self.as_user(self.bob)
        self.assertEqual(self.api.get(self.url("balances/")).status_code, 404)
        self.assertEqual(self.api.get(self.url("settlements/")).status_code, 404)


class SettlementApiTestCase(HouseholdApiTestCase):
    def test_record_list_and_undo(self) -> None:
        self.spend(self.alice, "300")
        self.as_user(self.carol)
        body = {"from": self.carol.pk, "to": self.alice.pk, "amount": "100", "currency": "RUB"}
        response = self.api.post(self.url("settlements/"), body, format="json")
        self.assertEqual(response.status_code, 201, response.content)
        created = response.json()
        self.assertEqual(
            {k: created[k] for k in ("from", "to", "amount", "currency", "created_by")},
            {
                "from": self.carol.pk,
                "to": self.alice.pk,
                "amount": "100.00",
                "currency": "RUB",
                "created_by": self.carol.pk,
            },
        )
        balances = self.api.get(self.url("balances/")).json()["balances"]
        self.assertEqual([b["balance"] for b in balances], ["100.00", "0.00", "-100.00"])
        listed = self.api.get(self.url("settlements/")).json()
        self.assertEqual([s["id"] for s in listed], [created["id"]])
        response = self.api.delete(self.url(f"settlements/{created['id']}/"))
        self.assertEqual(response.status_code, 204)
        self.assertEqual(
            self.api.delete(self.url(f"settlements/{created['id']}/")).status_code, 404
        )
        self.assertFalse(Settlement.objects.exists())

    def test_a_member_records_only_their_own_payments(self) -> None:
        self.as_user(self.carol)
        body = {"from": self.dave.pk, "to": self.alice.pk, "amount": "10"}
        response = self.api.post(self.url("settlements/"), body, format="json")
        self.assertEqual(response.status_code, 403)
        self.assertEqual(response.json()["error"], "settlement_not_party")
        self.as_user(self.dave)
        body = {"from": self.dave.pk, "to": self.alice.pk, "amount": "10"}
        response = self.api.post(self.url("settlements/"), body, format="json")
        self.assertEqual(response.status_code, 403)
        self.assertEqual(response.json()["error"], "ledger_read_only")
        self.assertFalse(Settlement.objects.exists())

    def test_bad_input_says_which_field(self) -> None:
        cases = [
            (
                {"from": self.alice.pk, "to": self.alice.pk, "amount": "1"},
                "to",
                "settlement_same_person",
            ),
            (
                {"from": self.alice.pk, "to": self.bob.pk, "amount": "1"},
                "to",
                "settlement_unknown_person",
            ),
            (
                {"from": self.bob.pk, "to": self.alice.pk, "amount": "1"},
                "from",
                "settlement_unknown_person",
            ),
            (
                {"from": self.alice.pk, "to": self.carol.pk, "amount": "0"},
                "amount",
                "amount_out_of_range",
            ),
            (
                {"from": self.alice.pk, "to": self.carol.pk, "amount": "1,5"},
                "amount",
                "invalid_amount",
            ),
            (
                {"from": self.alice.pk, "to": self.carol.pk, "amount": "1", "currency": "QQQ"},
                "currency",
                "unknown_currency",
            ),
            ({"to": self.carol.pk, "amount": "1"}, "from", "required"),
        ]
        for body, path, code in cases:
            with self.subTest(body=body):
                response = self.api.post(self.url("settlements/"), body, format="json")
                self.assertEqual(response.status_code, 400, response.content)
                self.assertEqual(
                    [(d["path"], d["code"]) for d in response.json()["details"]], [(path, code)]
                )
        self.assertFalse(Settlement.objects.exists())


class DefaultSplitApiTestCase(HouseholdApiTestCase):
    def test_a_manager_sets_it_and_everyone_reads_it(self) -> None:
        body = {
            "weights": [
                {"user": self.alice.pk, "weight": "60"},
                {"user": self.carol.pk, "weight": "40"},
            ]
        }
        response = self.api.put(self.url("split/"), body, format="json")
        self.assertEqual(response.status_code, 200, response.content)
        self.as_user(self.carol)
        data = self.api.get(self.url("split/")).json()
        self.assertEqual(data["mode"], "shares")
        self.assertEqual(
            [(m["name"], m["weight"]) for m in data["members"]],
            [("alice", "60"), ("carol", "40"), ("dave", None)],
        )
        response = self.api.put(self.url("split/"), {"weights": []}, format="json")
        self.assertEqual(response.status_code, 403)
        self.as_user(self.alice)
        self.assertEqual(self.post_expense().json()["split"]["members"][0]["amount"], "540.00")
        response = self.api.put(
            self.url("split/"), {"weights": [{"user": self.bob.pk, "weight": "1"}]}, format="json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["details"][0]["code"], "split_not_member")
