"""The words that say who shares an expense, read alone (no database): each phrase of
issue 24 as written, the names of members in their Russian forms, and what is not a
name however much it looks like one."""

from django.test import SimpleTestCase
from hypothesis import given
from hypothesis import strategies as st

from finance.readers.split_words import SplitWords, mentions_split, read_split

NAMES = ["alice", "carol", "Маша", "Anna", "Петя", "Иван", "Аня", "Игорь"]


class SplitWordsTestCase(SimpleTestCase):
    def test_the_issues_phrases(self) -> None:
        cases = {
            "кофе 300 пополам": SplitWords("кофе 300", halves=True, me=True),
            "ужин 3000 на двоих": SplitWords("ужин 3000", halves=True, me=True),
            "пицца 1200 за всех": SplitWords("пицца 1200", everyone=True),
            "такси 300 за меня и Машу": SplitWords("такси 300", me=True, names=("Маша",)),
            "coffee 300 split": SplitWords("coffee 300", halves=True, me=True),
            "taxi 300 for me and Anna": SplitWords("taxi 300", me=True, names=("Anna",)),
        }
        for text, expected in cases.items():
            with self.subTest(text):
                self.assertTrue(mentions_split(text))
                self.assertEqual(read_split(text, NAMES), expected)

    def test_more_ways_to_say_it(self) -> None:
        cases = {
            "обед 500 за меня, Петю и Машу": SplitWords(
                "обед 500", me=True, names=("Петя", "Маша")
            ),
            "кофе 300 пополам с Аней": SplitWords("кофе 300", halves=True, me=True, names=("Аня",)),
            "бар 900 пополам с Игорем": SplitWords(
                "бар 900", halves=True, me=True, names=("Игорь",)
            ),
            "билеты за Ивана 700": SplitWords("билеты 700", names=("Иван",)),
            "dinner 300 split with carol and alice": SplitWords(
                "dinner 300", halves=True, me=True, names=("carol", "alice")
            ),
            "PIZZA 1200 FOR EVERYONE": SplitWords("PIZZA 1200", everyone=True),
            "торт 600 на всех": SplitWords("торт 600", everyone=True),
        }
        for text, expected in cases.items():
            with self.subTest(text):
                self.assertEqual(read_split(text, NAMES), expected)

    def test_words_that_only_look_like_a_name_are_not_one(self) -> None:
        for text in (
            "страховка за машину 5000",  # Маша's stem, not one of her endings
            "за ананас 200",  # Аня's
            "оплата за анализы 900",
            "штраф за парковку 500",
            "gift for mum 300",
            "кофе 300",
        ):
            with self.subTest(text):
                self.assertIsNone(read_split(text, NAMES))

    def test_halves_with_a_stranger_names_nobody(self) -> None:
        # "с Олей": no member is Оля, so only the halves are read; the service asks with whom.
        self.assertEqual(
            read_split("кофе 300 пополам с Олей", NAMES),
            SplitWords("кофе 300 с Олей", halves=True, me=True),
        )

    @given(
        st.text(
            alphabet=st.characters(
                whitelist_categories=("L", "N", "Zs"), blacklist_characters="\x00"
            ),
            max_size=40,
        )
    )
    def test_text_without_a_trigger_word_says_nothing(self, text: str) -> None:
        # Whatever else is written, only the phrases' first words start a split.
        if not mentions_split(text):
            self.assertIsNone(read_split(text, NAMES))

    @given(
        note=st.sampled_from(["такси", "кофе", "продукты", "ужин"]),
        amount=st.integers(min_value=1, max_value=10**6),
        name=st.sampled_from([("Машу", "Маша"), ("Петю", "Петя"), ("Ивану", "Иван")]),
        me=st.booleans(),
    )
    def test_for_me_and_a_member_keeps_the_rest(
        self, note: str, amount: int, name: tuple[str, str], me: bool
    ) -> None:
        said, member = name
        people = f"меня и {said}" if me else said
        words = read_split(f"{note} {amount} за {people}", NAMES)
        self.assertEqual(words, SplitWords(f"{note} {amount}", me=me, names=(member,)))
