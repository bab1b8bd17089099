"""Who shares an expense, as people say it beside the amount: "пополам", "на двоих",
"за всех", "за меня и Машу", "split with Anna", "for me and Anna".

Pure: the text and the names of the ledger's members in, what was said and the text
without those words out. It reads words around the free-text parser's job and never
inside it: the parser gets the text with the split's words taken out.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

# A word (letters or digits, a hyphen inside), or any other non-space character.
TOKEN_RE = re.compile(r"\w+(?:-\w+)*|[^\w\s]", re.UNICODE)

ME = frozenset({"меня", "мне", "себя", "me", "myself"})
AND = frozenset({"и", "and", ",", "&", "+"})
FOR = frozenset({"за", "for"})
WITH = frozenset({"с", "со", "with"})
# Whole phrases, as token sequences.
EVERYONE: tuple[tuple[str, ...], ...] = (
    ("за", "всех"),
    ("на", "всех"),
    ("for", "everyone"),
    ("for", "everybody"),
    ("for", "all", "of", "us"),
    ("for", "all"),
    ("for", "us", "all"),
)
HALVES: tuple[tuple[str, ...], ...] = (
    ("пополам",),
    ("напополам",),
    ("на", "двоих"),
    ("split",),
    ("50", "/", "50"),
    ("50-50",),
    ("fifty-fifty",),
    ("halves",),
)
# The endings a Russian name takes in the phrases above (Маша: Машу, Маши, Маше, Машей;
# Иван: Ивана, Ивану, Иваном): only these, so that "за машину" is not Маша's.
CASE_ENDINGS = frozenset(
    {"", "а", "я", "у", "ю", "и", "ы", "е", "ей", "ой", "ею", "ою", "ем", "ом", "ам", "ям"}
)
VOWEL_ENDINGS = frozenset("аяоеиыуюйь" + "aeiouy")


@dataclass(frozen=True)
class SplitWords:
    """What the text says about sharing: `everyone`; `halves` (between the writer and
    `names`, or the two members); or for whom: the writer (`me`) and `names`.

    `names` are the given names (as passed in) that were found; `text` is the text
    without the phrase.
    """

    text: str
    everyone: bool = False
    halves: bool = False
    me: bool = False
    names: tuple[str, ...] = ()


def _fold(word: str) -> str:
    return word.casefold().replace("ё", "е")


def _stem(name: str) -> str:
    """The name without its ending vowel (Маша: маш, Аня: ан, Игорь: игор, Иван: иван)."""
    folded = _fold(name)
    if len(folded) > 2 and folded[-1] in VOWEL_ENDINGS:
        return folded[:-1]
    return folded


def name_of(word: str, names: Sequence[str]) -> str | None:
    """The member's name `word` is, in any of its forms, if one; the exact one first."""
    folded = _fold(word)
    for name in names:
        if _fold(name) == folded:
            return name
    for name in names:
        stem = _stem(name)
        if len(stem) >= 2 and folded.startswith(stem) and folded[len(stem) :] in CASE_ENDINGS:
            return name
    return None


def _at(tokens: list[str], start: int, phrase: Sequence[str]) -> bool:
    return tuple(tokens[start : start + len(phrase)]) == tuple(phrase)


def _people(
    tokens: list[str], start: int, names: Sequence[str]
) -> tuple[int, bool, tuple[str, ...]]:
    """A list of people from `start` ("меня и Машу", "me, Anna and Bob"): where it ends,
    whether the writer is in it, and the names. Ends before anything else."""
    end, me = start, False
    found: list[str] = []
    i = start
    while i < len(tokens):
        word = tokens[i]
        name = None if word in ME else name_of(word, names)
        if word not in ME and name is None:
            break
        if word in ME:
            me = True
        elif name is not None and name not in found:
            found.append(name)
        end = i + 1
        if i + 1 < len(tokens) and tokens[i + 1] in AND:
            i += 2
            continue
        break
    return end, me, tuple(found)


# The first word of every phrase: a text without one of them says nothing of sharing.
TRIGGERS = frozenset({p[0] for p in EVERYONE + HALVES} | FOR)


def mentions_split(text: str) -> bool:
    """Whether `text` may say who shares it (before the members' names are read)."""
    return any(_fold(m[0]) in TRIGGERS for m in TOKEN_RE.finditer(text))


def read_split(text: str, names: Sequence[str]) -> SplitWords | None:
    """The first phrase of `text` about sharing, with `names` the members' names as the
    ledger shows them; None when it has none."""
    spans = [(m.start(), m.end()) for m in TOKEN_RE.finditer(text)]
    tokens = [_fold(text[a:b]) for a, b in spans]
    for i in range(len(tokens)):
        found: SplitWords | None = None
        end = i
        for phrase in EVERYONE:
            if _at(tokens, i, phrase):
                end, found = i + len(phrase), SplitWords(text="", everyone=True)
                break
        if found is None:
            for phrase in HALVES:
                if _at(tokens, i, phrase):
                    end = i + len(phrase)
                    people: tuple[str, ...] = ()
                    if end < len(tokens) and tokens[end] in WITH:
                        after, _me, people = _people(tokens, end + 1, names)
                        if people:
                            end = after
                    found = SplitWords(text="", halves=True, me=True, names=people)
                    break
        if found is None and tokens[i] in FOR:
            after, me, people = _people(tokens, i + 1, names)
            if me or people:
                end, found = after, SplitWords(text="", me=me, names=people)
        if found is not None:
            rest = text[: spans[i][0]] + " " + text[spans[end - 1][1] :]
            return SplitWords(
                text=" ".join(rest.split()),
                everyone=found.everyone,
                halves=found.halves,
                me=found.me,
                names=found.names,
            )
    return None
