"""Writes to the money domain: validate, normalise currency and category, write, audit."""

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from finance import currencies, textparse
from finance.defaults import DEFAULT_CATEGORIES, FALLBACK_SLUGS
from finance.models import BudgetItem, Category, CategoryAlias, ExchangeRate, Kind, Transaction
from notifications.queue import defer_budget_check

if TYPE_CHECKING:
    from accounts.models import User

AMOUNT_OUT_OF_RANGE = _("The amount must be greater than zero and less than 1,000,000,000,000.")
PLANNED_OUT_OF_RANGE = _("The planned amount must be zero or more and less than 1,000,000,000,000.")
AMOUNT_PRECISION = _("%(currency)s amounts have at most %(places)s decimal places.")
CATEGORY_NOT_FOUND = _("No such category.")
CATEGORY_KIND_MISMATCH = _("“%(category)s” is an %(category_kind)s category, not an %(kind)s one.")
CATEGORY_ARCHIVED = _("“%(category)s” is archived.")
CATEGORY_NAME_TAKEN = _("You already have a category named “%(name)s”.")
CATEGORY_NAME_EMPTY = _("A category needs a name.")
CATEGORY_FALLBACK = _("“%(category)s” is where unrecognised entries go; it cannot be archived.")
ALIAS_INVALID = _("Keywords are 1 to 100 characters long.")


def normalize_amount(amount: Decimal, currency: str, *, allow_zero: bool = False) -> Decimal:
    """Return `amount` with two decimal places, refusing what the currency cannot hold."""
    try:
        in_range = amount.is_finite() and (amount >= 0 if allow_zero else amount > 0)
        in_range = in_range and amount <= currencies.MAX_AMOUNT
    except InvalidOperation:
        in_range = False
    if not in_range:
        message = PLANNED_OUT_OF_RANGE if allow_zero else AMOUNT_OUT_OF_RANGE
        raise ValidationError(message, code="amount_out_of_range")
    if amount % currencies.quantum(currency):
        raise ValidationError(
            AMOUNT_PRECISION,
            code="amount_precision",
            params={"currency": currency, "places": currencies.decimal_places(currency)},
        )
    return amount.quantize(Decimal("0.01"))


def normalize_alias(word: str) -> str:
    normalized = " ".join(word.lower().split())
    if not 0 < len(normalized) <= 100:
        raise ValidationError(ALIAS_INVALID, code="alias_invalid")
    return normalized


def check_category(*, user: "User", category: Category, kind: str) -> None:
    if category.user_id != user.pk:
        # Never reveal that another user's category exists.
        raise ValidationError(CATEGORY_NOT_FOUND, code="category_not_found")
    if category.kind != kind:
        raise ValidationError(
            CATEGORY_KIND_MISMATCH,
            code="category_kind_mismatch",
            params={"category": category.name, "category_kind": category.kind, "kind": kind},
        )
    if category.is_archived:
        raise ValidationError(
            CATEGORY_ARCHIVED, code="category_archived", params={"category": category.name}
        )


# Categories

_PARSER_CATEGORIES_MAX = 256
_parser_categories_lock = threading.Lock()
_parser_categories_cache: dict[
    tuple[int, str], tuple[int, dict[int, Category], tuple[textparse.CategoryEntry, ...]]
] = {}

_BUMP_VERSION_SQL = """
UPDATE accounts_user SET categories_version = categories_version + 1 WHERE id = %s
RETURNING categories_version
"""


def _categories_changed(user: "User") -> None:
    """Mark the person's categories changed, so that every process's parser copy of them
    is refetched. The instance takes the database's new value, not its own plus one: a
    stale instance must never come to match a copy made before this change."""
    with connection.cursor() as cursor:
        cursor.execute(_BUMP_VERSION_SQL, [user.pk])
        (user.categories_version,) = cursor.fetchone()
    # Other instances of this user in this process (a test's, a long-lived loop's) may
    # still say the old version: this process forgets its copy, so they refetch too.
    with _parser_categories_lock:
        for kind in Kind:
            _parser_categories_cache.pop((user.pk, kind), None)


