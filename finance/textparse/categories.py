"""The user's categories as a prebuilt index, and the category a text's words point to."""

import bisect
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import NamedTuple

from rapidfuzz import process
from rapidfuzz.distance import OSA

from finance.textparse import vocabulary as shipped_vocabulary
from finance.textparse import words

# When two categories match at the same word, a person's own keywords beat the defaults,
# and the shipped vocabulary comes last: it never overrides what a person taught.
SOURCE_RANK = {"learned": 0, "user": 1, "default": 2, "name": 3, "vocabulary": 4}
# Any one slip is forgiven only in words long enough that it does not make another word.
FUZZY_MIN_LENGTH = 5
FUZZY_TWO_EDITS_LENGTH = 8
# Shorter words (3-4 letters) forgive only the slips people make in them: two letters
# swapped, one doubled or dropped, `э` for `е` and the vowels that sound alike.
SHORT_MIN_LENGTH = 3
# A word cut short (`репет`, `каршер`) stands for the one keyword it begins, if it is this
# long and not a word in its own right.
CLIPPED_MIN_LENGTH = 4
_VOWEL_SLIPS = {
    "э": "е", "е": "эи", "и": "еыйя", "ы": "и", "й": "и", "а": "оя", "о": "а", "я": "а",
    "у": "ю", "ю": "у",
}  # fmt: skip
# Whose slips count for a little more than one edit: an edit of a real keyword wins.
_CLIPPED_DISTANCE = 1.5
# Fond endings people add to everyday words, longest first.
_DIMINUTIVE_SUFFIXES = (
    "очками", "ечками", "очки", "ечки", "очка", "ечка", "ишка", "ушка", "чики", "чика",
    "ики", "ика", "чик", "шка", "шки", "ик", "ок", "ек",
)  # fmt: skip
# English verbs before their object are not the nouns they look like: `book a table`.
_DETERMINERS = frozenset(("a", "an", "the", "my", "our", "your", "his", "her", "their", "some"))
# A token for where the amount or a date stood between two words: `uber 14 the other day`.
GAP = "\x00"
_FUZZY_CACHE_SIZE = 4096
_FUZZY_HITS = 5
_MISSING = object()


class Alias(NamedTuple):
    word: str
    source: str = "user"


@dataclass(frozen=True)
class CategoryEntry:
    """One of the user's categories as the parser sees it: plain data, no ORM."""

    id: int
    slug: str
    name: str
    kind: str
    aliases: tuple[Alias, ...] = ()


@dataclass(frozen=True)
class CategoryMatch:
    category: CategoryEntry
    alias: str  # the keyword that matched; "" for the fallback category
    fuzzy: bool = False

    @property
    def guessed(self) -> bool:
        """Whether the text's words chose the category (False: the fallback, by default)."""
        return bool(self.alias)


@dataclass(frozen=True)
class _Phrase:
    category: CategoryEntry
    alias: str
    words: tuple[frozenset[str], ...]  # the keys each of its words may be typed as
    source: int
    # A word whose sense its neighbours decide (`bill`, `ticket`, `билет`): it loses to any
    # other keyword as long, so `phone bill` is the phone's and `билет в кино` the cinema's.
    weak: bool = False


_OWN_SOURCES = frozenset({SOURCE_RANK["learned"], SOURCE_RANK["user"]})


