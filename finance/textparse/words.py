"""Words: tokens, their dictionary forms, and the small words that carry no meaning.

Russian word forms go through pymorphy3 (OpenCorpora's dictionary): unlike a
stemmer it joins forms whose stem changes (`подарки` -> `подарок`,
`пятёрочке` -> `пятёрочка`). A lookup costs ~12 µs with the `dawg2` C extension
(~60 µs on pure-Python DAWG), so every word's forms are cached: a chat backend
sees the same few thousand words again and again.
"""

import gzip
import json
import pkgutil
import re
import unicodedata
from collections.abc import Callable
from functools import cache, lru_cache

import pymorphy3
import snowballstemmer

# A run of letters and digits that holds at least one letter (`такси`, `теле2`).
WORD_RE = re.compile(r"[^\W_]*[^\W\d_][^\W_]*")
# A run of letters only: currency words glued to digits (`250р`, `12usd`).
LETTERS_RE = re.compile(r"[^\W\d_]+")
CYRILLIC_RE = re.compile(r"[а-яё]")
# Two scripts side by side in one word: `кoфе`, `тaкси`.
MIXED_RE = re.compile(r"[а-яё][a-z]|[a-z][а-яё]")
LATIN_RE = re.compile(r"[a-z]")

_STOPWORDS = (
    # Russian prepositions, conjunctions, particles and pronouns people type around an amount.
    "в во на за с со к ко по от до из у о об обо для при про над под без через и а но или "
    "ли же бы не ни то это этот эта эти тот та те мне меня мой моя мои мое моё мы нам наш наша "
    "я ты он она они его ее её их там тут еще ещё уже вот как так раз шт штук штуки "
    # English ones.
    "a an the for to from at in on of by with and or my our me we i per via"
)
STOPWORDS = frozenset(_STOPWORDS.split())

