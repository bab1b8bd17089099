"""Input and output shapes of the JSON API. Amounts travel as strings ("250.00")."""

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from finance.models import CATEGORY_KINDS, BudgetItem, Category, Kind, Split, Transaction
from finance.months import MONTH_INVALID, parse_month
from finance.presenters import split_data
from finance.rules import MAX_KEYWORDS_PER_CATEGORY
from finance.selectors.splits import SplitView, split_view, split_views
from finance.services.splits import SplitMember, SplitRequest


@extend_schema_field(OpenApiTypes.INT)
class OwnCategoryField(serializers.PrimaryKeyRelatedField[Category]):
    """A category id of the ledger the request is about: any other reads as "does not exist"."""

    def get_queryset(self) -> Any:
        return Category.objects.filter(ledger=self.context["ledger"])


@extend_schema_field(OpenApiTypes.INT)
class MemberField(serializers.PrimaryKeyRelatedField[User]):
    """A user id of a member of the request's ledger."""

    def get_queryset(self) -> Any:
        return User.objects.filter(memberships__ledger=self.context["ledger"])


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-11"})
class MonthField(serializers.Field[date, date, str, Any]):
    default_error_messages = {"invalid": MONTH_INVALID}

    def to_internal_value(self, data: Any) -> date:
        try:
            return parse_month(str(data))
        except DjangoValidationError:
            self.fail("invalid")
            raise  # unreachable: fail() raises

    def to_representation(self, value: date) -> str:
        return f"{value:%Y-%m}"


# A sign is read, so that "-1" meets the services' range check and its message.
AMOUNT_RE = re.compile(r"-?[0-9]{1,12}(\.[0-9]{1,2})?\Z", re.ASCII)
AMOUNT_INVALID = _("Write the amount with the digits 0-9 and at most two decimals, e.g. 250.50.")


class MoneyField(serializers.DecimalField):
    """An amount as ASCII digits with an optional point: no spaces, exponents, other
    scripts' digits or "-0", which Decimal() would quietly accept ("١", " 1", "1\n")."""

    default_error_messages = {"invalid_amount": AMOUNT_INVALID}

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, bool) or not isinstance(data, str | int | Decimal):
            self.fail("invalid_amount")
        text = str(data)
        if not AMOUNT_RE.match(text) or (text.startswith("-") and Decimal(text) == 0):
            self.fail("invalid_amount")
        value: Decimal = super().to_internal_value(text)
        return value


DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z", re.ASCII)


class IsoDateField(serializers.DateField):
    """YYYY-MM-DD in ASCII digits: Django's parse_date, under DRF's, also takes other
    scripts' digits ("٢٠٢٦-١١-٠١"), one-digit months and a final newline."""

    def to_internal_value(self, value: Any) -> date:
        if not isinstance(value, str) or not DATE_RE.match(value):
            self.fail("invalid", format="YYYY-MM-DD")
        parsed: date = super().to_internal_value(value)
        return parsed


def money() -> serializers.DecimalField:
    return MoneyField(max_digits=14, decimal_places=2, coerce_to_string=True)


SHARE_RE = re.compile(r"[0-9]{1,12}(\.[0-9]{1,4})?\Z", re.ASCII)
SHARE_INVALID = _(
    "Write a share (a weight or an amount) with the digits 0-9 and at most four decimals, "
    "e.g. 60 or 1250.50."
)


@extend_schema_field({"type": "string", "pattern": r"^[0-9]{1,12}(\.[0-9]{1,4})?$"})
class ShareField(serializers.Field[Decimal, Decimal, str, Any]):
    """A member's share in a split: a weight (60) or an amount (1250.50), as a string or
    an integer, never a float."""

    default_error_messages = {"invalid": SHARE_INVALID}

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, bool) or not isinstance(data, str | int):
            self.fail("invalid")
        if not SHARE_RE.match(str(data)):
            self.fail("invalid")
        return Decimal(str(data))

    def to_representation(self, value: Decimal) -> str:
        return str(value)


class SplitMemberIn(serializers.Serializer[Any]):
    user = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    share = ShareField(required=False)


class SplitIn(serializers.Serializer[Any]):
    """How an expense of a shared ledger is shared: `equal` (among `members`, or all of
    the ledger's when none are named), by `shares` (weights) or by exact `amounts`."""

    mode = serializers.ChoiceField(choices=Split.Mode.choices)
    members = serializers.ListField(child=SplitMemberIn(), required=False, max_length=1000)

    def validate(self, attrs: dict[str, Any]) -> Any:
        members = tuple(
            SplitMember(user_id=m["user"], share=m.get("share")) for m in attrs.get("members", [])
        )
        return SplitRequest(mode=attrs["mode"], members=members)


