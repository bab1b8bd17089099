"""Thin JSON views: validate the input, call one service or selector, shape the output.

Every query names the caller, so another user's id is a plain 404.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils import translation
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.authentication import JWTAuthentication

from accounts.models import User
from core import db
from core.i18n import request_language
from finance import error_fields, presenters
from finance.api import serializers as s
from finance.data import exports
from finance.data.forms import ExportForm
from finance.data.views import csv_response, json_response
from finance.models import BudgetItem, Category, Transaction
from finance.months import is_past
from finance.selectors.forecast import forecast_for
from finance.selectors.summary import monthly_summary
from finance.selectors.transactions import transaction_list
from finance.services.books import member_for
from finance.services.budget import budget_item_delete, budget_item_set
from finance.services.categories import category_create, category_update
from finance.services.text import record_from_text
from finance.services.transactions import transaction_create, transaction_delete, transaction_update
from ledgers import access
from ledgers.models import Ledger

READ_METHODS = ("GET", "HEAD", "OPTIONS")


def _on_fields(error: ValidationError, amount_field: str = "amount") -> ValidationError:
    """Put a service's field-less error on the request field it is about."""
    if hasattr(error, "error_dict"):
        return error
    by_field: dict[str, list[ValidationError]] = {}
    for e in error.error_list:
        field = error_fields.field_for(e.code) or "__all__"
        field = amount_field if field == "amount" else field
        by_field.setdefault(field, []).append(e)
    return ValidationError(by_field)


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ApiView(APIView):
    # JWT only: without credentials DRF answers 401 with WWW-Authenticate, not the
    # 403 that session authentication (tried first) would give.
    authentication_classes = [JWTAuthentication]
    permission_classes = [IsAuthenticated]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authenticates
        # Messages in error bodies: the language the client asks for (Accept-Language),
        # as the bot API does, else the person's own.
        translation.activate(request_language(request._request, self.owner.language))
        # The ledger of `?ledger=<id>` or the person's active one; a non-member finds
        # nothing (404), a read-only member may not write (403).
        raw = request.query_params.get("ledger")
        ref: int | None = None
        if raw is not None:
            if not (raw.isdigit() and len(raw) <= 18):
                raise access.LedgerNotFound
            ref = int(raw)
        if request.method in READ_METHODS:
            self.member = access.member_of(user=self.owner, ledger=ref)
        else:  # a write: a person with no ledger at all yet gets their personal one
            self.member = member_for(user=self.owner, ledger=ref, write=True)
        self.ledger: Ledger = self.member.ledger

    @property
    def owner(self) -> User:
        user = self.request.user
        assert isinstance(user, User)
        return user

    def valid(self, serializer_class: type[Any], data: Any, **kwargs: Any) -> dict[str, Any]:
        context = {"request": self.request, "ledger": self.ledger}
        serializer = serializer_class(data=data, context=context, **kwargs)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def paginated(self, queryset: QuerySet[Any], serializer_class: type[Any]) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(queryset, self.request, view=self)
        context = {"user_id": self.owner.pk}
        data = serializer_class(page, many=True, context=context).data
        return paginator.get_paginated_response(data)


class TransactionListApi(ApiView):
    @extend_schema(
        tags=["transactions"],
        parameters=[s.TransactionFilterIn],
        responses=s.page_of(s.TransactionOut),
        operation_id="transactions_list",
    )
    def get(self, request: Request) -> Response:
        filters = self.valid(s.TransactionFilterIn, request.query_params)
        category = filters.get("category")
        rows = transaction_list(
            user=self.owner,
            ledger=self.member,
            month=filters.get("month"),
            category_id=category.pk if category else None,
            kind=filters.get("kind"),
            source=filters.get("source"),
            paid_by_id=filters.get("paid_by"),
        )
        return self.paginated(rows, s.TransactionOut)

    @extend_schema(
        tags=["transactions"],
        request=PolymorphicProxySerializer(
            component_name="TransactionCreate",
            serializers=[s.TransactionFieldsIn, s.TransactionTextIn],
            resource_type_field_name=None,
        ),
        responses={201: s.TransactionOut, 200: s.TransactionOut},
    )
    def post(self, request: Request) -> Response:
        """Record by fields ({kind, amount, category, ...}) or by text ({text, ...})."""
        if isinstance(request.data, dict) and "text" in request.data:
            return self._record_text(request)
        data = self.valid(s.TransactionFieldsIn, request.data)
        try:
            tx = transaction_create(
                user=self.owner,
                ledger=self.member,
                kind=data["kind"],
                amount=data["amount"],
                currency=data.get("currency") or self.ledger.default_currency,
                category=data["category"],
                date=data.get("date") or self.owner.today(),
                note=data["note"],
                paid_by=data.get("paid_by"),
                source="api",
                split=data.get("split"),
            )
        except ValidationError as e:
            raise _on_fields(e) from e
        return Response(s.TransactionOut(tx).data, status=status.HTTP_201_CREATED)

    def _record_text(self, request: Request) -> Response:
        data = self.valid(s.TransactionTextIn, request.data)
        try:
            tx = record_from_text(
                user=self.owner,
                ledger=self.member,
                kind=data["kind"],
                text=data["text"],
                date=data.get("date"),
                currency=data.get("currency"),
                source="api",
                dry_run=data["dry_run"],
                split=data.get("split"),
            )
        except ValidationError as e:
            raise _on_fields(e) from e
        if data["dry_run"]:
            return Response(s.TransactionOut(tx).data, status=status.HTTP_200_OK)
        return Response(s.TransactionOut(tx).data, status=status.HTTP_201_CREATED)