@dataclass
class _KindIndex:
    fallback: CategoryEntry | None = None
    by_key: dict[str, list[_Phrase]] = field(default_factory=dict)
    single: dict[str, _Phrase] = field(default_factory=dict)
    by_initial: dict[str, list[str]] = field(default_factory=dict)
    fuzzy_cache: dict[str, tuple[_Phrase, float] | None] = field(default_factory=dict)
    typos_of_unknown_words_only: bool = False

    def add(self, category: CategoryEntry, alias: str, source: int) -> None:
        content = [w for w in words.tokens(alias) if w not in words.STOPWORDS]
        if not content:
            return
        keys = tuple(words.alias_forms(w) for w in content)
        weak = (
            len(content) == 1
            and source not in _OWN_SOURCES
            and words.key(content[0]) in _weak_keys()
        )
        phrase = _Phrase(category, alias, keys, source, weak)
        for k in keys[0]:
            self.by_key.setdefault(k, []).append(phrase)
        if len(keys) == 1:
            for k in keys[0]:
                held = self.single.get(k)
                if held is None and len(k) >= FUZZY_MIN_LENGTH - 1:
                    self.by_initial.setdefault(k[0], []).append(k)
                if held is None or source < held.source:
                    self.single[k] = phrase

    def exact(
        self, tokens: Sequence[str], verbs: frozenset[int] = frozenset(), last: str | None = None
    ) -> tuple[tuple[int, bool, bool, int, bool, int], _Phrase] | None:
        """The longest phrase, then a keyword over a weak one (`bill`) or a verb (`booked`),
        then the earliest, then the word as typed over one of its forms (`booking` is travel
        even though `books` stems to `book` too), then the source.

        A phrase of the category slugged `last` loses to any other as long.
        """
        best: tuple[tuple[int, bool, bool, int, bool, int], _Phrase] | None = None
        for i, token in enumerate(tokens):
            typed = words.plain(token)
            # `booked` stems to `book`: a verb, unless the keyword is `booked` itself.
            past = token.endswith("ed") and token.isascii()
            for k in words.forms(token):
                for phrase in self.by_key.get(k, ()):
                    n = len(phrase.words)
                    if i + n > len(tokens) or any(
                        phrase.words[j].isdisjoint(words.forms(tokens[i + j])) for j in range(1, n)
                    ):
                        continue
                    weak = n == 1 and (phrase.weak or i in verbs or (past and k != typed))
                    rank = (-n, phrase.category.slug == last, weak, i, k != typed, phrase.source)
                    if best is None or rank < best[0]:
                        best = (rank, phrase)
        return best

    def fuzzy(
        self, tokens: Sequence[str], last: str | None = None
    ) -> tuple[tuple[bool, bool, float, int, int], _Phrase] | None:
        best: tuple[tuple[bool, bool, float, int, int], _Phrase] | None = None
        for i, token in enumerate(tokens):
            found = self._nearest(token)
            if found is not None:
                phrase, distance = found
                rank = (phrase.category.slug == last, phrase.weak, distance, i, phrase.source)
                if best is None or rank < best[0]:
                    best = (rank, phrase)
        return best

    def _nearest(self, token: str) -> tuple[_Phrase, float] | None:
        # One read, not `in` then `[]`: another thread may clear the cache in between.
        cached = self.fuzzy_cache.get(token, _MISSING)
        if cached is not _MISSING:
            return cached  # type: ignore[return-value]
        found = None
        if not any(c.isdigit() for c in token):
            found = (
                self._slip(token)
                or self._diminutive(token)
                or self._clipped(token)
                or self._other_layout(token)
            )
        if len(self.fuzzy_cache) >= _FUZZY_CACHE_SIZE:
            self.fuzzy_cache.clear()
        self.fuzzy_cache[token] = found
        return found

    def _slip(self, token: str) -> tuple[_Phrase, float] | None:
        typed = words.plain(token)
        if len(typed) < SHORT_MIN_LENGTH:
            return None
        if len(typed) < FUZZY_MIN_LENGTH:
            # `bra` is not a slip of `bar`, nor `кот` of `кит`.
            return None if words.is_common_word(token) else self._short_slip(typed)
        # In the large shipped vocabulary `банка` would be one slip from `баня`: there only
        # words the dictionary does not know are taken for typos.
        if self.typos_of_unknown_words_only and words.is_dictionary_word(token):
            return None
        # The first letter is where the index looks: a slip in it is tried as such.
        for variant in _first_letter_slips(typed):
            phrase = self.single.get(variant)
            if phrase is not None:
                return phrase, 1
        found = None
        limit = 2 if len(token) >= FUZZY_TWO_EDITS_LENGTH else 1
        for query in sorted(words.forms(token)):
            choices = self.by_initial.get(query[0], ())
            hits = process.extract(
                query, choices, scorer=OSA.distance, score_cutoff=limit, limit=_FUZZY_HITS
            )
            if not hits:
                continue
            nearest = [self.single[hit[0]] for hit in hits if hit[1] == hits[0][1]]
            if len({phrase.category.slug for phrase in nearest}) > 1:
                continue  # `белет`: `билет` (transport) or `балет` (entertainment)? No guess.
            if found is None or hits[0][1] < found[1]:
                found = (nearest[0], hits[0][1])
        return found

    def _short_slip(self, typed: str) -> tuple[_Phrase, float] | None:
        found = [self.single.get(v) for v in _short_variants(typed, vowels=not typed.isascii())]
        found += self._dropped.get(typed, ())
        hits = {phrase.category.slug: phrase for phrase in found if phrase is not None}
        if len(hits) != 1:
            return None  # nothing, or slips of words of two categories: no guess
        return next(iter(hits.values())), 1

    def _clipped(self, token: str) -> tuple[_Phrase, float] | None:
        typed = words.plain(token)
        if len(typed) < CLIPPED_MIN_LENGTH or typed.isascii() or words.is_dictionary_word(token):
            return None
        keys = self._sorted_keys
        hits = {}
        for k in keys[bisect.bisect_left(keys, typed) :]:
            if not k.startswith(typed):
                break
            if len(k) >= len(typed) + 2:
                phrase = self.single[k]
                hits[phrase.category.slug] = phrase
            if len(hits) > 1:
                return None
        return (next(iter(hits.values())), _CLIPPED_DISTANCE) if hits else None

    def _diminutive(self, token: str) -> tuple[_Phrase, float] | None:
        """`продуктики`, `бензинчик`, `жкхшка`: a keyword with a fond ending."""
        typed = words.plain(token)
        if typed.isascii() or words.is_dictionary_word(token):
            return None
        for suffix in _DIMINUTIVE_SUFFIXES:
            stem = typed.removesuffix(suffix)
            if stem != typed and len(stem) >= SHORT_MIN_LENGTH:
                for key in (stem, stem + "а", stem + "ка", stem + "о"):
                    phrase = self.single.get(key)
                    if phrase is not None:
                        return phrase, _CLIPPED_DISTANCE
        return None

    def _other_layout(self, token: str) -> tuple[_Phrase, float] | None:
        if len(token) < SHORT_MIN_LENGTH or words.is_dictionary_word(token):
            return None
        if words.is_common_word(token):
            return None
        switched = words.other_layout(token)
        if switched == token or not switched.isalpha():
            return None
        for k in words.forms(switched):
            phrase = self.single.get(k)
            if phrase is not None:
                return phrase, 1
        return None

    @cached_property
    def _dropped(self) -> dict[str, list[_Phrase]]:
        """Short keywords with one letter dropped (`пица` -> `пицца`), by what is left."""
        found: dict[str, list[_Phrase]] = {}
        for k, phrase in self.single.items():
            if SHORT_MIN_LENGTH + 1 <= len(k) < FUZZY_MIN_LENGTH + 1:
                for i in range(len(k)):
                    found.setdefault(k[:i] + k[i + 1 :], []).append(phrase)
        return found

    @cached_property
    def _sorted_keys(self) -> list[str]:
        return sorted(k for k in self.single if not k.isascii())


