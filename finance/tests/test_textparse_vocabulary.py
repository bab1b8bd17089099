"""The shipped vocabulary: data files per category and language, and how they match."""

import re
import unicodedata
from collections import Counter, defaultdict

from config.testing import BaseTestCase
from finance import textparse
from finance.defaults import DEFAULT_CATEGORIES, FALLBACK_SLUGS
from finance.tests.parsing import TODAY, parse
from finance.textparse import vocabulary, words

NUMBER_RE = re.compile(r"(?<![^\W_])\d+(?![^\W_])")
KINDS = {d.slug: d.kind for d in DEFAULT_CATEGORIES}
FALLBACKS = {k.value: v for k, v in FALLBACK_SLUGS.items()}
# Keys two categories share on purpose: the typed word tells them apart (`booking` is
# travel and `books` education, though both stem to `book`; `train` and `training`).
SHARED_STEMS = {("book",), ("train",)}


def entries(slug: str, *aliases: textparse.Alias) -> list[textparse.CategoryEntry]:
    """The default categories by their Russian names, `slug` with `aliases` as its only keywords."""
    return [
        textparse.CategoryEntry(
            id=n,
            slug=d.slug,
            name=d.name_ru,
            kind=d.kind,
            aliases=aliases if d.slug == slug else (),
        )
        for n, d in enumerate(DEFAULT_CATEGORIES, start=1)
    ]


class VocabularyFilesTestCase(BaseTestCase):
    def test_every_file_is_a_sorted_list_of_clean_entries(self) -> None:
        for path in vocabulary.files():
            with self.subTest(str(path.relative_to(vocabulary.ROOT))):
                self.assertIn(path.stem, KINDS, "a file per default category slug")
                lines = path.read_text(encoding="utf-8").splitlines()
                self.assertEqual(lines, sorted(set(lines)), "sorted, no repeats")
                self.assertEqual(vocabulary.read(path), lines, "lower case, single spaces")
                # Numbers are amounts to the parser, never part of a keyword (`теле2` is a word).
                self.assertEqual([e for e in lines if NUMBER_RE.search(e)], [])

    def test_it_covers_every_default_category_in_both_languages(self) -> None:
        shipped = vocabulary.load()
        for d in DEFAULT_CATEGORIES:
            with self.subTest(d.slug):
                for language in vocabulary.LANGUAGES:
                    path = vocabulary.ROOT / language / f"{d.slug}.txt"
                    self.assertTrue(path.exists(), path)
                if d.slug not in FALLBACKS.values():
                    self.assertGreaterEqual(len(shipped[d.slug]), 100)
        self.assertGreaterEqual(sum(len(e) for e in shipped.values()), 7000)

    def test_every_entry_normalises_and_files_a_text_under_its_category(self) -> None:
        for slug, found in vocabulary.load().items():
            for entry in found:
                with self.subTest(slug=slug, entry=entry):
                    self.assertTrue(words.phrase_key(entry), "not only small words")
                    result = parse(f"{entry} 100", KINDS[slug])
                    self.assertEqual(result.category_slug, slug)
                    self.assertEqual(result.amount, 100)
                    self.assertTrue(result.category_guessed)

    def test_no_word_sits_in_two_categories_of_a_kind(self) -> None:
        owners: dict[tuple[str, tuple[str, ...]], set[str]] = defaultdict(set)
        for slug, found in vocabulary.load().items():
            for entry in found:
                owners[(KINDS[slug], words.phrase_key(entry))].add(slug)
        for d in DEFAULT_CATEGORIES:  # and none clashes with the keywords users hold
            for word in d.words():
                owners[(d.kind, words.phrase_key(word))].add(d.slug)
        clashes = {
            key: sorted(slugs)
            for key, slugs in owners.items()
            if len(slugs) > 1 and key[1] not in SHARED_STEMS
        }
        self.assertEqual(clashes, {})

    def test_weak_words_are_clean_and_each_a_keyword(self) -> None:
        path = vocabulary.ROOT / "weak.txt"
        lines = path.read_text(encoding="utf-8").splitlines()
        self.assertEqual(lines, sorted(set(lines)))
        self.assertEqual(vocabulary.read(path), lines)
        keywords = {words.phrase_key(e) for found in vocabulary.load().values() for e in found}
        keywords |= {words.phrase_key(w) for d in DEFAULT_CATEGORIES for w in d.words()}
        unused = [word for word in lines if words.phrase_key(word) not in keywords]
        self.assertEqual(unused, [], "weak words that are no category's keyword")

    def test_every_emoji_is_one_symbol_with_a_category_of_each_kind_at_most(self) -> None:
        lines = (vocabulary.ROOT / "emoji.txt").read_text(encoding="utf-8").splitlines()
        self.assertEqual(lines, sorted(set(lines)))
        self.assertGreaterEqual(len(lines), 200)
        for sign, slugs in vocabulary.emoji().items():
            with self.subTest(sign):
                # The base symbol only: skin tones and variation selectors are ignored.
                self.assertEqual(len(sign), 1)
                self.assertEqual(unicodedata.category(sign), "So")
                self.assertLessEqual(set(slugs), set(KINDS))
                self.assertEqual(max(Counter(KINDS[s] for s in slugs).values()), 1)
                self.assertEqual(parse(f"{sign} 100", KINDS[slugs[0]]).category_slug, slugs[0])
        covered = {s for slugs in vocabulary.emoji().values() for s in slugs}
        self.assertEqual(set(KINDS) - covered - set(FALLBACKS.values()) - {"other_income"}, set())

    def test_shared_stems_go_by_the_word_as_typed(self) -> None:
        self.assertEqual(parse("booking 100").category_slug, "travel")
        self.assertEqual(parse("books 100").category_slug, "education")
        self.assertEqual(parse("train 100").category_slug, "transport")
        self.assertEqual(parse("training 100").category_slug, "sport")