class TransactionDetailApi(ApiView):
    def get_object(self, tx_id: int) -> Transaction:
        return get_object_or_404(
            Transaction.objects.select_related("category", "ledger"), pk=tx_id, ledger=self.ledger
        )

    @extend_schema(tags=["transactions"], responses=s.TransactionOut)
    def get(self, request: Request, tx_id: int) -> Response:
        return Response(s.TransactionOut(self.get_object(tx_id)).data)

    @extend_schema(tags=["transactions"], request=s.TransactionUpdateIn, responses=s.TransactionOut)
    def put(self, request: Request, tx_id: int) -> Response:
        return self._update(request, tx_id, partial=False)

    @extend_schema(
        tags=["transactions"],
        request=s.TransactionUpdateIn(partial=True),
        responses=s.TransactionOut,
    )
    def patch(self, request: Request, tx_id: int) -> Response:
        return self._update(request, tx_id, partial=True)

    def _update(self, request: Request, tx_id: int, *, partial: bool) -> Response:
        tx = self.get_object(tx_id)
        changes = self.valid(s.TransactionUpdateIn, request.data, partial=partial)
        try:
            # A new category teaches the parser (inside transaction_update).
            tx = transaction_update(tx=tx, user=self.owner, source="api", **changes)
        except ValidationError as e:
            raise _on_fields(e) from e
        return Response(s.TransactionOut(tx).data)

    @extend_schema(tags=["transactions"], responses={204: None})
    def delete(self, request: Request, tx_id: int) -> Response:
        transaction_delete(tx=self.get_object(tx_id), user=self.owner, source="api")
        return Response(status=status.HTTP_204_NO_CONTENT)


class CategoryListApi(ApiView):
    @extend_schema(
        tags=["categories"],
        parameters=[s.CategoryFilterIn],
        responses=s.page_of(s.CategoryOut),
        operation_id="categories_list",
    )
    def get(self, request: Request) -> Response:
        filters = self.valid(s.CategoryFilterIn, request.query_params)
        categories = (
            Category.objects.for_ledger(self.ledger)
            .prefetch_related("aliases")
            .order_by("kind", "name", "id")
        )
        if "kind" in filters:
            categories = categories.filter(kind=filters["kind"])
        if not filters["archived"]:
            categories = categories.active()
        return self.paginated(categories, s.CategoryOut)

    @extend_schema(tags=["categories"], request=s.CategoryCreateIn, responses={201: s.CategoryOut})
    def post(self, request: Request) -> Response:
        data = self.valid(s.CategoryCreateIn, request.data)
        try:
            category = category_create(user=self.owner, ledger=self.member, source="api", **data)
        except ValidationError as e:
            raise _on_fields(e) from e
        return Response(
            s.CategoryOut(category, context={"user_id": self.owner.pk}).data,
            status=status.HTTP_201_CREATED,
        )


class CategoryDetailApi(ApiView):
    def get_object(self, category_id: int) -> Category:
        return get_object_or_404(Category, pk=category_id, ledger=self.ledger)

    @extend_schema(tags=["categories"], responses=s.CategoryOut)
    def get(self, request: Request, category_id: int) -> Response:
        return Response(
            s.CategoryOut(self.get_object(category_id), context={"user_id": self.owner.pk}).data
        )

    @extend_schema(tags=["categories"], request=s.CategoryUpdateIn, responses=s.CategoryOut)
    def patch(self, request: Request, category_id: int) -> Response:
        category = self.get_object(category_id)
        data = self.valid(s.CategoryUpdateIn, request.data)
        try:
            category_update(
                category=category,
                user=self.owner,
                name=data.get("name"),
                aliases=data.get("aliases"),
                archived=data.get("is_archived"),
                source="api",
            )
        except ValidationError as e:
            raise _on_fields(e) from e
        return Response(s.CategoryOut(category, context={"user_id": self.owner.pk}).data)


