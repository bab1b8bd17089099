"""The parser's copy of a ledger's categories and keywords, kept per process, and the
one way to make every process drop it: `categories_changed`, after any change."""

import threading
from functools import lru_cache
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Q

from finance import textparse
from finance.defaults import FALLBACK_SLUGS
from finance.models import Category, CategoryAlias
from ledgers.models import Ledger

if TYPE_CHECKING:
    from accounts.models import User

# What the parser needs of a ledger's categories is needed for every text: a ledger has
# ~20 categories and hundreds of keywords. Each process keeps the last copy per
# (ledger, person, kind), labelled with the ledger's `categories_version` when it was
# read; the version comes with the ledger row the request loaded anyway (a bot token's
# lookup joins it), so a current copy costs no query at all. The keywords are the
# ledger's own and those the person taught it.
_PARSER_CATEGORIES_MAX = 256
_parser_categories_lock = threading.Lock()
_parser_categories_cache: dict[
    tuple[int, int, str], tuple[int, dict[int, Category], tuple[textparse.CategoryEntry, ...]]
] = {}

_BUMP_VERSION_SQL = """
UPDATE ledgers_ledger SET categories_version = categories_version + 1 WHERE id = %s
RETURNING categories_version
"""


def categories_changed(ledger: Ledger | int) -> None:
    """Mark the ledger's categories or keywords changed, so that every process's parser
    copy of them is refetched. A Ledger instance takes the database's new value, not its
    own plus one: a stale instance must never come to match a copy made before this."""
    ledger_id = ledger if isinstance(ledger, int) else ledger.pk
    with connection.cursor() as cursor:
        cursor.execute(_BUMP_VERSION_SQL, [ledger_id])
        (version,) = cursor.fetchone()
    if isinstance(ledger, Ledger):
        ledger.categories_version = version
    # Other instances of this ledger in this process (a test's, a long-lived loop's) may
    # still say the old version: this process forgets its copies, so they refetch too.
    with _parser_categories_lock:
        for key in [k for k in _parser_categories_cache if k[0] == ledger_id]:
            del _parser_categories_cache[key]


def parser_categories(
    *, user: "User", ledger: Ledger, kind: str
) -> tuple[dict[int, Category], tuple[textparse.CategoryEntry, ...]]:
    """The ledger's active categories of `kind` by id, and the same as the parser's
    entries with the keywords `user` may use."""
    key, version = (ledger.pk, user.pk, kind), ledger.categories_version
    cached = _parser_categories_cache.get(key)
    if cached is not None and cached[0] == version:
        return cached[1], cached[2]
    categories = {c.pk: c for c in Category.objects.for_ledger(ledger).active().filter(kind=kind)}
    # Plain tuples, not prefetched model instances: building an instance for each of
    # hundreds of keywords cost 3x as much as the rest of the lookup.
    words: dict[int, list[textparse.Alias]] = {pk: [] for pk in categories}
    aliases = CategoryAlias.objects.filter(category_id__in=list(categories)).filter(
        Q(user__isnull=True) | Q(user=user)
    )
    for category_id, word, alias_source in aliases.values_list("category_id", "word", "source"):
        words[category_id].append(textparse.Alias(word, alias_source))
    entries = tuple(
        textparse.CategoryEntry(
            id=c.pk, slug=c.slug, name=c.name, kind=c.kind, aliases=tuple(words[c.pk])
        )
        for c in categories.values()
    )
    with _parser_categories_lock:  # gunicorn may run threads (GUNICORN_THREADS)
        if len(_parser_categories_cache) >= _PARSER_CATEGORIES_MAX:
            _parser_categories_cache.pop(next(iter(_parser_categories_cache)))
        _parser_categories_cache[key] = (version, categories, entries)
    return categories, entries


@lru_cache(maxsize=64)
def category_index(entries: tuple[textparse.CategoryEntry, ...]) -> textparse.CategoryIndex:
    """The parser's index of `entries`, with the ledger's fallbacks."""
    # Keyed by the categories' full contents, so a rename or a new keyword makes a new
    # index. Building one costs ~1 ms and holds ~100 KB; hashing the key ~0.1 ms.
    return textparse.CategoryIndex(entries, {k.value: v for k, v in FALLBACK_SLUGS.items()})
