"""Filing what a bank wrote (`PYATEROCHKA 1234 MOSCOW RUS`, `YANDEX*TAXI`, an MCC, the
bank's own category) under a ledger's categories, as the chat files what a person types.

The words are the parser's (`finance.textparse`): the ledger's categories and keywords,
the ones the person taught by correcting, and the shipped vocabulary, which knows how
banks print merchants. A statement of 100,000 rows names a few thousand merchants at
most: each distinct text is matched once (`Categoriser` keeps what it found).

The order, written in docs/capture.md:
1. the bank's own category, when it is literally one of the ledger's (its name or slug);
2. the words of the merchant or the description;
3. the merchant category code (`finance/readers/mcc.tsv`);
4. the bank's own category read as words (`Супермаркеты`, `Food:Groceries`);
5. the kind's fallback (Other, Other income).
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from finance import textparse
from finance.defaults import fallback_slug
from finance.models import Category, Kind
from finance.readers import mcc as mcc_table
from finance.readers.bank_messages import merchants
from finance.services.parser_cache import category_index, parser_categories
from ledgers.models import Ledger

if TYPE_CHECKING:
    from accounts.models import User

NO_CATEGORY = _("There is no %(kind)s category to file this under.")


@dataclass(frozen=True)
class Filed:
    category: Category
    # What chose it: "category" (the bank's column names it), "words", "mcc",
    # "bank_category" (its words), "slug" (asked for by name) or "fallback".
    by: str

    @property
    def guessed(self) -> bool:
        """Whether anything about the operation chose the category (False: the fallback)."""
        return self.by != "fallback"


def merchant_words(text: str) -> str:
    """The words of a merchant as a bank printed it that a parser can know."""
    return merchants.clean(text)


class Categoriser:
    """One ledger's categories, as one person files into them (their learned keywords
    apply to what they record), for as many texts as come; each distinct one is read once."""

    def __init__(self, *, user: "User", ledger: Ledger) -> None:
        self.user = user
        self.ledger = ledger
        self._kinds: dict[
            str, tuple[dict[int, Category], textparse.CategoryIndex, dict[str, Category]]
        ] = {}
        self._words: dict[tuple[str, str], Category | None] = {}

    def _of(
        self, kind: str
    ) -> tuple[dict[int, Category], textparse.CategoryIndex, dict[str, Category]]:
        filed_under = Kind(kind).category_kind.value
        known = self._kinds.get(filed_under)
        if known is None:
            categories, entries = parser_categories(
                user=self.user, ledger=self.ledger, kind=filed_under
            )
            names: dict[str, Category] = {}
            for category in categories.values():
                names[category.slug.casefold()] = category
                names[" ".join(category.name.split()).casefold()] = category
            known = self._kinds[filed_under] = (categories, category_index(entries), names)
        return known

    def by_words(self, kind: str, text: str) -> Category | None:
        """The category `text`'s words point to, as the chat's parser reads them; None
        when they point nowhere (the caller then tries what else it knows)."""
        filed_under = Kind(kind).category_kind.value
        key = (filed_under, text)
        if key in self._words:
            return self._words[key]
        categories, index, _names = self._of(kind)
        match = index.match(filed_under, textparse.words.tokens(merchant_words(text)))
        found = categories.get(match.category.id) if match is not None and match.guessed else None
        self._words[key] = found
        return found

    def by_slug(self, kind: str, slug: str | None) -> Category | None:
        if not slug:
            return None
        return self._of(kind)[2].get(slug.casefold())

    def by_name(self, kind: str, name: str | None) -> Category | None:
        """The ledger's category whose name or slug `name` is, letter for letter."""
        if not name:
            return None
        return self._of(kind)[2].get(" ".join(name.split()).casefold())

    def fallback(self, kind: str) -> Category:
        found = self.by_slug(kind, fallback_slug(kind))
        if found is None:
            # The ledger's Other is archived or gone: any category of the kind will do.
            categories = self._of(kind)[0]
            if not categories:
                filed_under = Kind(kind).category_kind.value
                raise ValidationError(
                    NO_CATEGORY, code="category_not_found", params={"kind": filed_under}
                )
            found = min(categories.values(), key=lambda c: c.pk)
        return found

    def file(
        self, *, kind: str, text: str, mcc: str | None = None, bank_category: str | None = None
    ) -> Filed:
        """The category an operation of `kind` goes under (the order in the module's doc)."""
        named = self.by_name(kind, bank_category)
        if named is not None:
            return Filed(named, "category")
        found = self.by_words(kind, text)
        if found is not None:
            return Filed(found, "words")
        if Kind(kind).category_kind == Kind.EXPENSE:
            found = self.by_slug(kind, mcc_table.category_for(mcc))
            if found is not None:
                return Filed(found, "mcc")
        if bank_category:
            found = self.by_words(kind, bank_category)
            if found is not None:
                return Filed(found, "bank_category")
        return Filed(self.fallback(kind), "fallback")

    def slug_or_words(self, *, kind: str, slug: str, text: str) -> Filed:
        """The category `slug` names (a salary's, cashback's), else as `file` finds it."""
        found = self.by_slug(kind, slug)
        if found is not None:
            return Filed(found, "slug")
        return self.file(kind=kind, text=text)