def _first_letter_slips(typed: str) -> Iterator[str]:
    """`амгазин`, `ентернет`: the first two letters swapped, or a first vowel misheard."""
    yield typed[1] + typed[0] + typed[2:]
    for other in _VOWEL_SLIPS.get(typed[0], ""):
        yield other + typed[1:]


def _short_variants(typed: str, *, vowels: bool) -> Iterator[str]:
    """What a short word may have been before a slip: swapped, doubled, a vowel for another."""
    for i in range(len(typed) - 1):
        if typed[i] != typed[i + 1]:
            yield typed[:i] + typed[i + 1] + typed[i] + typed[i + 2 :]
        else:
            yield typed[:i] + typed[i + 1 :]
    if vowels:
        for i, c in enumerate(typed):
            for other in _VOWEL_SLIPS.get(c, ""):
                yield typed[:i] + other + typed[i + 1 :]


@lru_cache(maxsize=1)
def _weak_keys() -> frozenset[str]:
    return frozenset(words.key(w) for w in shipped_vocabulary.weak())


@lru_cache(maxsize=32)
def _vocabulary_index(slugs: frozenset[str]) -> _KindIndex:
    """The shipped vocabulary of these category slugs, built once and shared by every user.

    Its phrases carry a stand-in entry (slug only); a user's index maps it to their own.
    """
    index = _KindIndex(typos_of_unknown_words_only=True)
    # The typo guard's word lists: loaded with the index, not in someone's request.
    words.english_words()
    words.common_russian_words()
    shipped = shipped_vocabulary.load()
    for slug in sorted(slugs):
        stand_in = CategoryEntry(id=0, slug=slug, name=slug, kind="")
        for entry in shipped.get(slug, ()):
            index.add(stand_in, entry, SOURCE_RANK["vocabulary"])
    return index