class VocabularyMatchingTestCase(BaseTestCase):
    def test_multi_word_keys_win_over_their_parts(self) -> None:
        self.assertEqual(parse("аэропорт 500").category_slug, "travel")
        self.assertEqual(parse("такси в аэропорт 500").category_slug, "transport")
        self.assertEqual(parse("taxi to the airport 30$").category_slug, "transport")
        self.assertEqual(parse("airport lounge 30$").category_slug, "travel")
        self.assertEqual(parse("билеты в кино 900").category_slug, "entertainment")
        self.assertEqual(parse("билет на поезд 900").category_slug, "transport")
        self.assertEqual(parse("кофе в зернах 900").category_slug, "groceries")
        self.assertEqual(parse("корм для кота 900").category_slug, "pets")

    def test_the_fallbacks_own_words_lose_to_any_other_as_long(self) -> None:
        # `перевод` (a transfer) is Other income; `заказчик` (a client) is freelance.
        self.assertEqual(parse("перевод от заказчика 20000", "income").category_slug, "freelance")
        self.assertEqual(parse("перевод 20000", "income").category_slug, "other_income")
        self.assertEqual(parse("комиссия за такси 50").category_slug, "transport")
        # A longer phrase of the fallback still wins over a shorter one elsewhere.
        self.assertEqual(parse("ремонт телефона 3000").category_slug, "other")
        self.assertEqual(parse("ремонт 3000").category_slug, "home")

    def test_word_forms_match_in_both_languages(self) -> None:
        for text, slug in {
            "shoes 80 gbp": "clothing",
            "shoe 80 gbp": "clothing",
            "grocery 20$": "groceries",
            "groceries 20$": "groceries",
            "nappies 10 gbp": "kids",
            "кроссовки 5000": "clothing",
            "кроссовок 5000": "clothing",
            "подгузников 900": "kids",
            "в аптеке 300": "health",
        }.items():
            with self.subTest(text):
                self.assertEqual(parse(text).category_slug, slug)

    def test_diacritics_and_typos(self) -> None:
        self.assertEqual(parse("Kahve Dünyası 95 tl").category_slug, "cafe")
        self.assertEqual(parse("Koçtaş 950 tl").category_slug, "home")
        self.assertEqual(parse("café 4 eur").category_slug, "cafe")
        self.assertEqual(parse("шампуньь 300").category_slug, "beauty")
        self.assertEqual(parse("restaraunt 80 usd").category_slug, "cafe")

    def test_a_dictionary_word_is_not_taken_for_a_typo_of_a_shipped_one(self) -> None:
        # `банка` (a jar, or a bank's) is one letter from `баня`, a shipped keyword.
        result = parse("банка 150")
        self.assertEqual(result.category_slug, "other")
        self.assertFalse(result.category_guessed)

    def test_a_persons_keywords_beat_the_vocabulary(self) -> None:
        for source in ("learned", "user", "default"):
            with self.subTest(source):
                index = textparse.CategoryIndex(
                    entries("sport", textparse.Alias("кроссовки", source)), FALLBACKS
                )
                self.assertEqual(parse("кроссовки 5000", index=index).category_slug, "sport")
        index = textparse.CategoryIndex(entries("sport"), FALLBACKS)
        self.assertEqual(parse("кроссовки 5000", index=index).category_slug, "clothing")

    def test_an_archived_category_takes_its_vocabulary_with_it(self) -> None:
        active = [e for e in entries("") if e.slug != "pets"]
        index = textparse.CategoryIndex(active, FALLBACKS)
        result = parse("корм для кота 900", index=index)
        self.assertEqual(result.category_slug, "other")
        self.assertFalse(result.category_guessed)

    def test_a_renamed_default_category_keeps_its_vocabulary(self) -> None:
        renamed = [
            textparse.CategoryEntry(e.id, e.slug, "Котики", e.kind) if e.slug == "pets" else e
            for e in entries("")
        ]
        index = textparse.CategoryIndex(renamed, FALLBACKS)
        self.assertEqual(parse("корм для кота 900", index=index).category_slug, "pets")

    def test_it_can_be_left_out(self) -> None:
        index = textparse.CategoryIndex(entries(""), FALLBACKS, vocabulary=False)
        self.assertEqual(parse("Koton 900 tl", index=index).category_slug, "other")
        self.assertEqual(parse("Koton 900 tl").category_slug, "clothing")


