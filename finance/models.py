from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import Source as AuditSource
from core import money

if TYPE_CHECKING:
    from ledgers.models import Ledger

CURRENCY_CODE_CHECK = models.Q(currency__regex=r"^[A-Z]{3}$")


class Kind(models.TextChoices):
    EXPENSE = "expense", _("Expense")
    INCOME = "income", _("Income")
    # Money back for a purchase (a receipt's "возврат прихода", a bank's "Возврат"): filed
    # under an expense category, whose spending in the refund's month it lowers.
    REFUND = "refund", _("Refund")

    @property
    def category_kind(self) -> "Kind":
        """The kind of the categories a transaction of this kind is filed under."""
        return Kind.EXPENSE if self is Kind.REFUND else self


# A category is for spending or for income; a refund is filed under a spending one.
CATEGORY_KINDS = [(k.value, k.label) for k in (Kind.EXPENSE, Kind.INCOME)]


def signed_amount_sql(alias: str) -> str:
    """`alias`'s amount as it counts in its category's figures, in SQL: a refund negative."""
    return (
        f"CASE WHEN {alias}.kind = '{Kind.REFUND.value}' "
        f"THEN -{alias}.amount ELSE {alias}.amount END"
    )


class CategoryQuerySet(models.QuerySet["Category"]):
    def for_ledger(self, ledger: "Ledger") -> "CategoryQuerySet":
        return self.filter(ledger=ledger)

    def active(self) -> "CategoryQuerySet":
        return self.filter(is_archived=False)


class Category(models.Model):
    ledger = models.ForeignKey("ledgers.Ledger", models.CASCADE, related_name="categories")
    kind = models.CharField(_("kind"), max_length=7, choices=CATEGORY_KINDS)
    slug = models.SlugField(_("slug"), max_length=50, allow_unicode=True)
    name = models.CharField(_("name"), max_length=100)
    is_archived = models.BooleanField(_("archived"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "categories"
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ledger", "slug"], name="finance_category_unique_ledger_slug"
            ),
            models.UniqueConstraint(
                "ledger", "kind", Lower("name"), name="finance_category_unique_ledger_name"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=[k for k, _label in CATEGORY_KINDS]),
                name="finance_category_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CategoryAlias(models.Model):
    """A keyword that files a transaction under its category (`кофе` -> cafe).

    Aliases belong to the ledger's category: defaults are copied into each new
    ledger. A learned one also names the person whose correction taught it (`user`),
    and applies only to what that person records.
    """

    class Source(models.TextChoices):
        DEFAULT = "default", _("Default")
        USER = "user", _("Added by the user")
        LEARNED = "learned", _("Learned from a correction")

    category = models.ForeignKey(Category, models.CASCADE, related_name="aliases")
    word = models.CharField(_("word"), max_length=100)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.USER)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="learned_aliases",
        help_text="Whose correction taught it; empty for the ledger's own keywords.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "category aliases"
        ordering = ["word"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "word", "user"],
                nulls_distinct=False,
                name="finance_alias_unique_word_per_person",
            ),
        ]

    def __str__(self) -> str:
        return self.word


class TransactionQuerySet(models.QuerySet["Transaction"]):
    def for_ledger(self, ledger: "Ledger") -> "TransactionQuerySet":
        return self.filter(ledger=ledger)