class CategoryIndex:
    """Every category's name and keywords under the keys their word forms are known by.

    Build it once per set of categories: a parse then costs a few dictionary lookups.
    Categories whose slug has a shipped vocabulary (the defaults) answer to it as well,
    below every keyword of the person's own; `vocabulary=False` leaves it out.
    """

    def __init__(
        self,
        categories: Iterable[CategoryEntry],
        fallbacks: Mapping[str, str],
        *,
        vocabulary: bool = True,
    ) -> None:
        self._kinds: dict[str, _KindIndex] = {}
        self._shipped: dict[str, tuple[_KindIndex, dict[str, CategoryEntry]]] = {}
        by_slug: dict[str, dict[str, CategoryEntry]] = {}
        for category in categories:
            index = self._kinds.setdefault(category.kind, _KindIndex())
            by_slug.setdefault(category.kind, {})[category.slug] = category
            if category.slug == fallbacks.get(category.kind):
                index.fallback = category
            index.add(category, category.name, SOURCE_RANK["name"])
            for alias in category.aliases:
                index.add(category, alias.word, SOURCE_RANK.get(alias.source, 1))
        if vocabulary:
            known = shipped_vocabulary.load()
            for kind, slugs in by_slug.items():
                shipped = frozenset(slugs.keys() & known.keys())
                if shipped:
                    self._shipped[kind] = (_vocabulary_index(shipped), slugs)

    def match(
        self, kind: str, tokens: Sequence[str], signs: Sequence[str] = ()
    ) -> CategoryMatch | None:
        """The category the words point to, else the kind's fallback, else None.

        `signs` are the text's emoji, in order: one of a category counts as a keyword
        before the first word. A `GAP` token stands where the amount or a date was: the
        words on either side of it were not next to each other.
        """
        index = self._kinds.get(kind)
        if index is None:
            return None
        content: list[str] = []
        verbs: set[int] = set()
        for i, token in enumerate(tokens):
            if token in words.STOPWORDS or token == GAP:
                continue
            # `book a table`, `fuel the car`: English verbs before their object, not nouns.
            if token.isascii() and i + 1 < len(tokens) and tokens[i + 1] in _DETERMINERS:
                verbs.add(len(content))
            content.append(token)
        shipped, slugs = self._shipped.get(kind, (None, {}))
        # The vocabulary of the fallback itself (`налог`, `комиссия`) says "Other" only when
        # no other word does: `перевод от заказчика` is freelance.
        last = index.fallback.slug if index.fallback else None
        exact = index.exact(content, frozenset(verbs), last)
        if shipped is not None:
            other = shipped.exact(content, frozenset(verbs), last)
            if other is not None and (exact is None or other[0] < exact[0]):
                exact = other
            sign = self._sign(signs, slugs, last) if signs else None
            if sign is not None and (exact is None or sign[0] < exact[0]):
                return CategoryMatch(sign[1], sign[2])
        if exact is not None and not exact[0][2]:
            return CategoryMatch(self._own(exact[1], slugs), exact[1].alias)
        # Nothing, or only a weak keyword (`bill`): a slip of a stronger one may say more.
        nearest = index.fuzzy(content, last)
        if shipped is not None:
            other_near = shipped.fuzzy(content, last)
            if (
                nearest is not None
                and other_near is not None
                and nearest[0][2:4] == other_near[0][2:4]
                and nearest[1].category.slug != other_near[1].category.slug
            ):
                # One word, as near to a keyword of each of two categories: no guess.
                nearest = other_near = None
            if other_near is not None and (nearest is None or other_near[0] < nearest[0]):
                nearest = other_near
        if nearest is not None and (exact is None or not nearest[0][1]):
            return CategoryMatch(self._own(nearest[1], slugs), nearest[1].alias, fuzzy=True)
        if exact is not None:
            return CategoryMatch(self._own(exact[1], slugs), exact[1].alias)
        if index.fallback is None:
            return None
        return CategoryMatch(index.fallback, "")

    @staticmethod
    def _sign(
        signs: Sequence[str], slugs: Mapping[str, CategoryEntry], last: str | None
    ) -> tuple[tuple[int, bool, bool, int, bool, int], CategoryEntry, str] | None:
        """The first emoji of a category of this kind, ranked as a keyword before the words."""
        meanings = shipped_vocabulary.emoji()
        for sign in signs:
            for slug in meanings.get(sign, ()):
                category = slugs.get(slug)
                if category is not None:
                    rank = (-1, slug == last, False, -1, False, SOURCE_RANK["vocabulary"])
                    return rank, category, sign
        return None

    @staticmethod
    def _own(phrase: _Phrase, slugs: Mapping[str, CategoryEntry]) -> CategoryEntry:
        if phrase.source == SOURCE_RANK["vocabulary"]:
            return slugs[phrase.category.slug]
        return phrase.category
