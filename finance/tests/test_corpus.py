"""The development corpus: hundreds of labelled messages beyond the contract's examples.

bench/parse_accuracy.py prints the same figures per field and per category.
"""

import json
from pathlib import Path

from config.testing import BaseTestCase
from finance.tests.parsing import FIELDS, load, score

DATA = Path(__file__).parent / "data"
# Floors the parser reaches today (see bench/parse_accuracy.py); a change that loses
# ground fails here.
FIELD_FLOORS = {"amount": 0.995, "currency": 0.995, "date": 0.995, "category": 0.98}
MESSAGE_FLOOR = 0.98
CATEGORY_FLOOR = 0.9


class CorpusTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.examples = load(DATA / "corpus.jsonl")

    def test_it_is_large_new_and_varied(self) -> None:
        self.assertGreaterEqual(len(self.examples), 500)
        texts = [e["text"] for e in self.examples]
        self.assertEqual(len(texts), len(set(texts)), "no message twice")
        shared = {e["text"] for e in load(DATA / "text_examples.jsonl")}
        self.assertEqual(set(texts) & shared, set(), "not copies of the contract's examples")
        labelled = {e["expect"]["category"] for e in self.examples}
        self.assertGreaterEqual(len(labelled), 25, "every default category")
        self.assertGreaterEqual(len({e["expect"]["currency"] for e in self.examples}), 11)
        self.assertGreaterEqual(len({e["expect"]["date"] for e in self.examples}), 10)
        self.assertTrue(any(e["action"] == "create_income" for e in self.examples))

    def test_every_line_has_the_shape_of_the_contracts_examples(self) -> None:
        for line in (DATA / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
            example = json.loads(line)
            self.assertEqual(
                set(example), {"action", "text", "currency_field", "date_field", "expect"}
            )
            self.assertEqual(set(example["expect"]), set(FIELDS))

    def test_it_parses_at_least_as_well_as_today(self) -> None:
        s = score(self.examples)
        total = s["total"]
        misses = "\n".join(f"{text!r}: {got}" for text, _, got in s["misses"])
        for name, floor in FIELD_FLOORS.items():
            with self.subTest(name):
                self.assertGreaterEqual(s["right"][name] / total, floor, misses)
        self.assertGreaterEqual(s["right"]["message"] / total, MESSAGE_FLOOR, misses)
        for slug, n in s["labelled"].items():
            with self.subTest(slug):
                self.assertGreaterEqual(s["filed"][slug] / n, CATEGORY_FLOOR, misses)