class SplitMemberOut(serializers.Serializer[Any]):
    user = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    share = serializers.CharField(help_text="As asked: a weight, an amount, 1 when equal.")
    amount = serializers.CharField(help_text="What the member's part came to.")


class SplitOut(serializers.Serializer[Any]):
    mode = serializers.ChoiceField(choices=Split.Mode.choices)
    members = SplitMemberOut(many=True)


# Output


class CategoryRefOut(serializers.ModelSerializer[Category]):
    class Meta:
        model = Category
        fields = ["id", "slug", "name"]


class CategoryOut(serializers.ModelSerializer[Category]):
    aliases = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = ["id", "kind", "slug", "name", "is_archived", "aliases"]

    def get_aliases(self, obj: Category) -> list[str]:
        # The ledger's keywords and those the caller taught it; another member's
        # corrections are theirs.
        caller = self.context.get("user_id")
        return sorted({a.word for a in obj.aliases.all() if a.user_id in (None, caller)})


class TransactionListOut(serializers.ListSerializer[Transaction]):
    def to_representation(self, data: Any) -> Any:
        # The page's splits in one query, for each item to find.
        items = list(data.all() if hasattr(data, "all") else data)
        self.context["splits"] = split_views(items)
        return super().to_representation(items)


class TransactionOut(serializers.ModelSerializer[Transaction]):
    amount = money()
    category = CategoryRefOut()
    split = serializers.SerializerMethodField()

    @extend_schema_field(SplitOut(allow_null=True))
    def get_split(self, obj: Transaction) -> dict[str, Any] | None:
        if obj.kind != Kind.EXPENSE:
            return None  # only expenses are split
        splits: dict[int, SplitView] | None = self.context.get("splits")
        view = splits.get(obj.pk) if splits is not None else split_view(obj)
        return split_data(view) if view is not None else None

    class Meta:
        model = Transaction
        list_serializer_class = TransactionListOut
        fields = [
            "id",
            "kind",
            "amount",
            "currency",
            "category",
            "date",
            "note",
            "text",
            "source",
            "created_by",
            "paid_by",
            "created_at",
            "split",
        ]


class BudgetItemOut(serializers.ModelSerializer[BudgetItem]):
    month = MonthField()
    planned_amount = money()
    category = CategoryRefOut()

    class Meta:
        model = BudgetItem
        fields = ["id", "month", "category", "planned_amount", "currency", "updated_at"]


# Input


class TransactionFilterIn(serializers.Serializer[Any]):
    month = MonthField(required=False)
    category = OwnCategoryField(required=False)
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)
    # Shadows Field.source only in the stubs: DRF moves declared fields off the class.
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=Transaction.Source.choices, required=False
    )
    paid_by = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class TransactionFieldsIn(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=Kind.choices)
    amount = money()
    currency = serializers.CharField(max_length=3, required=False)
    category = OwnCategoryField()
    date = IsoDateField(required=False)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    paid_by = MemberField(required=False)
    split = SplitIn(required=False)


class TransactionTextIn(serializers.Serializer[Any]):
    text = serializers.CharField(max_length=500)
    kind = serializers.ChoiceField(choices=Kind.choices, default=Kind.EXPENSE)
    date = IsoDateField(required=False)
    currency = serializers.CharField(max_length=3, required=False)
    dry_run = serializers.BooleanField(default=False)
    split = SplitIn(required=False)


class TransactionUpdateIn(serializers.Serializer[Any]):
    amount = money()
    currency = serializers.CharField(max_length=3)
    category = OwnCategoryField()
    date = IsoDateField()
    note = serializers.CharField(max_length=500, allow_blank=True)
    # Not needed by a PUT: without it, the split stays as it is.
    split = SplitIn(required=False)


class CategoryFilterIn(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=CATEGORY_KINDS, required=False)
    archived = serializers.BooleanField(default=False)


class CategoryCreateIn(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=CATEGORY_KINDS)
    name = serializers.CharField(max_length=100)
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        default=list,
        max_length=MAX_KEYWORDS_PER_CATEGORY,
    )


class CategoryUpdateIn(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100, required=False)
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        max_length=MAX_KEYWORDS_PER_CATEGORY,
    )
    is_archived = serializers.BooleanField(required=False)


class BudgetItemFilterIn(serializers.Serializer[Any]):
    month = MonthField(required=False)