# Letters that look alike in Cyrillic and Latin: `такcи` typed with a Latin `c`.
_LOOKALIKE_LATIN, _LOOKALIKE_CYRILLIC = "aceopxykmthb", "асеорхукмтнв"
_TO_CYRILLIC = str.maketrans(_LOOKALIKE_LATIN, _LOOKALIKE_CYRILLIC)
_TO_LATIN = str.maketrans(_LOOKALIKE_CYRILLIC, _LOOKALIKE_LATIN)
# Letters only one script has: one of them settles which script a mixed word is in.
_ONLY_CYRILLIC = re.compile("[бгджзийлпфцчшщъыьэюяё]")
_ONLY_LATIN = re.compile("[dfgijlnqrsuvwz]")
# The same keys on the two keyboard layouts: `rjat` is `кофе` typed in the wrong one.
_LATIN_KEYS = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`"
_CYRILLIC_KEYS = "йцукенгшщзхъфывапролджэячсмитьбюё"
_TO_OTHER_LAYOUT = str.maketrans(_LATIN_KEYS + _CYRILLIC_KEYS, _CYRILLIC_KEYS + _LATIN_KEYS)
_NAMES = frozenset({"Name", "Surn", "Patr"})
# English words seen this often in pyspellchecker's frequency list (~26,000 of them) are
# words in their own right, not typos of a keyword; rarer ones (`buss`: 123) may be slips.
ENGLISH_MIN_COUNT = 500


@cache
def analyzer() -> pymorphy3.MorphAnalyzer:
    # Loaded on first use (~0.1 s), not at import: a process that never parses pays nothing.
    return pymorphy3.MorphAnalyzer()


def unmix(word: str) -> str:
    """Rewrite a word typed in two scripts in the one it is in: the one of a letter only
    that script has (`KOФE` is `кофе`), else the one most of its letters belong to."""
    cyrillic = len(CYRILLIC_RE.findall(word))
    latin = len(LATIN_RE.findall(word))
    if not cyrillic or not latin:
        return word
    only_cyrillic, only_latin = _ONLY_CYRILLIC.search(word), _ONLY_LATIN.search(word)
    if only_cyrillic and not only_latin:
        return word.translate(_TO_CYRILLIC)
    if only_latin and not only_cyrillic:
        return word.translate(_TO_LATIN)
    return word.translate(_TO_CYRILLIC if cyrillic >= latin else _TO_LATIN)


def other_layout(word: str) -> str:
    """The word as the same keys type it on the other keyboard layout (`rjat` -> `кофе`)."""
    return word.translate(_TO_OTHER_LAYOUT)


def _unaccented(word: str) -> str:
    """A Latin word without its diacritics: `café`, `döner`, `koçtaş`, `dünyası`."""
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word.replace("ı", "i"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def _english() -> Callable[[str], str]:
    return snowballstemmer.stemmer("english").stemWord  # type: ignore[no-any-return]


def _stem(word: str) -> str:
    """An English word's Snowball (Porter 2) stem: `shoes`/`shoe`, `groceries`/`grocery`.

    Both sides of a match go through it, so a stem need not be a word. Short words and
    words with digits (`tele2`, `kfc`) stay as typed.
    """
    if len(word) <= 3 or not word.isalpha():
        return word
    return _english()(word)


@lru_cache(maxsize=65536)
def _analysis(word: str) -> tuple[str, tuple[str, ...]]:
    """(the word with ё as е and one script, its dictionary forms, likeliest first)."""
    plain = unmix(word).replace("ё", "е")
    if not CYRILLIC_RE.search(plain):
        plain = _unaccented(plain)
        return plain, (_stem(plain),)
    if len(plain) <= 2:
        return plain, (plain,)
    # A keyword is nearly always a noun: its likeliest noun reading comes first, so that
    # `рамен` is filed as the noun, not as a short form of the adjective `рамный`.
    parses = analyzer().parse(plain)
    nouns = [p.normal_form for p in parses if p.tag.POS == "NOUN"][:1]
    lemmas = (*nouns, *(p.normal_form for p in parses))
    normal = tuple(dict.fromkeys(f.replace("ё", "е") for f in lemmas))
    return plain, normal or (plain,)


def _frequency_list(language: str) -> dict[str, int]:
    # Read the way pyspellchecker reads it (gzipped JSON in the package): its `SpellChecker`
    # class would also build a word index this parser has no use for (~4 s for English).
    data = pkgutil.get_data("spellchecker", f"resources/{language}.json.gz")
    counts: dict[str, int] = json.loads(gzip.decompress(data or b"{}"))
    return counts


@cache
def english_words() -> frozenset[str]:
    """English words in common use, from pyspellchecker's frequency list (~0.5 s once)."""
    return frozenset(w for w, n in _frequency_list("en").items() if n >= ENGLISH_MIN_COUNT)


@cache
def common_russian_words() -> frozenset[str]:
    """The ~20,000 Russian word forms of pyspellchecker's frequency list, ё as е."""
    return frozenset(w.replace("ё", "е") for w in _frequency_list("ru"))


@lru_cache(maxsize=65536)
def is_common_word(word: str) -> bool:
    """Whether a short word is one people use, so not a slip (`кот`, `дам`, `bra`).

    pymorphy3's dictionary is too wide for three or four letters: it knows `каф`, `карм`
    and `вада` (rare forms and abbreviations), which are slips in a chat far more often.
    """
    typed = plain(word)
    if typed.isascii():
        return typed in english_words()
    return typed in common_russian_words()


@lru_cache(maxsize=65536)
def is_dictionary_word(word: str) -> bool:
    """Whether a word is in the dictionary as typed, so not a typo of another one.

    Russian words are looked up in pymorphy3's dictionary (a word known only as a name,
    `абед`, does not count: it is a slip far more often), English ones in `english_words`.
    """
    typed = plain(word)
    if not CYRILLIC_RE.search(typed):
        return typed.isascii() and typed in english_words()
    if not analyzer().word_is_known(typed):
        return False
    return any(not (_NAMES & p.tag.grammemes) for p in analyzer().parse(typed))


def plain(word: str) -> str:
    """A lower-case word as typed, with ё as е and in one script."""
    return _analysis(word)[0]


@lru_cache(maxsize=65536)
def forms(word: str) -> frozenset[str]:
    """Every key a lower-case word in a text is known by: itself and its dictionary forms.

    A Latin word of letters that look Cyrillic (`mtc`) is known by its Cyrillic reading too.
    """
    plain, normal = _analysis(word)
    keys = frozenset((plain, *normal))
    if len(plain) > 2 and plain.isascii() and not plain.strip(_LOOKALIKE_LATIN):
        keys |= forms(plain.translate(_TO_CYRILLIC))
    return keys


@lru_cache(maxsize=65536)
def alias_forms(word: str) -> frozenset[str]:
    """The keys an alias word answers to: as written and its likeliest dictionary form.

    Narrower than `forms`: an alias `стали` should not answer to every reading of it.
    """
    plain, normal = _analysis(word)
    return frozenset((plain, normal[0]))


def key(word: str) -> str:
    """The one key an alias word is filed under: its likeliest dictionary form."""
    return _analysis(word)[1][0]


@lru_cache(maxsize=65536)
def dictionary_form(word: str) -> str:
    """The dictionary form to store as a keyword (ё kept, as the dictionary spells it)."""
    plain = unmix(word)
    if CYRILLIC_RE.search(plain) and len(plain) > 2:
        return str(analyzer().parse(plain)[0].normal_form)
    return plain


def tokens(text: str) -> list[str]:
    """The lower-case words of `text`."""
    return WORD_RE.findall(text.lower())


def phrase_key(phrase: str) -> tuple[str, ...]:
    """An alias's key: the keys of its meaningful words, in order (`кафе и рестораны`)."""
    return tuple(key(w) for w in tokens(phrase) if w not in STOPWORDS)


def _meaningful(note: str) -> list[str]:
    return [w for w in tokens(note) if w not in STOPWORDS and len(w) > 1 and not w[0].isdigit()]


def keywords(note: str) -> list[str]:
    """The meaningful words of a note in dictionary form: no numbers, no stopwords."""
    lemmas = (dictionary_form(w) for w in _meaningful(note))
    return list(dict.fromkeys(lemma for lemma in lemmas if lemma not in STOPWORDS))


def phrase(note: str) -> str:
    """The meaningful words of a note as typed (`ремонт квартиры`), if there are several."""
    meaningful = _meaningful(note)
    return " ".join(meaningful) if len(meaningful) > 1 else ""


def clear_caches() -> None:
    """Forget every word seen so far (for measuring a cold start)."""
    for cached in (
        _analysis,
        forms,
        alias_forms,
        dictionary_form,
        is_dictionary_word,
        is_common_word,
    ):
        cached.cache_clear()
