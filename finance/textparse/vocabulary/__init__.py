"""The shipped vocabulary: everyday words and merchants per default category, as data.

One file per language and category slug, `<lang>/<slug>.txt`: one keyword or phrase a
line, in dictionary form, sorted; `#` starts a comment. Adding a brand touches no Python.
`banks/<slug>.txt` holds merchants as banks print them in notifications and statements
(`sbermarket`, `azs`, `wholefds`), transliterated or cut short, and the words of their
category columns (`eating places`, `цифровые товары`), in either script.
The files are read once per process (`load`) and shared by every user's index.

Beside them, `weak.txt` lists the keywords whose sense the words around them decide
(`bill`, `ticket`, `билет`: a `phone bill` is not a restaurant's), and `emoji.txt` the
category of common emoji, one emoji a line with the slugs it means (one per kind).
"""

from collections.abc import Mapping
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent
LANGUAGES = ("ru", "en")
FOLDERS = (*LANGUAGES, "banks")


def read(path: Path) -> list[str]:
    """The entries of one file: stripped, lower-cased, comments and blank lines left out."""
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = " ".join(line.split("#", 1)[0].lower().split())
        if entry:
            entries.append(entry)
    return entries


def files() -> list[Path]:
    return sorted(p for folder in FOLDERS for p in (ROOT / folder).glob("*.txt"))


@cache
def load() -> Mapping[str, tuple[str, ...]]:
    """Every category slug's entries, both languages together, as the files hold them."""
    by_slug: dict[str, list[str]] = {}
    for path in files():
        by_slug.setdefault(path.stem, []).extend(read(path))
    return {slug: tuple(dict.fromkeys(entries)) for slug, entries in sorted(by_slug.items())}


@cache
def weak() -> frozenset[str]:
    """Keywords that lose to any other keyword of the same length in the text."""
    return frozenset(read(ROOT / "weak.txt"))


@cache
def emoji() -> Mapping[str, tuple[str, ...]]:
    """Each emoji (its base symbol: no skin tone, no variation selector) and its slugs."""
    found = {}
    for line in read(ROOT / "emoji.txt"):
        sign, *slugs = line.split()
        found[sign] = tuple(slugs)
    return found
