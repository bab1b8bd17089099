"""The user's categories as a prebuilt index, and the category a text's words point to."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz import process
from rapidfuzz.distance import OSA

from finance.textparse import vocabulary as shipped_vocabulary
from finance.textparse import words

# When two categories match at the same word, a person's own keywords beat the defaults,
# and the shipped vocabulary comes last: it never overrides what a person taught.
SOURCE_RANK = {"learned": 0, "user": 1, "default": 2, "name": 3, "vocabulary": 4}
# Typos are forgiven only in words long enough that one slip does not make another word.
FUZZY_MIN_LENGTH = 5
FUZZY_TWO_EDITS_LENGTH = 8
_FUZZY_CACHE_SIZE = 4096
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
        phrase = _Phrase(category, alias, keys, source)
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
        self, tokens: list[str], last: str | None = None
    ) -> tuple[tuple[int, bool, int, bool, int], _Phrase] | None:
        """The longest phrase, then the earliest, then the word as typed over one of its forms
        (`booking` is travel even though `books` stems to `book` too), then the source.

        A phrase of the category slugged `last` loses to any other as long.
        """
        best: tuple[tuple[int, bool, int, bool, int], _Phrase] | None = None
        for i, token in enumerate(tokens):
            typed = words.plain(token)
            for k in words.forms(token):
                for phrase in self.by_key.get(k, ()):
                    n = len(phrase.words)
                    if i + n > len(tokens) or any(
                        phrase.words[j].isdisjoint(words.forms(tokens[i + j])) for j in range(1, n)
                    ):
                        continue
                    rank = (-n, phrase.category.slug == last, i, k != typed, phrase.source)
                    if best is None or rank < best[0]:
                        best = (rank, phrase)
        return best

    def fuzzy(
        self, tokens: list[str], last: str | None = None
    ) -> tuple[tuple[bool, float, int, int], _Phrase] | None:
        best: tuple[tuple[bool, float, int, int], _Phrase] | None = None
        for i, token in enumerate(tokens):
            found = self._nearest(token)
            if found is not None:
                rank = (found[0].category.slug == last, found[1], i, found[0].source)
                if best is None or rank < best[0]:
                    best = (rank, found[0])
        return best

    def _nearest(self, token: str) -> tuple[_Phrase, float] | None:
        # One read, not `in` then `[]`: another thread may clear the cache in between.
        cached = self.fuzzy_cache.get(token, _MISSING)
        if cached is not _MISSING:
            return cached  # type: ignore[return-value]
        found = None
        # In the large shipped vocabulary `банка` would be one slip from `баня`: there only
        # words the dictionary does not know are taken for typos.
        if (
            len(token) >= FUZZY_MIN_LENGTH
            and not any(c.isdigit() for c in token)
            and not (self.typos_of_unknown_words_only and words.is_dictionary_word(token))
        ):
            limit = 2 if len(token) >= FUZZY_TWO_EDITS_LENGTH else 1
            for query in sorted(words.forms(token)):
                choices = self.by_initial.get(query[0], ())
                hit = process.extractOne(query, choices, scorer=OSA.distance, score_cutoff=limit)
                if hit is not None and (found is None or hit[1] < found[1]):
                    found = (self.single[hit[0]], hit[1])
        if len(self.fuzzy_cache) >= _FUZZY_CACHE_SIZE:
            self.fuzzy_cache.clear()
        self.fuzzy_cache[token] = found
        return found


@lru_cache(maxsize=32)
def _vocabulary_index(slugs: frozenset[str]) -> _KindIndex:
    """The shipped vocabulary of these category slugs, built once and shared by every user.

    Its phrases carry a stand-in entry (slug only); a user's index maps it to their own.
    """
    index = _KindIndex(typos_of_unknown_words_only=True)
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

    def match(self, kind: str, tokens: list[str]) -> CategoryMatch | None:
        """The category the words point to, else the kind's fallback, else None."""
        index = self._kinds.get(kind)
        if index is None:
            return None
        content = [t for t in tokens if t not in words.STOPWORDS]
        shipped, slugs = self._shipped.get(kind, (None, {}))
        # The vocabulary of the fallback itself (`налог`, `комиссия`) says "Other" only when
        # no other word does: `перевод от заказчика` is freelance.
        last = index.fallback.slug if index.fallback else None
        exact = index.exact(content)
        if shipped is not None:
            other = shipped.exact(content, last)
            if other is not None and (exact is None or other[0] < exact[0]):
                exact = other
        if exact is not None:
            return CategoryMatch(self._own(exact[1], slugs), exact[1].alias)
        nearest = index.fuzzy(content)
        if shipped is not None:
            other_near = shipped.fuzzy(content, last)
            if other_near is not None and (nearest is None or other_near[0] < nearest[0]):
                nearest = other_near
        if nearest is not None:
            return CategoryMatch(self._own(nearest[1], slugs), nearest[1].alias, fuzzy=True)
        if index.fallback is None:
            return None
        return CategoryMatch(index.fallback, "")

    @staticmethod
    def _own(phrase: _Phrase, slugs: Mapping[str, CategoryEntry]) -> CategoryEntry:
        if phrase.source == SOURCE_RANK["vocabulary"]:
            return slugs[phrase.category.slug]
        return phrase.category
