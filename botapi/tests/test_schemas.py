import json
from decimal import Decimal

from django.test import SimpleTestCase
from django.utils import translation
from jsonschema import Draft202012Validator

from botapi import actions, schemas
from core.errors import ApiError


class SchemaFilesTestCase(SimpleTestCase):
    def test_every_schema_is_valid_draft_2020_12(self) -> None:
        files = sorted(p.stem for p in schemas.SCHEMA_DIR.glob("*.json"))
        self.assertEqual(files, sorted([*actions.ACTIONS, "envelope"]))
        for name in files:
            with self.subTest(schema=name):
                schema = json.loads((schemas.SCHEMA_DIR / f"{name}.json").read_text())
                self.assertEqual(schema["$schema"], "https://json-schema.org/draft/2020-12/schema")
                Draft202012Validator.check_schema(schema)
                self.assertIs(schema["additionalProperties"], False)

    def test_every_action_declares_a_description_a_scope_and_a_valid_example(self) -> None:
        for name, action in actions.ACTIONS.items():
            with self.subTest(action=name):
                self.assertTrue(action.description)
                self.assertTrue(action.description_in("ru"))
                self.assertTrue(action.scopes)
                self.assertEqual(list(action.validator.iter_errors(action.example)), [])
                request = actions.example_request(action)
                self.assertEqual(list(actions.ENVELOPE.iter_errors(request)), [])

    def test_the_envelope_names_exactly_the_registrys_actions(self) -> None:
        enum = actions.envelope_schema()["properties"]["action"]["enum"]
        self.assertEqual(enum, list(actions.ACTIONS))


class ProblemsTestCase(SimpleTestCase):
    def problems(self, action: str, payload: object) -> list[tuple[str, str]]:
        validator = actions.ACTIONS[action].validator
        return [(d["path"], d["code"]) for d in schemas.problems(validator, payload, "payload")]

    def test_every_problem_is_listed_with_its_path(self) -> None:
        self.assertEqual(
            self.problems("create_expense", {"date": "2026-02-30", "currency": 5, "tip": 1}),
            [
                ("payload.currency", "invalid_type"),
                ("payload.date", "invalid_format"),
                ("payload.text", "required"),
                ("payload.tip", "unknown_field"),
            ],
        )

    def test_amounts_are_decimal_strings_or_integers_never_floats(self) -> None:
        base = {"month": "2026-11", "category_id": 1}
        for amount in ["15000.50", "0", 15000, 0]:
            with self.subTest(amount=amount):
                self.assertEqual(
                    self.problems("set_budget_item", {**base, "planned_amount": amount}), []
                )
        refused = [
            (Decimal("15000.5"), "float_not_allowed"),
            (Decimal("100.0"), "float_not_allowed"),
            ("15000.505", "invalid"),
            ("1e5", "invalid"),
            (-1, "invalid"),
            (True, "invalid"),
        ]
        for amount, code in refused:
            with self.subTest(amount=amount):
                self.assertEqual(
                    self.problems("set_budget_item", {**base, "planned_amount": amount}),
                    [("payload.planned_amount", code)],
                )

    def test_one_category_reference_exactly(self) -> None:
        base = {"month": "2026-11", "planned_amount": "1"}
        self.assertEqual(self.problems("set_budget_item", base), [("payload", "one_of")])
        both = {**base, "category_id": 1, "category": "cafe"}
        self.assertEqual(self.problems("set_budget_item", both), [("payload", "one_of")])


class ParseBodyTestCase(SimpleTestCase):
    def code(self, body: bytes) -> str:
        with self.assertRaises(ApiError) as cm:
            schemas.parse_body(body)
        self.assertEqual(cm.exception.status_code, 400)
        return cm.exception.details[0]["code"]

    def test_floats_parse_as_exact_decimals(self) -> None:
        self.assertEqual(schemas.parse_body(b'{"a": 0.1}'), {"a": Decimal("0.1")})

    def test_what_cannot_be_json_is_refused(self) -> None:
        for body in [
            b'{"a": ',
            b"\xff\xfe",
            b'{"a": NaN}',
            b'{"a": Infinity}',
            b'"\\ud800"',
            b"[" * 20_000 + b"]" * 20_000,
            b"1" * 5000,
        ]:
            with self.subTest(body=body[:20]):
                self.assertEqual(self.code(body), "malformed_json")
        self.assertEqual(self.code(b" " * (schemas.MAX_BODY_BYTES + 1)), "too_large")

    def message(self, body: bytes) -> str:
        with translation.override("en"), self.assertRaises(ApiError) as cm:
            schemas.parse_body(body)
        return cm.exception.details[0]["message"]

    def test_each_refusal_says_what_was_wrong(self) -> None:
        # Once, every one of these was "not UTF-8 JSON".
        for body, words in [
            (b"\xff\xfe", "not UTF-8"),
            (b'{"a": NaN}', "NaN is not a JSON number"),
            (b'{"a": Infinity}', "Infinity is not a JSON number"),
            (b"[" * 20_000 + b"]" * 20_000, "nests more than"),
            (b"[" * 40 + b"]" * 40, "nests more than"),
            (b"1" * 4300, "at most"),
            (b'"\\ud800"', "lone surrogate"),
            (b'{"dry_run": true, "dry_run": false}', "Duplicate key 'dry_run'"),
            (b'{"a": ', "from line 1, column 7"),
        ]:
            with self.subTest(body=body[:20]):
                self.assertIn(words, self.message(body))

    def test_patterns_end_at_the_end_of_the_string(self) -> None:
        # JSON Schema patterns are ECMA-262: `$` is the end, not "before a final newline".
        request = actions.example_request(actions.ACTIONS["get_summary"])
        for field, value in [("idempotency_key", "abcdefgh\n"), ("idempotency_key", "abcdefgh")]:
            with self.subTest(value=value):
                problems = schemas.problems(actions.ENVELOPE, {**request, field: value})
                self.assertEqual(bool(problems), value.endswith("\n"))
        summary = actions.ACTIONS["get_summary"].validator
        for month in ["2026-11\n", "٢٠٢٦-١١", "2026-11 "]:
            with self.subTest(month=month):
                self.assertEqual(
                    [p["code"] for p in schemas.problems(summary, {"month": month})],
                    ["invalid_format"],
                )
        self.assertEqual(schemas.problems(summary, {"month": "2026-11"}), [])
