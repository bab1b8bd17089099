"""Reads of categories: a ledger's list, one by id, one by the words a person names it by."""

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from finance import textparse
from finance.defaults import parser_entries
from finance.models import Category, CategoryAlias, Kind
from finance.rules import CATEGORY_NOT_FOUND, ledger_for_read, normalize_alias
from ledgers import access

if TYPE_CHECKING:
    from accounts.models import User

CATEGORY_AMBIGUOUS = _("“%(reference)s” names several categories: %(slugs)s. Use the id.")


def category_list(
    *,
    user: "User",
    ledger: access.LedgerRef = None,
    kind: str | None = None,
    include_archived: bool = False,
) -> list[Category]:
    categories = Category.objects.for_ledger(ledger_for_read(user, ledger))
    if kind:
        categories = categories.filter(kind=kind)
    if not include_archived:
        categories = categories.active()
    return list(categories.order_by("kind", "name"))


@dataclass(frozen=True)
class CategoryIndex:
    """A ledger's categories by the words a person names them by, as `user` sees them
    (the ledger's keywords and their own learned ones), read in two queries: an import
    of thousands of rows, each naming its category, asks it without a query a row."""

    slugs: dict[str, Category]
    names: dict[str, list[Category]]  # active categories only, by name
    words: dict[str, list[Category]]  # active categories only, by keyword

    def find(self, reference: str, kind: str | None = None) -> Category:
        """One category by slug, name or keyword (see `category_find`)."""
        reference = " ".join(reference.split())
        found = self.slugs.get(reference.upper())
        if found is not None:
            return found
        candidates = self.names.get(reference.upper()) or self.words.get(
            normalize_alias(reference), []
        )
        if len(candidates) > 1:
            preferred = [c for c in candidates if c.kind == (kind or Kind.EXPENSE)]
            candidates = preferred or candidates
        if not candidates:
            raise ValidationError(CATEGORY_NOT_FOUND, code="category_not_found")
        if len(candidates) > 1:
            raise ValidationError(
                CATEGORY_AMBIGUOUS,
                code="category_ambiguous",
                params={
                    "reference": reference,
                    "slugs": ", ".join(sorted(c.slug for c in candidates)),
                },
            )
        return candidates[0]


def category_index(*, user: "User", ledger: access.LedgerRef = None) -> CategoryIndex:
    """The ledger's categories as `user` names them, for many lookups at the cost of one."""
    books = ledger_for_read(user, ledger)
    categories = list(Category.objects.for_ledger(books).order_by("pk"))
    slugs: dict[str, Category] = {}
    names: dict[str, list[Category]] = {}
    for category in categories:
        slugs.setdefault(category.slug.upper(), category)
        if not category.is_archived:
            names.setdefault(category.name.upper(), []).append(category)
    by_id = {c.pk: c for c in categories if not c.is_archived}
    words: dict[str, list[Category]] = {}
    aliases = (
        CategoryAlias.objects.filter(category_id__in=list(by_id))
        .filter(Q(user__isnull=True) | Q(user=user))
        .order_by("category_id")
        .values_list("word", "category_id")
    )
    for word, category_id in aliases:
        found = words.setdefault(word, [])
        if by_id[category_id] not in found:
            found.append(by_id[category_id])
    return CategoryIndex(slugs=slugs, names=names, words=words)


def category_find(
    *, user: "User", ledger: access.LedgerRef = None, reference: str, kind: str | None = None
) -> Category:
    """One of the ledger's categories by slug, name or keyword, for a person or an agent
    who names it in words; a category of `kind` (expense when not given: budgets are
    mostly for spending) wins a tie between kinds."""
    return category_index(user=user, ledger=ledger).find(reference, kind)


def category_get(*, user: "User", ledger: access.LedgerRef = None, pk: int) -> Category:
    """One of the ledger's categories by id; another ledger's is as unknown as a missing one."""
    category = Category.objects.for_ledger(ledger_for_read(user, ledger)).filter(pk=pk).first()
    if category is None:
        raise ValidationError(CATEGORY_NOT_FOUND, code="category_not_found")
    return category


# Words that name an income whatever the person asked for: a salary, a fee, interest.
_INCOME_SLUGS = ("salary", "freelance", "interest")


@functools.cache
def _income_words() -> textparse.CategoryIndex:
    entries = parser_entries(_INCOME_SLUGS)
    # The default keywords only: the shipped vocabulary's broader income words (`tips`,
    # `paid`, `client`) name expenses too often to warn about.
    return textparse.CategoryIndex(entries, {}, vocabulary=False)


def looks_like_income(note: str) -> bool:
    """True when a note (`зарплата`, `salary for may`) names an income."""
    return _income_words().match(Kind.INCOME, textparse.words.tokens(note)) is not None