@transaction.atomic
def categories_ensure_defaults(*, user: "User") -> None:
    """Give the default categories to a user made around `user_create` (createsuperuser,
    a data migration, the admin), on first need. The user's row lock makes two first
    requests at once create them once."""
    locked = type(user).objects.select_for_update().only("pk").get(pk=user.pk)
    if Category.objects.filter(user_id=locked.pk).exists():
        _categories_changed(user)  # categories made around the services: count them in
    else:
        categories_create_defaults(user=user)


@transaction.atomic
def categories_create_defaults(*, user: "User") -> list[Category]:
    """Give a new user the default categories, named in their language, with keywords."""
    categories = Category.objects.bulk_create(
        Category(user=user, kind=d.kind, slug=d.slug, name=d.name(user.language))
        for d in DEFAULT_CATEGORIES
    )
    aliases = []
    for category, default in zip(categories, DEFAULT_CATEGORIES, strict=True):
        words = {normalize_alias(w) for w in default.words()}
        aliases += [
            CategoryAlias(category=category, word=w, source=CategoryAlias.Source.DEFAULT)
            for w in sorted(words)
        ]
    CategoryAlias.objects.bulk_create(aliases)
    _categories_changed(user)
    return categories


def categories_translate_defaults(*, user: "User", old: str, new: str) -> list[Category]:
    """Rename the default categories a person has not renamed into their new language.

    The old names stay keywords, so what the person types keeps landing where it did.
    """
    defaults = {d.slug: d for d in DEFAULT_CATEGORIES}
    renamed = []
    for category in Category.objects.filter(user=user, slug__in=list(defaults)):
        default = defaults[category.slug]
        target = default.name(new)
        if category.name != default.name(old) or category.name == target:
            continue
        if Category.objects.filter(user=user, kind=category.kind, name__iexact=target).exists():
            continue  # the person made a category of that name themselves
        category.name = target
        category.save(update_fields=["name"])
        renamed.append(category)
    if renamed:
        _categories_changed(user)
    return renamed