class Transaction(models.Model):
    class Source(models.TextChoices):
        WEB = "web", _("Web")
        API = "api", _("API")
        BOT = "bot", _("Bot")
        TELEGRAM = "telegram", "Telegram"
        WHATSAPP = "whatsapp", "WhatsApp"
        MCP = "mcp", "MCP"
        ADMIN = "admin", _("Admin")
        IMPORT = "import", _("Imported file")
        RECURRING = "recurring", _("Regular payment")

    # The (ledger, date) and (category, date) indexes below serve these foreign keys too.
    ledger = models.ForeignKey(
        "ledgers.Ledger", models.CASCADE, related_name="transactions", db_index=False
    )
    # Who recorded it and who paid: members of the ledger, or people who were. A person
    # who leaves stays named (a former member); one who deletes their account leaves
    # NULL behind ("a former member", nameless), and the row stays in the books. See
    # docs/households.md.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="transactions",
        verbose_name=_("recorded by"),
    )
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="paid_transactions",
        verbose_name=_("paid by"),
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=7, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, validators=[money.validate_code])
    category = models.ForeignKey(
        Category,
        models.PROTECT,
        related_name="transactions",
        verbose_name=_("category"),
        db_index=False,
    )
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    text = models.TextField(_("original text"), blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = TransactionQuerySet.as_manager()
    # Not stored: set by services.record_from_text to whether the text's words chose the
    # category (False: nothing in it did, so it went to the fallback). None otherwise.
    category_guessed: bool | None = None

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [
            # Every read is one ledger's month: the summary, the cabinet's list. A plain
            # ledger_id index would tempt the planner to read the ledger's whole history.
            models.Index(fields=["ledger", "date"], name="finance_tx_ledger_date"),
            models.Index(fields=["category", "date"], name="finance_tx_category_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=Decimal(0)),
                name="finance_transaction_amount_positive",
            ),
            models.CheckConstraint(
                condition=CURRENCY_CODE_CHECK, name="finance_transaction_currency_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.amount} {self.currency} {self.note}".strip()


class BudgetItem(models.Model):
    """The amount planned for one category in one month (`month` is the month's first day)."""

    ledger = models.ForeignKey("ledgers.Ledger", models.CASCADE, related_name="budget_items")
    month = models.DateField(_("month"))
    category = models.ForeignKey(
        Category, models.CASCADE, related_name="budget_items", verbose_name=_("category")
    )
    planned_amount = models.DecimalField(_("planned amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, validators=[money.validate_code])
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-month", "category__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ledger", "month", "category"],
                name="finance_budgetitem_unique_ledger_month",
            ),
            models.CheckConstraint(
                condition=models.Q(planned_amount__gte=Decimal(0)),
                name="finance_budgetitem_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="finance_budgetitem_month_first_day"
            ),
            models.CheckConstraint(
                condition=CURRENCY_CODE_CHECK, name="finance_budgetitem_currency_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.category}: {self.planned_amount} {self.currency}"


class ExchangeRate(models.Model):
    """1 `base` = `rate` `quote` on `date`, as `source` published it."""

    class Source(models.TextChoices):
        ECB = "ecb", _("European Central Bank")
        CBR = "cbr", _("Bank of Russia")
        FILE = "file", _("Imported file")

    date = models.DateField()
    base = models.CharField(max_length=3, validators=[money.validate_code])
    quote = models.CharField(max_length=3, validators=[money.validate_code])
    rate = models.DecimalField(max_digits=20, decimal_places=10)
    source = models.CharField(max_length=4, choices=Source.choices, default=Source.FILE)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "base", "quote"]
        constraints = [
            # Two sources may publish the same pair (EUR/RUB before 2022): each keeps its
            # own. Also the index behind "the latest rate on or before a date".
            models.UniqueConstraint(
                fields=["base", "quote", "date", "source"], name="finance_exchangerate_unique_day"
            ),
            models.CheckConstraint(
                condition=models.Q(rate__gt=Decimal(0)), name="finance_exchangerate_rate_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(base=models.F("quote")),
                name="finance_exchangerate_distinct_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} 1 {self.base} = {self.rate} {self.quote} ({self.source})"


class ExchangeRateRequest(models.Model):
    """A rate a transaction needs and the table lacks (finance.rates.store records it):
    `fetch_rates`, on its timer, fetches from the oldest such day and deletes the
    requests it satisfied."""

    base = models.CharField(max_length=3, validators=[money.validate_code])
    quote = models.CharField(max_length=3, validators=[money.validate_code])
    date = models.DateField()
    requested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date", "base", "quote"]
        constraints = [
            models.UniqueConstraint(
                fields=["base", "quote", "date"], name="finance_exchangeraterequest_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.base}/{self.quote}"


class Receipt(models.Model):
    """A cash receipt (54-ФЗ) recorded from its QR code, with the transaction it became.

    One receipt (`fn` + `i` + `fp`) is recorded once per ledger, whatever the channel: the
    unique index decides between two people sending the same photo at once. The QR's
    fields are kept as printed (`issued_on` and `issued_at_time`: the receipt's own local
    time, never shifted); the seller and the items come later from a receipt-checking
    service, where one is configured.
    """

    class Kind(models.IntegerChoices):
        PURCHASE = 1, _("Purchase")
        PURCHASE_REFUND = 2, _("Refund of a purchase")
        PAYOUT = 3, _("Payout")
        PAYOUT_REFUND = 4, _("Refund of a payout")

    ledger = models.ForeignKey("ledgers.Ledger", models.CASCADE, related_name="receipts")
    # Undoing the transaction forgets the receipt: it may be recorded again.
    transaction = models.OneToOneField(Transaction, models.CASCADE, related_name="receipt")
    fn = models.CharField(_("fiscal drive"), max_length=16)
    i = models.BigIntegerField(_("document number"))
    fp = models.BigIntegerField(_("fiscal sign"))
    n = models.PositiveSmallIntegerField(_("kind of settlement"), choices=Kind.choices)
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2)
    issued_on = models.DateField(_("date"))
    issued_at_time = models.TimeField(_("time"))
    qr_text = models.CharField(_("QR code"), max_length=200)
    # Whether the caption's or the caller's words chose the category (False: the
    # ledger's fallback, which the items may still replace).
    category_chosen = models.BooleanField(default=False)
    seller = models.CharField(_("seller"), max_length=255, blank=True)
    seller_inn = models.CharField(_("seller's INN"), max_length=12, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    items_checked_at = models.DateTimeField(_("items fetched"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ledger", "fn", "i", "fp"], name="finance_receipt_unique_per_ledger"
            ),
            models.CheckConstraint(
                condition=models.Q(total__gt=Decimal(0)), name="finance_receipt_total_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fn}:{self.i}:{self.fp} {self.total}"


class ReceiptItem(models.Model):
    """One line of a receipt, as the receipt-checking service gave it (money in roubles)."""

    receipt = models.ForeignKey(Receipt, models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(_("name"), max_length=500)
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=2)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    amount = models.DecimalField(_("sum"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["receipt", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["receipt", "position"], name="finance_receiptitem_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.amount}"


class ImportBatch(models.Model):
    """One imported CSV file, by the SHA-256 of its bytes: the same file imports once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="imports")
    digest = models.CharField(max_length=64)
    filename = models.CharField(max_length=255, blank=True)
    rows = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "digest"], name="finance_importbatch_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.filename or self.digest[:12]} ({self.rows})"


class RecurringRule(models.Model):
    """A regular payment: what (amount, currency, category, kind, note), who pays, and
    when (`finance.schedules.Schedule`'s fields). The queue records each of its dates
    once (`RecurringOccurrence`), in the creator's time zone.

    `next_date` is the first date not yet recorded or skipped (None: the schedule has
    ended); the queue looks for rules by it.
    """

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")
        YEARLY = "yearly", _("Yearly")

    ledger = models.ForeignKey("ledgers.Ledger", models.CASCADE, related_name="recurring_rules")
    # Whose time zone the dates fall in, and who records each occurrence.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="recurring_rules"
    )
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="+",
        verbose_name=_("paid by"),
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=7, choices=CATEGORY_KINDS)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, validators=[money.validate_code])
    category = models.ForeignKey(
        Category, models.PROTECT, related_name="recurring_rules", verbose_name=_("category")
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    text = models.TextField(_("original text"), blank=True)
    frequency = models.CharField(_("frequency"), max_length=7, choices=Frequency.choices)
    interval = models.PositiveSmallIntegerField(_("every"), default=1)
    # A monthly rule's day: 1-31, or -1 for the month's last day (finance.schedules).
    day = models.SmallIntegerField(_("day of the month"), null=True, blank=True)
    # A weekly rule's weekday: 0 Monday - 6 Sunday.
    weekday = models.PositiveSmallIntegerField(_("weekday"), null=True, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    count = models.PositiveIntegerField(_("number of times"), null=True, blank=True)
    next_date = models.DateField(_("next date"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused"), null=True, blank=True)
    # The suggestion (finance.selectors.suggestions) it was made from, if one.
    suggestion_id = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ["next_date", "id"]
        indexes = [
            # What the queue asks every minute: the rules due by now.
            models.Index(
                fields=["next_date"],
                name="finance_recurring_due",
                condition=models.Q(paused_at__isnull=True, next_date__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=Decimal(0)), name="finance_recurring_amount_positive"
            ),
            models.CheckConstraint(
                condition=CURRENCY_CODE_CHECK, name="finance_recurring_currency_code"
            ),
            models.CheckConstraint(
                condition=models.Q(interval__gte=1), name="finance_recurring_interval_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(day__isnull=True)
                | models.Q(day=-1)
                | models.Q(day__gte=1, day__lte=31),
                name="finance_recurring_day_of_month",
            ),
            models.CheckConstraint(
                condition=models.Q(weekday__isnull=True) | models.Q(weekday__lte=6),
                name="finance_recurring_weekday",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="finance_recurring_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(count__isnull=True) | models.Q(count__gte=1),
                name="finance_recurring_count_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_frequency_display()} {self.amount} {self.currency} {self.note}".strip()

    @property
    def paused(self) -> bool:
        return self.paused_at is not None


class RecurringOccurrence(models.Model):
    """One date of a rule, claimed before anything is recorded for it: the (rule, date)
    key is unique, so however many workers run, one of them records it (or skips it)."""

    class Status(models.TextChoices):
        POSTED = "posted", _("Recorded")
        SKIPPED = "skipped", _("Skipped")
        FAILED = "failed", _("Could not be recorded")

    rule = models.ForeignKey(RecurringRule, models.CASCADE, related_name="occurrences")
    date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=7, choices=Status.choices)
    # SET_NULL: an occurrence undone (its transaction deleted) stays claimed.
    transaction = models.ForeignKey(
        Transaction, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    error = models.CharField(_("why"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["rule", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "date"], name="finance_occurrence_unique_rule_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.date} {self.status}"


class SuggestionDismissal(models.Model):
    """A suggested regular payment someone in the ledger said no to: never offered again."""

    ledger = models.ForeignKey("ledgers.Ledger", models.CASCADE, related_name="+")
    suggestion_id = models.CharField(max_length=16)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ledger", "suggestion_id"], name="finance_dismissal_unique_suggestion"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ledger_id} {self.suggestion_id}"


# Households: who shares an expense, and money members pay each other back.


class Split(models.Model):
    """How one expense of a shared ledger is shared among members (its `shares`).

    Keyed by the transaction itself, so a share row's `split_id` is the transaction's id
    and the readers join shares to transactions directly.
    """

    class Mode(models.TextChoices):
        EQUAL = "equal", _("Equally")
        SHARES = "shares", _("By shares")
        AMOUNTS = "amounts", _("By amounts")

    transaction = models.OneToOneField(
        Transaction, models.CASCADE, primary_key=True, related_name="split"
    )
    mode = models.CharField(_("split"), max_length=7, choices=Mode.choices)

    def __str__(self) -> str:
        return f"{self.transaction_id}: {self.mode}"


class Share(models.Model):
    """One member's part of a split expense, in the currency's minor units (kopecks,
    cents, yen): the parts of a split add up to the expense's amount exactly.

    `user` survives the person leaving the ledger (no key to the membership) and, set
    to NULL, the person deleting their account: the others' balances still sum to zero.
    """

    split = models.ForeignKey(Split, models.CASCADE, related_name="shares")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="split_shares"
    )
    # What was asked: the weight (shares), the amount (amounts), 1 (equal). Kept so that
    # a change of the expense's amount or currency shares the new amount the same way.
    weight = models.DecimalField(max_digits=18, decimal_places=4)
    amount_minor = models.BigIntegerField()

    class Meta:
        ordering = ["split", "id"]
        constraints = [
            models.UniqueConstraint(fields=["split", "user"], name="finance_share_unique_user"),
            models.CheckConstraint(
                condition=models.Q(amount_minor__gte=0), name="finance_share_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gt=0), name="finance_share_weight_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.split_id}: {self.user_id} {self.amount_minor}"


class SplitDefault(models.Model):
    """The ledger's default split as its managers set it: one weight per member (60/40).
    A ledger without rows splits equally among all its members."""

    ledger = models.ForeignKey("ledgers.Ledger", models.CASCADE, related_name="split_defaults")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    weight = models.DecimalField(max_digits=18, decimal_places=4)

    class Meta:
        ordering = ["ledger", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ledger", "user"], name="finance_splitdefault_unique_user"
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gt=0), name="finance_splitdefault_weight_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ledger_id}: {self.user_id} {self.weight}"


class Settlement(models.Model):
    """Money one member paid another back ("Маша вернула Пете 3000"). Not spending: a
    model of its own, so no reader of transactions (totals, budgets, alerts, categories)
    can count it by mistake; only the balances read it.

    The people are SET_NULL for the reason Share.user is.
    """

    ledger = models.ForeignKey(
        "ledgers.Ledger", models.CASCADE, related_name="settlements", db_index=False
    )
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="settlements_paid",
        verbose_name=_("from"),
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="settlements_received",
        verbose_name=_("to"),
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, validators=[money.validate_code])
    date = models.DateField(_("date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    # Every door's, the command line's too (a settlement has no text or file to come from).
    source = models.CharField(_("source"), max_length=8, choices=AuditSource.choices)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["ledger", "date"], name="finance_settlement_ledger_date")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=Decimal(0)), name="finance_settlement_amount_positive"
            ),
            models.CheckConstraint(
                condition=CURRENCY_CODE_CHECK, name="finance_settlement_currency_code"
            ),
            models.CheckConstraint(
                condition=~models.Q(from_user=models.F("to_user")),
                name="finance_settlement_distinct_people",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.from_user_id} -> {self.to_user_id} {self.amount} {self.currency}"


class Capture(models.Model):
    """One way a transaction became known without being typed: a bank notification, a
    statement's row, a receipt. A typed text has none.

    It recorded its transaction (`matched` False: the transaction's origin), or found it
    already recorded from another capture and enriched it (`matched`: the time, the
    merchant and the card it knows; "record separately" undoes that). What the capture
    saw is kept whole, so that the undo can record it on its own. The fingerprint says
    that a notification, or a statement's row, has been seen in this ledger before.
    """

    class Source(models.TextChoices):
        TYPED = "typed", _("Typed")
        RECEIPT = "receipt", _("Receipt")
        NOTIFICATION = "notification", _("Bank notification")
        STATEMENT = "statement", _("Bank statement")

    ledger = models.ForeignKey("ledgers.Ledger", models.CASCADE, related_name="captures")
    transaction = models.ForeignKey(Transaction, models.CASCADE, related_name="captures")
    # Who sent it; the books keep what it saw when that person's account goes.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    matched = models.BooleanField(_("matched"), default=False)
    fingerprint = models.CharField(max_length=64, blank=True)
    kind = models.CharField(_("kind"), max_length=7, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, validators=[money.validate_code])
    date = models.DateField(_("date"))
    time = models.TimeField(_("time"), null=True, blank=True)
    merchant = models.CharField(_("merchant"), max_length=255, blank=True)
    card = models.CharField(_("card"), max_length=8, blank=True)
    text = models.TextField(_("original text"), blank=True)
    # The match wrote `merchant` into the transaction's empty note; the undo clears it.
    note_filled = models.BooleanField(default=False)
    batch = models.ForeignKey(
        "StatementImport", models.SET_NULL, null=True, blank=True, related_name="captures"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ledger", "source", "fingerprint"],
                condition=~models.Q(fingerprint=""),
                name="finance_capture_unique_fingerprint",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=Decimal(0)), name="finance_capture_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.date} {self.amount} {self.currency} {self.merchant}".strip()


class StatementImport(models.Model):
    """A statement file on its way into a ledger: read and previewed into rows (its
    `rows`, kept until it is committed), then committed once, all or none. The page
    and the API poll `status`, `done` and `total` while a queue job works on a big one."""

    class Status(models.TextChoices):
        READING = "reading", _("Reading")
        READY = "ready", _("Ready to import")
        COMMITTING = "committing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Refused")

    ledger = models.ForeignKey("ledgers.Ledger", models.CASCADE, related_name="statement_imports")
    # Whoever uploaded it: the rows become theirs (recorded by and paid by them).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="statement_imports"
    )
    filename = models.CharField(max_length=255, blank=True)
    format = models.CharField(max_length=10, blank=True)
    digest = models.CharField(max_length=64)
    # The file itself, while it may be read again (the generic CSV's columns chosen anew).
    content = models.BinaryField(default=b"")
    csv_options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.READING)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    error = models.JSONField(default=dict, blank=True)  # {"code", "row", "value"} when refused
    left_out = models.PositiveIntegerField(default=0)  # pending or failed in the bank's eyes
    imported = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename or self.digest[:12]} ({self.status})"


class StatementImportRow(models.Model):
    """One operation of a previewed statement: what it would record, and the person's
    choices (its category, whether it is included)."""

    # (batch, index)'s unique index serves the foreign key too.
    batch = models.ForeignKey(StatementImport, models.CASCADE, related_name="rows", db_index=False)
    index = models.PositiveIntegerField()  # the operation's place in the file, from 1
    date = models.DateField()
    time = models.TimeField(null=True, blank=True)
    kind = models.CharField(max_length=7, choices=Kind.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    text = models.CharField(max_length=500, blank=True)  # the description as the bank wrote it
    merchant = models.CharField(max_length=255, blank=True)
    card = models.CharField(max_length=8, blank=True)
    mcc = models.CharField(max_length=4, blank=True)
    fingerprint = models.CharField(max_length=64)
    category = models.ForeignKey(
        Category, models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    # What the preview chose by itself: a different `category` is the person's correction.
    suggested = models.ForeignKey(
        Category, models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    # The purchase already in the ledger this row is (one purchase, one record).
    duplicate_of = models.ForeignKey(
        Transaction, models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    # Imported before, from this file or another: never again.
    already_imported = models.BooleanField(default=False)
    include = models.BooleanField(default=True)

    class Meta:
        ordering = ["batch", "index"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "index"], name="finance_statementimportrow_unique_index"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.index}: {self.date} {self.amount} {self.currency} {self.text}"
