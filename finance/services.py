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
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from core import money, sql
from finance import textparse
from finance.defaults import DEFAULT_CATEGORIES, FALLBACK_SLUGS
from finance.jobs import defer_budget_check
from finance.models import (
    BudgetItem,
    Category,
    CategoryAlias,
    ExchangeRate,
    ExchangeRateRequest,
    Kind,
    Transaction,
)
from ledgers import access
from ledgers.models import Ledger, Membership

if TYPE_CHECKING:
    from accounts.models import User

# Seconds after a ledger's first plan when its budget is checked once more.
FIRST_PLAN_RECHECK = 60

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
PAID_BY_NOT_MEMBER = _("Whoever paid must be a member of the ledger.")
TOO_MANY_KEYWORDS = _("A category has at most %(limit)s keywords.")
TOO_MANY_CATEGORIES = _("A ledger has at most %(limit)s categories.")
# Bounds on what one person can make the parser read on every entry: each keyword is
# matched against every text recorded (80,000 keywords made each entry take 1.5 s).
MAX_KEYWORDS_PER_CATEGORY = 200
MAX_CATEGORIES_PER_LEDGER = 200


def _ledger_for_write(user: "User | None", ledger: access.LedgerRef) -> Ledger:
    """The ledger a write goes to, when `user` is a member who may write there.

    None for `user` is an operator in the admin, who names the ledger (a Ledger).
    """
    if user is None:
        assert isinstance(ledger, Ledger), "an operator's write names its ledger"
        return ledger
    return access.member_of(user=user, ledger=ledger, write=True).ledger


def _check_write(user: "User | None", ledger_id: int) -> None:
    if user is not None:
        access.member_of(user=user, ledger=ledger_id, write=True)


def normalize_amount(amount: Decimal, currency: str, *, allow_zero: bool = False) -> Decimal:
    """Return `amount` with two decimal places, refusing what the currency cannot hold."""
    try:
        in_range = amount.is_finite() and (amount >= 0 if allow_zero else amount > 0)
        in_range = in_range and amount <= money.MAX_AMOUNT
    except InvalidOperation:
        in_range = False
    if not in_range:
        message = PLANNED_OUT_OF_RANGE if allow_zero else AMOUNT_OUT_OF_RANGE
        raise ValidationError(message, code="amount_out_of_range")
    if amount % money.quantum(currency):
        raise ValidationError(
            AMOUNT_PRECISION,
            code="amount_precision",
            params={"currency": currency, "places": money.decimal_places(currency)},
        )
    return amount.quantize(Decimal("0.01"))


def _check_keyword_count(words: set[str]) -> None:
    if len(words) > MAX_KEYWORDS_PER_CATEGORY:
        raise ValidationError(
            TOO_MANY_KEYWORDS,
            code="too_many_keywords",
            params={"limit": MAX_KEYWORDS_PER_CATEGORY},
        )


def normalize_alias(word: str) -> str:
    normalized = " ".join(word.lower().split())
    if not 0 < len(normalized) <= 100:
        raise ValidationError(ALIAS_INVALID, code="alias_invalid")
    return normalized


def check_category(*, ledger_id: int, category: Category, kind: str) -> None:
    if category.ledger_id != ledger_id:
        # Never reveal that another ledger's category exists.
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

# What the parser needs of a ledger's categories is needed for every text: a ledger has
# ~20 categories and hundreds of keywords. Each process keeps the last copy per
# (ledger, person, kind), labelled with the ledger's `categories_version` when it was
# read; the version comes with the ledger row the request loaded anyway (a bot token's
# lookup joins it), so a current copy costs no query at all.
_PARSER_CATEGORIES_MAX = 256
_parser_categories_lock = threading.Lock()
_parser_categories_cache: dict[
    tuple[int, int, str], tuple[int, dict[int, Category], tuple[textparse.CategoryEntry, ...]]
] = {}

_BUMP_VERSION_SQL = """
UPDATE ledgers_ledger SET categories_version = categories_version + 1 WHERE id = %s
RETURNING categories_version
"""


def _categories_changed(ledger: Ledger | int) -> None:
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