class BudgetItemSetIn(serializers.Serializer[Any]):
    month = MonthField()
    category = OwnCategoryField()
    planned_amount = money()
    currency = serializers.CharField(max_length=3, required=False)


class BudgetItemUpdateIn(serializers.Serializer[Any]):
    planned_amount = money()
    currency = serializers.CharField(max_length=3, required=False)


class ExportIn(serializers.Serializer[Any]):
    """Documentation only: the export's period (`from`, `to`, each YYYY-MM-DD, optional)
    and its `format` (`csv`, the default, or `excel`)."""

    from_ = serializers.DateField(required=False, label="from")
    to = serializers.DateField(required=False)
    format = serializers.ChoiceField(choices=["csv", "excel"], required=False)

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class SummaryIn(serializers.Serializer[Any]):
    month = MonthField(required=False)
    currency = serializers.CharField(max_length=3, required=False)


# Documentation only: the shapes the views write by hand.


def page_of(item: type[serializers.Serializer[Any]]) -> type[serializers.Serializer[Any]]:
    """The paginated envelope around `item`, as Pagination writes it."""
    fields = {
        "count": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": item(many=True),
    }
    name = f"Paginated{item.__name__.removesuffix('Out')}List"
    return type(name, (serializers.Serializer,), fields)


class SummaryCategoryOut(serializers.Serializer[Any]):
    category = CategoryRefOut()
    kind = serializers.ChoiceField(choices=CATEGORY_KINDS)
    planned = serializers.CharField()
    spent = serializers.CharField()
    remaining = serializers.CharField(
        allow_null=True, help_text="What is left of the plan; null for an income category."
    )
    over_budget = serializers.BooleanField()


class UnconvertedOut(serializers.Serializer[Any]):
    currency = serializers.CharField()
    amount = serializers.CharField()
    kind = serializers.ChoiceField(choices=CATEGORY_KINDS)


class UnconvertedPlanOut(serializers.Serializer[Any]):
    currency = serializers.CharField()
    amount = serializers.CharField()


class MissingRateOut(serializers.Serializer[Any]):
    from_ = serializers.CharField(label="from")
    to = serializers.CharField()
    date = serializers.DateField()

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class SummaryMemberOut(serializers.Serializer[Any]):
    # None, with an empty name: a former member whose account is deleted.
    user_id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField(allow_blank=True)
    former_member = serializers.BooleanField()
    expense = serializers.CharField()
    income = serializers.CharField()
    share = serializers.CharField(help_text="The member's part of the month's split expenses.")


class RecurringDueOut(serializers.Serializer[Any]):
    rule_id = serializers.IntegerField()
    date = serializers.DateField()
    amount = serializers.CharField()
    currency = serializers.CharField()
    amount_converted = serializers.CharField(
        allow_null=True, help_text="In the summary's currency; null when no rate converts it."
    )
    category = CategoryRefOut()
    note = serializers.CharField()


class ForecastBasisOut(serializers.Serializer[Any]):
    spent = serializers.CharField()
    recurring_due = serializers.CharField()
    average_daily = serializers.CharField()
    days_left = serializers.IntegerField()
    plan = serializers.CharField(allow_null=True)


class SummaryOut(serializers.Serializer[Any]):
    """The month in one currency; totals exclude `unconverted`, plans exclude
    `unconverted_plans`, `missing_rates` says why (a missing rate never fails a summary).
    The current month also has `forecast`, `recurring_due`, `forecast_basis` and, when it
    has a plan, `safe_to_spend_today` (docs/recurring.md defines them)."""

    month = serializers.CharField()
    currency = serializers.CharField()
    income = serializers.CharField(help_text="Excludes `unconverted`.")
    expense = serializers.CharField(help_text="Excludes `unconverted`.")
    balance = serializers.CharField()
    categories = SummaryCategoryOut(many=True)
    unconverted = UnconvertedOut(many=True, help_text="Money no rate converts, left out.")
    unconverted_plans = UnconvertedPlanOut(
        many=True, help_text="Planned amounts no rate converts, left out of the plans."
    )
    missing_rates = MissingRateOut(many=True, help_text="The rates that were not found.")
    members = SummaryMemberOut(many=True)
    forecast = serializers.CharField(required=False, help_text="The current month only.")
    recurring_due = RecurringDueOut(many=True, required=False)
    forecast_basis = ForecastBasisOut(required=False)
    safe_to_spend_today = serializers.CharField(
        required=False, help_text="The current month only, and only when it has a plan."
    )