class BudgetItemListApi(ApiView):
    @extend_schema(
        tags=["budget"],
        parameters=[s.BudgetItemFilterIn],
        responses=s.page_of(s.BudgetItemOut),
        operation_id="budget_items_list",
    )
    def get(self, request: Request) -> Response:
        filters = self.valid(s.BudgetItemFilterIn, request.query_params)
        items = BudgetItem.objects.filter(ledger=self.ledger).select_related("category")
        if "month" in filters:
            items = items.filter(month=filters["month"])
        return self.paginated(items.order_by("-month", "category__name", "id"), s.BudgetItemOut)

    @extend_schema(
        tags=["budget"],
        request=s.BudgetItemSetIn,
        responses={201: s.BudgetItemOut, 200: s.BudgetItemOut},
    )
    def post(self, request: Request) -> Response:
        """Set a category's plan for a month: 201 when new, 200 when it replaced one."""
        data = self.valid(s.BudgetItemSetIn, request.data)
        try:
            item, created = budget_item_set(
                user=self.owner, ledger=self.member, source="api", **data
            )
        except ValidationError as e:
            raise _on_fields(e, amount_field="planned_amount") from e
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(s.BudgetItemOut(item).data, status=code)


class BudgetItemDetailApi(ApiView):
    def get_object(self, item_id: int) -> BudgetItem:
        return get_object_or_404(
            BudgetItem.objects.select_related("category"), pk=item_id, ledger=self.ledger
        )

    @extend_schema(tags=["budget"], responses=s.BudgetItemOut)
    def get(self, request: Request, item_id: int) -> Response:
        return Response(s.BudgetItemOut(self.get_object(item_id)).data)

    @extend_schema(tags=["budget"], request=s.BudgetItemUpdateIn, responses=s.BudgetItemOut)
    def patch(self, request: Request, item_id: int) -> Response:
        item = self.get_object(item_id)
        data = self.valid(s.BudgetItemUpdateIn, request.data)
        try:
            item, _created = budget_item_set(
                user=self.owner,
                ledger=self.member,
                month=item.month,
                category=item.category,
                planned_amount=data["planned_amount"],
                currency=data.get("currency"),
                source="api",
            )
        except ValidationError as e:
            raise _on_fields(e, amount_field="planned_amount") from e
        return Response(s.BudgetItemOut(item).data)

    @extend_schema(tags=["budget"], responses={204: None})
    def delete(self, request: Request, item_id: int) -> Response:
        budget_item_delete(item=self.get_object(item_id), user=self.owner, source="api")
        return Response(status=status.HTTP_204_NO_CONTENT)


class SummaryApi(ApiView):
    @extend_schema(tags=["summary"], parameters=[s.SummaryIn], responses=s.SummaryOut)
    def get(self, request: Request) -> Response:
        params = self.valid(s.SummaryIn, request.query_params)
        month = params.get("month") or self.owner.today().replace(day=1)
        # A past month may be read a little behind; this month's from the primary.
        past = is_past(month, today=self.owner.today())
        try:
            summary = monthly_summary(
                user=self.owner,
                ledger=self.member,
                month=month,
                currency=params.get("currency"),
                using=db.heavy_reads() if past else db.PRIMARY,
            )
        except ValidationError as e:
            raise _on_fields(e) from e
        data = presenters.summary_data(summary)
        # The current month also says where it is heading (docs/recurring.md).
        forecast = forecast_for(user=self.owner, ledger=self.member, summary=summary)
        if forecast is not None:
            data |= presenters.forecast_data(forecast)
        return Response(data)


class TransactionExportApi(ApiView):
    @extend_schema(
        tags=["export"],
        parameters=[s.ExportIn],
        responses={(200, "text/csv"): bytes},
        operation_id="transactions_export_csv",
        description="The transactions of the ledger (`ledger`, else the caller's active one) "
        "from `from` to `to` (both optional) as "
        "CSV: RFC 4180 (commas, no byte-order mark), or with `format=excel` semicolons, "
        "decimal commas and a UTF-8 byte-order mark, which Excel in a Russian locale opens "
        "in columns.",
    )
    def get(self, request: Request) -> HttpResponseBase:
        form = ExportForm(request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        start, end = form.period()
        rows = exports.transactions_csv(
            user=self.owner,
            ledger=self.member,
            start=start,
            end=end,
            excel=form.excel(),
            using=db.heavy_reads(),
        )
        return csv_response(rows, exports.csv_filename(start, end))

    def perform_content_negotiation(
        self, request: Request, force: bool = False
    ) -> tuple[BaseRenderer, str]:
        # `format` names the CSV's form here, not one of DRF's renderers (which would
        # answer `?format=excel` with a 404); errors are JSON, the only renderer.
        return super().perform_content_negotiation(request, force=True)


class AccountExportApi(ApiView):
    @extend_schema(
        tags=["export"],
        responses={(200, "application/json"): dict},
        operation_id="account_export_json",
        description="Everything the caller owns, as one JSON document, without any secret.",
    )
    def get(self, request: Request) -> HttpResponseBase:
        document = exports.account_export(user=self.owner, using=db.heavy_reads())
        return json_response(document, self.owner.username)