@transaction.atomic
def categories_create_defaults(*, ledger: Ledger, language: str) -> list[Category]:
    """Give a new ledger the default categories, named in `language`, with keywords."""
    categories = Category.objects.bulk_create(
        Category(ledger=ledger, kind=d.kind, slug=d.slug, name=d.name(language))
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
    _categories_changed(ledger)
    return categories


def categories_translate_defaults(*, user: "User", old: str, new: str) -> list[Category]:
    """Rename the default categories of the person's personal ledger that they have not
    renamed into their new language (a shared ledger keeps its names for everyone).

    The old names stay keywords, so what the person types keeps landing where it did.
    """
    defaults = {d.slug: d for d in DEFAULT_CATEGORIES}
    renamed = []
    personal = Category.objects.filter(ledger__personal_for=user)
    for category in personal.filter(slug__in=list(defaults)):
        default = defaults[category.slug]
        target = default.name(new)
        if category.name != default.name(old) or category.name == target:
            continue
        clash = Category.objects.filter(
            ledger_id=category.ledger_id, kind=category.kind, name__iexact=target
        )
        if clash.exists():
            continue  # the person made a category of that name themselves
        category.name = target
        category.save(update_fields=["name"])
        renamed.append(category)
    for ledger_id in {c.ledger_id for c in renamed}:
        _categories_changed(ledger_id)
    return renamed


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
    books = _ledger_for_write(user, ledger)
    name = check_category_name_free(ledger_id=books.pk, kind=kind, name=name)
    words = {normalize_alias(w) for w in (name, *aliases)}
    _check_keyword_count(words)
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
    _categories_changed(books)
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
    _check_write(user, category.ledger_id)
    new_name = None
    if name is not None and name != category.name:
        new_name = check_category_name_free(
            ledger_id=category.ledger_id, kind=category.kind, name=name, exclude_pk=category.pk
        )
    words = None if aliases is None else {normalize_alias(w) for w in aliases}
    if words is not None:
        _check_keyword_count(words)
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
        _categories_changed(category.ledger_id)
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


def check_archivable(category: Category) -> None:
    if category.slug == FALLBACK_SLUGS[Kind(category.kind)]:
        raise ValidationError(
            CATEGORY_FALLBACK, code="category_fallback", params={"category": category.name}
        )


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
    ledger: access.LedgerRef = None,
    kind: str,
    amount: Decimal,
    currency: str,
    category: Category,
    date: date,
    note: str = "",
    text: str = "",
    paid_by: "User | None" = None,
    source: str,
    actor: "User | None" = None,
    dry_run: bool = False,
) -> Transaction:
    """Record one transaction in `ledger` (None: the person's active ledger), paid by
    `paid_by` (a member; by default the one who records); `dry_run` checks everything
    and returns it unsaved."""
    books = _ledger_for_write(user, ledger)
    return _transaction_create(
        ledger=books,
        user=user,
        kind=kind,
        amount=amount,
        currency=currency,
        category=category,
        date=date,
        note=note,
        text=text,
        paid_by=paid_by,
        source=source,
        actor=actor,
        dry_run=dry_run,
    )


def _check_paid_by(ledger: Ledger, user: "User", paid_by: "User | None") -> "User":
    if paid_by is None or paid_by.pk == user.pk:
        return user
    if not Membership.objects.filter(ledger=ledger, user=paid_by).exists():
        raise ValidationError(PAID_BY_NOT_MEMBER, code="paid_by_not_member")
    return paid_by


