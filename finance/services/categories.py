"""Writes about categories and their keywords: make, rename, re-keyword, archive, and
learn a person's correction."""

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from finance import textparse
from finance.defaults import FALLBACK_SLUGS
from finance.models import Category, CategoryAlias, Kind
from finance.rules import (
    MAX_CATEGORIES_PER_LEDGER,
    MAX_KEYWORDS_PER_CATEGORY,
    TOO_MANY_CATEGORIES,
    check_keyword_count,
    check_write,
    normalize_alias,
)
from finance.services.books import ledger_for_write
from finance.services.parser_cache import categories_changed
from ledgers import access
from ledgers.models import Ledger, Membership

if TYPE_CHECKING:
    from accounts.models import User

CATEGORY_NAME_TAKEN = _("You already have a category named “%(name)s”.")
CATEGORY_NAME_EMPTY = _("A category needs a name.")
CATEGORY_FALLBACK = _("“%(category)s” is where unrecognised entries go; it cannot be archived.")


def _unique_slug(ledger: Ledger, name: str) -> str:
    base = slugify(name, allow_unicode=True)[:40] or "category"
    taken = set(
        Category.objects.filter(ledger=ledger, slug__startswith=base).values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def check_category_name_free(
    *, ledger_id: int, kind: str, name: str, exclude_pk: int | None = None
) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError(CATEGORY_NAME_EMPTY, code="category_name_empty")
    clash = Category.objects.filter(ledger_id=ledger_id, kind=kind, name__iexact=name)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError(
            CATEGORY_NAME_TAKEN, code="category_name_taken", params={"name": name}
        )
    return name


def check_archivable(category: Category) -> None:
    if category.slug == FALLBACK_SLUGS[Kind(category.kind)]:
        raise ValidationError(
            CATEGORY_FALLBACK, code="category_fallback", params={"category": category.name}
        )


@transaction.atomic
def category_create(
    *,
    user: "User",
    ledger: access.LedgerRef = None,
    kind: str,
    name: str,
    aliases: Iterable[str] = (),
    source: str,
    actor: "User | None" = None,
) -> Category:
    """A category of `ledger` (None: the person's active ledger)."""
    books = ledger_for_write(user, ledger)
    name = check_category_name_free(ledger_id=books.pk, kind=kind, name=name)
    words = {normalize_alias(w) for w in (name, *aliases)}
    check_keyword_count(words)
    if Category.objects.filter(ledger=books).count() >= MAX_CATEGORIES_PER_LEDGER:
        raise ValidationError(
            TOO_MANY_CATEGORIES,
            code="too_many_categories",
            params={"limit": MAX_CATEGORIES_PER_LEDGER},
        )
    category = Category(ledger=books, kind=kind, name=name, slug=_unique_slug(books, name))
    category.full_clean(exclude=["ledger"])
    try:
        with transaction.atomic():
            category.save()
    except IntegrityError:
        # A twin request took the name (or its slug) between the check and the insert.
        raise ValidationError(
            CATEGORY_NAME_TAKEN, code="category_name_taken", params={"name": name}
        ) from None
    CategoryAlias.objects.bulk_create(CategoryAlias(category=category, word=w) for w in words)
    categories_changed(books)
    audit_record(
        source=source,
        action="category.create",
        user=user,
        ledger=books,
        actor=actor,
        obj=category,
        details={"name": name, "kind": kind},
    )
    return category


@transaction.atomic
def category_update(
    *,
    category: Category,
    user: "User | None",
    name: str | None = None,
    aliases: Iterable[str] | None = None,
    archived: bool | None = None,
    source: str,
    actor: "User | None" = None,
) -> Category:
    """Rename a category, replace its keywords with `aliases`, archive or restore it.

    `user` is the member who does it (None: an operator, the `actor`). Every change
    is checked before any is written: all of them happen, or none.
    """
    check_write(user, category.ledger_id)
    new_name = None
    if name is not None and name != category.name:
        new_name = check_category_name_free(
            ledger_id=category.ledger_id, kind=category.kind, name=name, exclude_pk=category.pk
        )
    words = None if aliases is None else {normalize_alias(w) for w in aliases}
    if words is not None:
        check_keyword_count(words)
    if archived:
        check_archivable(category)

    changes: dict[str, object] = {}
    if new_name is not None:
        category.name = new_name
        category.save(update_fields=["name"])
        changes["name"] = new_name
    if words is not None:
        # The ledger's own keywords; what a member's corrections taught stays theirs.
        shared = category.aliases.filter(user__isnull=True)
        shared.exclude(word__in=words).delete()
        existing = set(shared.values_list("word", flat=True))
        CategoryAlias.objects.bulk_create(
            CategoryAlias(category=category, word=w) for w in sorted(words - existing)
        )
        changes["aliases"] = sorted(words)
    if changes or (archived is not None and archived != category.is_archived):
        categories_changed(category.ledger_id)
    if changes:
        audit_record(
            source=source,
            action="category.update",
            user=user,
            ledger=category.ledger_id,
            actor=actor,
            obj=category,
            details=changes,
        )
    if archived is not None and archived != category.is_archived:
        category.is_archived = archived
        category.save(update_fields=["is_archived"])
        audit_record(
            source=source,
            action="category.archive" if archived else "category.restore",
            user=user,
            ledger=category.ledger_id,
            actor=actor,
            obj=category,
        )
    return category


def category_archive(
    *,
    category: Category,
    user: "User | None",
    archived: bool = True,
    source: str,
    actor: "User | None" = None,
) -> Category:
    return category_update(
        category=category, user=user, archived=archived, source=source, actor=actor
    )


def aliases_learn(*, category: Category, note: str, user: "User") -> list[str]:
    """Make the note's words `user`'s keywords of `category`, and of no other category of
    its kind in the ledger (for them).

    A person who moves `кофе 250` to Groceries wants the next `кофе` there too. The
    note's words as typed are learned as one phrase as well, so that a default phrase
    elsewhere (`ремонт квартиры`) cannot outrank the correction. What one member
    teaches applies to what they record, not to the other members' records; in a
    ledger of one, the ledger's own keywords elsewhere give way as before.
    """
    words = [*textparse.keywords(note), textparse.phrase(note)]
    words = list(dict.fromkeys(normalize_alias(w) for w in words if 0 < len(w) <= 100))
    # A full category learns no more: the bound holds however many entries are moved.
    room = MAX_KEYWORDS_PER_CATEGORY - category.aliases.count()
    words = words[: max(0, room)]
    if not words:
        return []
    keys = {textparse.phrase_key(w) for w in words}
    mine = Q(user=user)
    if not Membership.objects.filter(ledger_id=category.ledger_id).exclude(user=user).exists():
        mine |= Q(user__isnull=True)
    elsewhere = (
        CategoryAlias.objects.filter(
            category__ledger_id=category.ledger_id, category__kind=category.kind
        )
        .filter(mine)
        .exclude(category=category)
    )
    stale = [a.pk for a in elsewhere.only("pk", "word") if textparse.phrase_key(a.word) in keys]
    CategoryAlias.objects.filter(pk__in=stale).delete()
    CategoryAlias.objects.bulk_create(
        [
            CategoryAlias(category=category, word=w, source=CategoryAlias.Source.LEARNED, user=user)
            for w in words
        ],
        ignore_conflicts=True,
    )
    categories_changed(category.ledger_id)
    return words