class CategoryGuessedTestCase(BaseTestCase):
    def test_it_says_whether_the_text_chose_the_category(self) -> None:
        self.assertTrue(parse("кофе 250").category_guessed)
        self.assertTrue(parse("прочее 250").category_guessed)  # named, so chosen
        self.assertTrue(parse("налог 3500").category_guessed)  # a shipped `other` word
        for text, kind in (("250", "expense"), ("qwerty 250", "expense"), ("5000", "income")):
            with self.subTest(text):
                result = parse(text, kind)
                self.assertEqual(result.category_slug, FALLBACKS[kind])
                self.assertFalse(result.category_guessed)
                self.assertEqual(result.matched, "")
        self.assertEqual(TODAY.isoformat(), "2026-11-24")


class WarmUpTestCase(BaseTestCase):
    def test_a_worker_indexes_the_vocabulary_before_its_first_request(self) -> None:
        import gc

        from config import gunicorn
        from finance.textparse import categories

        categories._vocabulary_index.cache_clear()
        try:
            gunicorn.post_worker_init(object())
        finally:
            gc.unfreeze()
        # One index per kind: the default expense slugs and the default income slugs.
        self.assertEqual(categories._vocabulary_index.cache_info().currsize, 2)
        parse("Koton 900 tl")
        self.assertEqual(categories._vocabulary_index.cache_info().misses, 2)