def _unique_slug(user: "User", name: str) -> str:
    base = slugify(name, allow_unicode=True)[:40] or "category"
    taken = set(
        Category.objects.filter(user=user, slug__startswith=base).values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def check_category_name_free(
    *, user: "User", kind: str, name: str, exclude_pk: int | None = None
) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError(CATEGORY_NAME_EMPTY, code="category_name_empty")
    clash = Category.objects.filter(user=user, kind=kind, name__iexact=name)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError(
            CATEGORY_NAME_TAKEN, code="category_name_taken", params={"name": name}
        )
    return name


@transaction.atomic
def category_create(
    *,
    user: "User",
    kind: str,
    name: str,
    aliases: Iterable[str] = (),
    source: str,
    actor: "User | None" = None,
) -> Category:
    name = check_category_name_free(user=user, kind=kind, name=name)
    category = Category(user=user, kind=kind, name=name, slug=_unique_slug(user, name))
    category.full_clean(exclude=["user"])
    try:
        with transaction.atomic():
            category.save()
    except IntegrityError:
        # A twin request took the name (or its slug) between the check and the insert.
        raise ValidationError(
            CATEGORY_NAME_TAKEN, code="category_name_taken", params={"name": name}
        ) from None
    words = {normalize_alias(w) for w in (name, *aliases)}
    CategoryAlias.objects.bulk_create(CategoryAlias(category=category, word=w) for w in words)
    _categories_changed(user)
    audit_record(
        source=source,
        action="category.create",
        user=user,
        actor=actor,
        obj=category,
        details={"name": name, "kind": kind},
    )
    return category


@transaction.atomic
def category_update(
    *,
    category: Category,
    name: str | None = None,
    aliases: Iterable[str] | None = None,
    archived: bool | None = None,
    source: str,
    actor: "User | None" = None,
) -> Category:
    """Rename a category, replace its keywords with `aliases`, archive or restore it.

    Every change is checked before any is written: all of them happen, or none.
    """
    new_name = None
    if name is not None and name != category.name:
        new_name = check_category_name_free(
            user=category.user, kind=category.kind, name=name, exclude_pk=category.pk
        )
    words = None if aliases is None else {normalize_alias(w) for w in aliases}
    if archived:
        check_archivable(category)

    changes: dict[str, object] = {}
    if new_name is not None:
        category.name = new_name
        category.save(update_fields=["name"])
        changes["name"] = new_name
    if words is not None:
        category.aliases.exclude(word__in=words).delete()
        existing = set(category.aliases.values_list("word", flat=True))
        CategoryAlias.objects.bulk_create(
            CategoryAlias(category=category, word=w) for w in sorted(words - existing)
        )
        changes["aliases"] = sorted(words)
    if changes or (archived is not None and archived != category.is_archived):
        _categories_changed(category.user)
    if changes:
        audit_record(
            source=source,
            action="category.update",
            user=category.user,
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
            user=category.user,
            actor=actor,
            obj=category,
        )
    return category


def check_archivable(category: Category) -> None:
    if category.slug == FALLBACK_SLUGS[Kind(category.kind)]:
        raise ValidationError(
            CATEGORY_FALLBACK, code="category_fallback", params={"category": category.name}
        )


def category_archive(
    *, category: Category, archived: bool = True, source: str, actor: "User | None" = None
) -> Category:
    return category_update(category=category, archived=archived, source=source, actor=actor)


# Transactions


def _transaction_details(tx: Transaction) -> dict[str, object]:
    return {
        "kind": tx.kind,
        "amount": str(tx.amount),
        "currency": tx.currency,
        "category": tx.category.slug,
        "date": tx.date.isoformat(),
    }


def transaction_create(
    *,
    user: "User",
    kind: str,
    amount: Decimal,
    currency: str,
    category: Category,
    date: date,
    note: str = "",
    text: str = "",
    source: str,
    actor: "User | None" = None,
    dry_run: bool = False,
) -> Transaction:
    """Record one transaction; `dry_run` checks everything and returns it unsaved."""
    currency = currencies.normalize_code(currency)
    amount = normalize_amount(amount, currency)
    check_category(user=user, category=category, kind=kind)
    tx = Transaction(
        user=user,
        kind=kind,
        amount=amount,
        currency=currency,
        category=category,
        date=date,
        note=note.strip()[:500],
        text=text,
        source=source,
    )
    # The check constraints (amount > 0, an ISO code) are what normalize_* just enforced
    # (and the database enforces them too); validating them here cost a query each.
    tx.full_clean(exclude=["user", "category"], validate_constraints=False)
    if dry_run:
        return tx
    # Everything is checked: the row and its audit row go in together. Within a caller's
    # transaction (the bot's idempotency claim) no savepoint is needed, since a database
    # error aborts the whole PostgreSQL transaction anyway; that saves two round trips.
    with transaction.atomic(savepoint=False):
        tx.save()
        audit_record(
            source=source,
            action="transaction.create",
            user=user,
            actor=actor,
            obj=tx,
            details=_transaction_details(tx),
        )
        if kind == Kind.EXPENSE:
            defer_budget_check(user=user, days=[tx.date])  # rolls back with the write
    return tx


@transaction.atomic
def transaction_update(
    *,
    tx: Transaction,
    amount: Decimal | None = None,
    currency: str | None = None,
    category: Category | None = None,
    date: date | None = None,
    note: str | None = None,
    source: str,
    actor: "User | None" = None,
) -> Transaction:
    """Change some fields of a transaction; a new category must be of the same kind."""
    before = _transaction_details(tx)
    before_date = tx.date
    if currency is not None:
        tx.currency = currencies.normalize_code(currency)
    if amount is not None or currency is not None:
        tx.amount = normalize_amount(amount if amount is not None else tx.amount, tx.currency)
    recategorised = category is not None and category.pk != tx.category_id
    if category is not None and recategorised:
        check_category(user=tx.user, category=category, kind=tx.kind)
        tx.category = category
    if date is not None:
        tx.date = date
    if note is not None:
        tx.note = note.strip()[:500]
    tx.full_clean(exclude=["user", "category"])
    tx.save()
    after = _transaction_details(tx)
    changed: dict[str, object] = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if recategorised:
        learned = _aliases_learn(user=tx.user, category=tx.category, note=tx.note)
        if learned:
            changed["learned_aliases"] = learned
    if changed and tx.kind == Kind.EXPENSE:
        defer_budget_check(user=tx.user, days=[before_date, tx.date])
    if changed:
        audit_record(
            source=source,
            action="transaction.update",
            user=tx.user,
            actor=actor,
            obj=tx,
            details=changed,
        )
    return tx


def _aliases_learn(*, user: "User", category: Category, note: str) -> list[str]:
    """Make the note's words keywords of `category`, and of no other category of its kind.

    A person who moves `кофе 250` to Groceries wants the next `кофе` there too. The
    note's words as typed are learned as one phrase as well, so that a default phrase
    elsewhere (`ремонт квартиры`) cannot outrank the correction.
    """
    words = [*textparse.keywords(note), textparse.phrase(note)]
    words = list(dict.fromkeys(normalize_alias(w) for w in words if 0 < len(w) <= 100))
    if not words:
        return []
    keys = {textparse.phrase_key(w) for w in words}
    elsewhere = CategoryAlias.objects.filter(
        category__user_id=category.user_id, category__kind=category.kind
    ).exclude(category=category)
    stale = [a.pk for a in elsewhere.only("pk", "word") if textparse.phrase_key(a.word) in keys]
    CategoryAlias.objects.filter(pk__in=stale).delete()
    CategoryAlias.objects.bulk_create(
        [
            CategoryAlias(category=category, word=w, source=CategoryAlias.Source.LEARNED)
            for w in words
        ],
        ignore_conflicts=True,
    )
    _categories_changed(user)
    return words


@transaction.atomic
def transaction_delete(*, tx: Transaction, source: str, actor: "User | None" = None) -> bool:
    """Delete `tx`; False when it was already gone (a double submit deletes and audits once)."""
    details = _transaction_details(tx)
    deleted, _ = Transaction.objects.filter(pk=tx.pk).delete()
    if deleted:
        audit_record(
            source=source,
            action="transaction.delete",
            user=tx.user,
            actor=actor,
            obj=tx,
            details=details,
        )
    return bool(deleted)


# Free text


@lru_cache(maxsize=64)
def _category_index(entries: tuple[textparse.CategoryEntry, ...]) -> textparse.CategoryIndex:
    # Keyed by the categories' full contents, so a rename or a new keyword makes a new
    # index. Building one costs ~1 ms and holds ~100 KB; hashing the key ~0.1 ms.
    return textparse.CategoryIndex(entries, {k.value: v for k, v in FALLBACK_SLUGS.items()})


# The parser is pure and speaks English; people read these in their own language.
TEXT_MESSAGES = {
    "amount_not_found": _("The text states no amount; write it as a number, such as “кофе 250”."),
    "amount_out_of_range": AMOUNT_OUT_OF_RANGE,
    "unknown_currency": currencies.UNKNOWN_CURRENCY,
    "invalid_date": _("“%(words)s” is not a day that exists."),
    "category_not_found": _("There is no %(kind)s category to file this under."),
}


def _text_error(problems: Iterable[textparse.Problem]) -> ValidationError:
    fields: dict[str, list[ValidationError]] = {}
    for p in problems:
        message = TEXT_MESSAGES.get(p.code, p.message)
        error = ValidationError(message, code=p.code, params=p.params or None)
        fields.setdefault(p.path.removeprefix("payload."), []).append(error)
    return ValidationError(fields)


# What the parser needs of a user's categories is needed for every text: a user has
# ~20 categories and hundreds of keywords. Each process keeps the last copy per
# (user, kind), labelled with the user's `categories_version` when it was read; the
# version comes with the user row the request loaded anyway, so a current copy costs
# no query at all. (The copies are kept near the top: `_categories_changed` drops them.)


def _parser_categories(
    *, user: "User", kind: str
) -> tuple[dict[int, Category], tuple[textparse.CategoryEntry, ...]]:
    """The user's active categories of `kind` by id, and the same as the parser's entries."""
    if user.categories_version == 0:
        categories_ensure_defaults(user=user)
    key, version = (user.pk, kind), user.categories_version
    cached = _parser_categories_cache.get(key)
    if cached is not None and cached[0] == version:
        return cached[1], cached[2]
    categories = {c.pk: c for c in Category.objects.for_user(user).active().filter(kind=kind)}
    # Plain tuples, not prefetched model instances: building an instance for each of
    # hundreds of keywords cost 3x as much as the rest of the lookup.
    words: dict[int, list[textparse.Alias]] = {pk: [] for pk in categories}
    aliases = CategoryAlias.objects.filter(category_id__in=list(categories))
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


def record_from_text(
    *,
    user: "User",
    kind: str,
    text: str,
    date: date | None = None,
    currency: str | None = None,
    category: Category | None = None,
    source: str,
    actor: "User | None" = None,
    dry_run: bool = False,
) -> Transaction:
    """Record what a person typed (`кофе 250`) as one transaction, or write nothing.

    Raises ValidationError keyed by payload field (text, date, currency, category), each
    error with the contract's code. `date`, `currency` and `category` win over the text;
    a `category` other than the one the text suggests is learned as a correction is.
    `dry_run` returns the unsaved transaction.
    """
    if category is not None:
        try:
            check_category(user=user, category=category, kind=kind)
        except ValidationError as e:
            raise ValidationError({"category": e.error_list}) from None
    categories, entries = _parser_categories(user=user, kind=kind)
    try:
        parsed = textparse.parse(
            text,
            kind=kind,
            index=_category_index(entries),
            default_currency=user.default_currency,
            today=user.today(),
            date=date,
            currency=currency,
        )
        amount = normalize_amount(parsed.amount, parsed.currency)
    except textparse.ParseError as e:
        raise _text_error(e.problems) from None
    except ValidationError as e:
        # The text's amount has more decimals than the currency holds (`1.5` yen).
        raise ValidationError({"text": e.error_list}) from None
    chosen = category or categories[parsed.category_id]
    with transaction.atomic(savepoint=False):
        tx = transaction_create(
            user=user,
            kind=kind,
            amount=amount,
            currency=parsed.currency,
            category=chosen,
            date=parsed.date,
            note=parsed.note,
            text=text,
            source=source,
            actor=actor,
            dry_run=dry_run,
        )
        if not dry_run and chosen.pk != parsed.category_id:
            _aliases_learn(user=user, category=chosen, note=parsed.note)
    return tx


# Budget


def _first_of_month(day: date) -> date:
    return day.replace(day=1)


def budget_item_set(
    *,
    user: "User",
    month: date,
    category: Category,
    planned_amount: Decimal,
    currency: str | None = None,
    source: str,
    actor: "User | None" = None,
) -> tuple[BudgetItem, bool]:
    """Set the month's plan for a category, creating or updating it; returns (item, created).

    Without a currency, an existing plan keeps its own and a new one takes the user's.
    """
    month = _first_of_month(month)
    if currency is None:
        existing = BudgetItem.objects.filter(user=user, month=month, category=category)
        currency = existing.values_list("currency", flat=True).first() or user.default_currency
    currency = currencies.normalize_code(currency)
    planned_amount = normalize_amount(planned_amount, currency, allow_zero=True)
    check_category(user=user, category=category, kind=category.kind)
    values = {"planned_amount": planned_amount, "currency": currency, "updated_at": timezone.now()}
    for attempt in range(2):
        try:
            with transaction.atomic():
                item, created = BudgetItem.objects.update_or_create(
                    user=user, month=month, category=category, defaults=values
                )
                audit_record(
                    source=source,
                    action="budget_item.set",
                    user=user,
                    actor=actor,
                    obj=item,
                    details={
                        "month": month.isoformat(),
                        "category": category.slug,
                        "planned_amount": str(planned_amount),
                        "currency": currency,
                    },
                )
                if category.kind == Kind.EXPENSE:
                    defer_budget_check(user=user, days=[month])
                return item, created
        except IntegrityError:
            # A concurrent twin inserted the row first; the second attempt updates it.
            if attempt:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def budget_item_delete(*, item: BudgetItem, source: str, actor: "User | None" = None) -> None:
    """Drop a category's plan for the month (no plan is not the same as a plan of zero)."""
    audit_record(
        source=source,
        action="budget_item.delete",
        user=item.user,
        actor=actor,
        obj=item,
        details={
            "month": item.month.isoformat(),
            "category": item.category.slug,
            "planned_amount": str(item.planned_amount),
            "currency": item.currency,
        },
    )
    item.delete()


@transaction.atomic
def budget_month_update(
    *,
    user: "User",
    month: date,
    plans: dict[Category, Decimal | None],
    source: str,
    actor: "User | None" = None,
) -> int:
    """Set several categories' plans for `month` at once (None drops a plan): all or none.

    Returns how many plans changed.
    """
    month = _first_of_month(month)
    items = {
        b.category_id: b
        for b in BudgetItem.objects.filter(
            user=user, month=month, category__in=list(plans)
        ).select_related("category", "user")
    }
    changed = 0
    for category, amount in plans.items():
        item = items.get(category.pk)
        if amount is None:
            if item is not None:
                budget_item_delete(item=item, source=source, actor=actor)
                changed += 1
            continue
        if item is not None and item.planned_amount == amount:
            continue
        budget_item_set(
            user=user,
            month=month,
            category=category,
            planned_amount=amount,
            source=source,
            actor=actor,
        )
        changed += 1
    return changed


@transaction.atomic
def budget_copy_previous_month(
    *, user: "User", month: date, source: str, actor: "User | None" = None
) -> list[BudgetItem]:
    """Copy last month's plan into `month` for the categories that have none yet.

    A plan already made for `month` is kept; archived categories are left behind.
    Returns the items created.
    """
    month = _first_of_month(month)
    previous = (month - timedelta(days=1)).replace(day=1)
    planned = set(
        BudgetItem.objects.filter(user=user, month=month).values_list("category_id", flat=True)
    )
    to_copy = (
        BudgetItem.objects.filter(user=user, month=previous, category__is_archived=False)
        .exclude(category_id__in=planned)
        .select_related("category")
        .order_by("category__name")
    )
    return [
        budget_item_set(
            user=user,
            month=month,
            category=old.category,
            planned_amount=old.planned_amount,
            currency=old.currency,
            source=source,
            actor=actor,
        )[0]
        for old in to_copy
    ]


# Exchange rates


@dataclass(frozen=True)
class RateRow:
    date: date
    base: str
    quote: str
    rate: Decimal


@dataclass(frozen=True)
class RatesImported:
    total: int
    created: int

    @property
    def replaced(self) -> int:
        return self.total - self.created


@transaction.atomic
def exchange_rates_import(*, rows: Iterable[RateRow], batch_size: int = 5000) -> RatesImported:
    """Upsert rates by (base, quote, date): importing the same file twice changes nothing."""
    unique: dict[tuple[str, str, date], RateRow] = {}
    for row in rows:
        unique[(row.base, row.quote, row.date)] = row
    before = ExchangeRate.objects.count()
    now = timezone.now()
    ExchangeRate.objects.bulk_create(
        (
            ExchangeRate(date=r.date, base=r.base, quote=r.quote, rate=r.rate, imported_at=now)
            for r in unique.values()
        ),
        batch_size=batch_size,
        update_conflicts=True,
        unique_fields=["base", "quote", "date"],
        update_fields=["rate", "imported_at"],
    )
    created = ExchangeRate.objects.count() - before
    return RatesImported(total=len(unique), created=created)