def _transaction_create(
    *,
    ledger: Ledger,
    user: "User",
    kind: str,
    amount: Decimal,
    currency: str,
    category: Category,
    date: date,
    note: str,
    text: str,
    paid_by: "User | None",
    source: str,
    actor: "User | None",
    dry_run: bool,
) -> Transaction:
    currency = money.normalize_code(currency)
    amount = normalize_amount(amount, currency)
    check_category(ledger_id=ledger.pk, category=category, kind=kind)
    tx = Transaction(
        ledger=ledger,
        created_by=user,
        paid_by=_check_paid_by(ledger, user, paid_by),
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
    tx.full_clean(
        exclude=["ledger", "created_by", "paid_by", "category"], validate_constraints=False
    )
    if dry_run:
        return tx
    # Everything is checked: the row and its audit row go in together. Within a caller's
    # transaction (the bot's idempotency claim) no savepoint is needed, since a database
    # error aborts the whole PostgreSQL transaction anyway; that saves two round trips.
    # The INSERT is made once (core.sql): every recorded expense pays for it.
    with transaction.atomic(savepoint=False):
        sql.insert([tx])
        audit_record(
            source=source,
            action="transaction.create",
            user=user,
            ledger=ledger,
            actor=actor,
            obj=tx,
            details=_transaction_details(tx),
        )
        if currency != user.default_currency:
            transaction_rate_check(tx=tx)
        if kind == Kind.EXPENSE:
            defer_budget_check(ledger=ledger, days=[tx.date])  # rolls back with the write
    return tx


@transaction.atomic
def transaction_update(
    *,
    tx: Transaction,
    user: "User | None",
    amount: Decimal | None = None,
    currency: str | None = None,
    category: Category | None = None,
    date: date | None = None,
    note: str | None = None,
    source: str,
    actor: "User | None" = None,
) -> Transaction:
    """Change some fields of a transaction; a new category must be of the same kind.

    `user` is the member who does it (None: an operator, the `actor`); a new category
    teaches the parser for that person (for the one who recorded it, when an operator).
    """
    _check_write(user, tx.ledger_id)
    before = _transaction_details(tx)
    before_date = tx.date
    if currency is not None:
        tx.currency = money.normalize_code(currency)
    if amount is not None or currency is not None:
        tx.amount = normalize_amount(amount if amount is not None else tx.amount, tx.currency)
    recategorised = category is not None and category.pk != tx.category_id
    if category is not None and recategorised:
        check_category(ledger_id=tx.ledger_id, category=category, kind=tx.kind)
        tx.category = category
    if date is not None:
        tx.date = date
    if note is not None:
        tx.note = note.strip()[:500]
    tx.full_clean(exclude=["ledger", "created_by", "paid_by", "category"])
    tx.save()
    after = _transaction_details(tx)
    changed: dict[str, object] = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if recategorised:
        learner = user if user is not None else tx.created_by
        learned = _aliases_learn(category=tx.category, note=tx.note, user=learner)
        if learned:
            changed["learned_aliases"] = learned
    if changed and tx.kind == Kind.EXPENSE:
        defer_budget_check(ledger=tx.ledger_id, days=[before_date, tx.date])
    if changed:
        audit_record(
            source=source,
            action="transaction.update",
            user=user if user is not None else tx.created_by,
            ledger=tx.ledger_id,
            actor=actor,
            obj=tx,
            details=changed,
        )
    return tx


def _aliases_learn(*, category: Category, note: str, user: "User") -> list[str]:
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
    _categories_changed(category.ledger_id)
    return words


@transaction.atomic
def transaction_delete(
    *, tx: Transaction, user: "User | None", source: str, actor: "User | None" = None
) -> bool:
    """Delete `tx`; False when it was already gone (a double submit deletes and audits once).

    `user` is the member who does it (None: an operator, the `actor`).
    """
    _check_write(user, tx.ledger_id)
    details = _transaction_details(tx)
    deleted, _ = Transaction.objects.filter(pk=tx.pk).delete()
    if deleted:
        audit_record(
            source=source,
            action="transaction.delete",
            user=user if user is not None else tx.created_by,
            ledger=tx.ledger_id,
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
    "unknown_currency": money.UNKNOWN_CURRENCY,
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


# What the parser needs of a ledger's categories is fetched for every text: a ledger
# has ~20 categories and hundreds of keywords. Each process keeps the last copy per
# (ledger, person, kind) with a digest of it that the database computes (one row
# instead of hundreds); a rename, an archived category or a new keyword changes the
# digest. The keywords are the ledger's own and those the person taught it.
def _parser_categories(
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


def record_from_text(
    *,
    user: "User",
    ledger: access.LedgerRef = None,
    kind: str,
    text: str,
    date: date | None = None,
    currency: str | None = None,
    category: Category | None = None,
    source: str,
    actor: "User | None" = None,
    dry_run: bool = False,
) -> Transaction:
    """Record what a person typed (`кофе 250`) as one transaction in `ledger` (None: their
    active ledger), or write nothing.

    Raises ValidationError keyed by payload field (text, date, currency, category), each
    error with the contract's code. `date`, `currency` and `category` win over the text;
    a `category` other than the one the text suggests is learned as a correction is.
    `dry_run` returns the unsaved transaction.
    """
    books = _ledger_for_write(user, ledger)
    if category is not None:
        try:
            check_category(ledger_id=books.pk, category=category, kind=kind)
        except ValidationError as e:
            raise ValidationError({"category": e.error_list}) from None
    categories, entries = _parser_categories(user=user, ledger=books, kind=kind)
    try:
        parsed = textparse.parse(
            text,
            kind=kind,
            index=_category_index(entries),
            default_currency=books.default_currency,
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
        tx = _transaction_create(
            ledger=books,
            user=user,
            kind=kind,
            amount=amount,
            currency=parsed.currency,
            category=chosen,
            date=parsed.date,
            note=parsed.note,
            text=text,
            paid_by=None,
            source=source,
            actor=actor,
            dry_run=dry_run,
        )
        if not dry_run and chosen.pk != parsed.category_id:
            _aliases_learn(category=chosen, note=parsed.note, user=user)
    tx.category_guessed = parsed.category_guessed if category is None else None
    return tx


# Budget


def _first_of_month(day: date) -> date:
    return day.replace(day=1)


def budget_item_set(
    *,
    user: "User | None",
    ledger: access.LedgerRef = None,
    month: date,
    category: Category,
    planned_amount: Decimal,
    currency: str | None = None,
    source: str,
    actor: "User | None" = None,
) -> tuple[BudgetItem, bool]:
    """Set the month's plan for a category, creating or updating it; returns (item, created).

    In `ledger` (None: the person's active one; an operator, `user` None, names it).
    Without a currency, an existing plan keeps its own and a new one takes the ledger's.
    """
    books = _ledger_for_write(user, ledger)
    return _budget_item_set(
        ledger=books,
        user=user,
        month=month,
        category=category,
        planned_amount=planned_amount,
        currency=currency,
        source=source,
        actor=actor,
    )


def _budget_item_set(
    *,
    ledger: Ledger,
    user: "User | None",
    month: date,
    category: Category,
    planned_amount: Decimal,
    currency: str | None,
    source: str,
    actor: "User | None",
) -> tuple[BudgetItem, bool]:
    month = _first_of_month(month)
    if currency is None:
        existing = BudgetItem.objects.filter(ledger=ledger, month=month, category=category)
        currency = existing.values_list("currency", flat=True).first() or ledger.default_currency
    currency = money.normalize_code(currency)
    planned_amount = normalize_amount(planned_amount, currency, allow_zero=True)
    check_category(ledger_id=ledger.pk, category=category, kind=category.kind)
    values = {"planned_amount": planned_amount, "currency": currency, "updated_at": timezone.now()}
    for attempt in range(2):
        try:
            with transaction.atomic():
                item, created = BudgetItem.objects.update_or_create(
                    ledger=ledger, month=month, category=category, defaults=values
                )
                first_plan = not ledger.has_budget
                if first_plan:
                    Ledger.objects.filter(pk=ledger.pk).update(has_budget=True)
                    ledger.has_budget = True
                audit_record(
                    source=source,
                    action="budget_item.set",
                    user=user,
                    ledger=ledger,
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
                    defer_budget_check(ledger=ledger, days=[month])
                if first_plan:
                    # An expense in flight read the ledger before this plan and skipped
                    # its check; it may commit after the check above has run. Look again
                    # once it has surely committed (a check run twice sends nothing twice).
                    defer_budget_check(
                        ledger=ledger.pk, days=[month], schedule_in_seconds=FIRST_PLAN_RECHECK
                    )
                return item, created
        except IntegrityError:
            # A concurrent twin inserted the row first; the second attempt updates it.
            if attempt:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def budget_item_delete(
    *, item: BudgetItem, user: "User | None", source: str, actor: "User | None" = None
) -> None:
    """Drop a category's plan for the month (no plan is not the same as a plan of zero).

    `user` is the member who does it (None: an operator, the `actor`).
    """
    _check_write(user, item.ledger_id)
    audit_record(
        source=source,
        action="budget_item.delete",
        user=user,
        ledger=item.ledger_id,
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
    ledger: access.LedgerRef = None,
    month: date,
    plans: dict[Category, Decimal | None],
    source: str,
    actor: "User | None" = None,
) -> int:
    """Set several categories' plans for `month` at once (None drops a plan): all or none.

    Returns how many plans changed.
    """
    books = _ledger_for_write(user, ledger)
    month = _first_of_month(month)
    items = {
        b.category_id: b
        for b in BudgetItem.objects.filter(
            ledger=books, month=month, category__in=list(plans)
        ).select_related("category")
    }
    changed = 0
    for category, amount in plans.items():
        item = items.get(category.pk)
        if amount is None:
            if item is not None:
                budget_item_delete(item=item, user=user, source=source, actor=actor)
                changed += 1
            continue
        if item is not None and item.planned_amount == amount:
            continue
        _budget_item_set(
            ledger=books,
            user=user,
            month=month,
            category=category,
            planned_amount=amount,
            currency=None,
            source=source,
            actor=actor,
        )
        changed += 1
    return changed


@transaction.atomic
def budget_copy_previous_month(
    *,
    user: "User",
    ledger: access.LedgerRef = None,
    month: date,
    source: str,
    actor: "User | None" = None,
) -> list[BudgetItem]:
    """Copy last month's plan into `month` for the categories that have none yet.

    A plan already made for `month` is kept; archived categories are left behind.
    Returns the items created.
    """
    books = _ledger_for_write(user, ledger)
    month = _first_of_month(month)
    previous = (month - timedelta(days=1)).replace(day=1)
    planned = set(
        BudgetItem.objects.filter(ledger=books, month=month).values_list("category_id", flat=True)
    )
    to_copy = (
        BudgetItem.objects.filter(ledger=books, month=previous, category__is_archived=False)
        .exclude(category_id__in=planned)
        .select_related("category")
        .order_by("category__name")
    )
    return [
        _budget_item_set(
            ledger=books,
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
    updated: int = 0

    @property
    def replaced(self) -> int:
        return self.total - self.created

    @property
    def unchanged(self) -> int:
        return self.total - self.created - self.updated


# A rate already stored with the same value is left alone (so a second run changes
# nothing, not even imported_at); a corrected one is updated in place. xmax = 0 tells
# an inserted row from an updated one.
_RATES_UPSERT_SQL = """
INSERT INTO finance_exchangerate (date, base, quote, rate, source, imported_at)
SELECT d, b, q, r, %(source)s, %(now)s
FROM unnest(%(dates)s::date[], %(bases)s::varchar[], %(quotes)s::varchar[], %(rates)s::numeric[])
     AS u(d, b, q, r)
ON CONFLICT (base, quote, date, source) DO UPDATE
    SET rate = EXCLUDED.rate, imported_at = EXCLUDED.imported_at
    WHERE finance_exchangerate.rate <> EXCLUDED.rate
RETURNING (xmax = 0)
"""


@transaction.atomic
def exchange_rates_import(
    *, rows: Iterable[RateRow], source: str = ExchangeRate.Source.FILE, batch_size: int = 5000
) -> RatesImported:
    """Upsert rates by (base, quote, date, source): importing the same rates twice changes
    nothing; a rate the source has corrected is updated."""
    unique: dict[tuple[str, str, date], RateRow] = {}
    for row in rows:
        unique[(row.base, row.quote, row.date)] = row
    values = list(unique.values())
    created = updated = 0
    now = timezone.now()
    with connection.cursor() as cursor:
        for i in range(0, len(values), batch_size):
            batch = values[i : i + batch_size]
            cursor.execute(
                _RATES_UPSERT_SQL,
                {
                    "source": source,
                    "now": now,
                    "dates": [r.date for r in batch],
                    "bases": [r.base for r in batch],
                    "quotes": [r.quote for r in batch],
                    "rates": [r.rate for r in batch],
                },
            )
            for (inserted,) in cursor.fetchall():
                created += bool(inserted)
                updated += not inserted
    if values:
        _rate_requests_settle()
    return RatesImported(total=len(values), created=created, updated=updated)


def exchange_rate_request(*, base: str, quote: str, on: date) -> bool:
    """Ask for the rate from `base` to `quote` on `on` to be fetched; True if newly asked.

    Until the task queue exists this only records the request, and the daily
    `fetch_rates` fetches from the oldest requested day; the queue will defer a
    fetch_rates job here, in the transaction of the write that needs the rate.
    """
    _, created = ExchangeRateRequest.objects.get_or_create(base=base, quote=quote, date=on)
    return created


def transaction_rate_check(*, tx: Transaction) -> bool:
    """Ask for the rate a transaction in a foreign currency needs, when none is stored."""
    from finance import selectors  # a read helper; selectors import services at load time

    target = tx.ledger.default_currency
    if tx.currency == target:
        return False
    try:
        selectors.exchange_rate(base=tx.currency, quote=target, on=tx.date)
    except ValidationError:
        return exchange_rate_request(base=tx.currency, quote=target, on=tx.date)
    return False


def exchange_rate_requests_drop(*, before: date) -> list[ExchangeRateRequest]:
    """Forget the requests for days before `before` that are still unanswered."""
    _rate_requests_settle()
    dropped = list(ExchangeRateRequest.objects.filter(date__lt=before))
    ExchangeRateRequest.objects.filter(pk__in=[r.pk for r in dropped]).delete()
    return dropped


def _rate_requests_settle() -> int:
    """Forget the requests that the stored rates now answer; return how many."""
    from finance import selectors

    settled = []
    for request in ExchangeRateRequest.objects.all()[:1000]:
        try:
            selectors.exchange_rate(base=request.base, quote=request.quote, on=request.date)
        except ValidationError:
            continue
        settled.append(request.pk)
    ExchangeRateRequest.objects.filter(pk__in=settled).delete()
    return len(settled)
