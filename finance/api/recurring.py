"""Recurring rules in the JSON API: `/api/recurring/` (list, create by fields, by text or
from a suggestion), `/api/recurring/{id}/` (read, change, pause, skip, delete) and the
suggestions (`/api/recurring/suggestions/`, dismissed by DELETE). A rule reads as the bot
API's `create_recurring` answers it."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from botapi.results import RecurringResult, suggestion_data
from finance import error_fields
from finance.api import serializers as s
from finance.api.views import ApiView
from finance.models import Kind, RecurringRule
from finance.schedules import FREQUENCIES, LAST_DAY, WEEKDAYS
from finance.selectors.recurring import recurring_list
from finance.selectors.suggestions import suggestion_list
from finance.services.recurring import (
    DAY_INVALID,
    WEEKDAY_INVALID,
    When,
    recurring_create,
    recurring_delete,
    recurring_skip_next,
    recurring_update,
)
from finance.services.recurring_words import recurring_create_from_text
from finance.services.suggestions import recurring_from_suggestion, suggestion_dismiss


@extend_schema_field(
    {"oneOf": [{"type": "integer", "minimum": 1, "maximum": 31}, {"enum": ["last"]}]}
)
class DayField(serializers.Field[int, int, int | str, Any]):
    """A monthly rule's day: 1-31, or "last"."""

    default_error_messages = {"invalid": DAY_INVALID}

    def to_internal_value(self, data: Any) -> int:
        if data == "last":
            return LAST_DAY
        if isinstance(data, bool) or not isinstance(data, int) or not 1 <= data <= 31:
            self.fail("invalid")
        return int(data)

    def to_representation(self, value: int) -> int | str:
        return "last" if value == LAST_DAY else value


@extend_schema_field({"type": "string", "enum": list(WEEKDAYS)})
class WeekdayField(serializers.Field[int, str, str, Any]):
    """A weekly rule's weekday by its English name, "monday" to "sunday"."""

    default_error_messages = {"invalid": WEEKDAY_INVALID}

    def to_internal_value(self, data: Any) -> int:
        if data not in WEEKDAYS:
            self.fail("invalid")
        return WEEKDAYS.index(data)

    def to_representation(self, value: int) -> str:
        return WEEKDAYS[value]


class ScheduleIn(serializers.Serializer[Any]):
    frequency = serializers.ChoiceField(choices=list(FREQUENCIES))
    interval = serializers.IntegerField(min_value=1, max_value=1000, default=1)
    day = DayField(required=False, allow_null=True)
    weekday = WeekdayField(required=False, allow_null=True)
    start_date = s.IsoDateField(required=False)
    end_date = s.IsoDateField(required=False, allow_null=True)
    count = serializers.IntegerField(min_value=1, max_value=10000, required=False, allow_null=True)


class RecurringFieldsIn(ScheduleIn):
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)
    amount = s.money()
    currency = serializers.CharField(max_length=3, required=False)
    category = s.OwnCategoryField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    paid_by = s.MemberField(required=False)


class RecurringTextIn(ScheduleIn):
    text = serializers.CharField(max_length=500)
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)
    currency = serializers.CharField(max_length=3, required=False)
    paid_by = s.MemberField(required=False)

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["frequency"].required = False  # the text's words say it
        return fields


class RecurringSuggestionIn(serializers.Serializer[Any]):
    suggestion_id = serializers.RegexField(r"^s[0-9a-f]{12}\Z")


class RecurringUpdateIn(serializers.Serializer[Any]):
    amount = s.money()
    currency = serializers.CharField(max_length=3)
    category = s.OwnCategoryField()
    note = serializers.CharField(max_length=500, allow_blank=True)
    paid_by = s.MemberField()
    frequency = serializers.ChoiceField(choices=list(FREQUENCIES))
    interval = serializers.IntegerField(min_value=1, max_value=1000)
    day = DayField(allow_null=True)
    weekday = WeekdayField(allow_null=True)
    start_date = s.IsoDateField()
    end_date = s.IsoDateField(allow_null=True)
    count = serializers.IntegerField(min_value=1, max_value=10000, allow_null=True)
    paused = serializers.BooleanField()
    skip_next = serializers.BooleanField(default=False)


class RecurringOut(serializers.Serializer[Any]):
    """Documentation only: a rule as `RecurringResult` writes it."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    amount = serializers.CharField()
    currency = serializers.CharField()
    category = s.CategoryRefOut()
    note = serializers.CharField()
    text = serializers.CharField()
    paid_by = serializers.IntegerField()
    frequency = serializers.ChoiceField(choices=list(FREQUENCIES))
    interval = serializers.IntegerField()
    day = serializers.JSONField(help_text='1-31, "last" or null.')
    weekday = serializers.CharField(allow_null=True)
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    count = serializers.IntegerField(allow_null=True)
    next_date = serializers.DateField(allow_null=True, help_text="null once it has ended.")
    paused = serializers.BooleanField()


class SuggestionOut(serializers.Serializer[Any]):
    """Documentation only: a regular payment found in the history."""

    id = serializers.CharField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    amount = serializers.CharField()
    currency = serializers.CharField()
    category = s.CategoryRefOut()
    note = serializers.CharField()
    frequency = serializers.CharField()
    day = serializers.JSONField()
    weekday = serializers.CharField(allow_null=True)
    times = serializers.IntegerField()
    last_date = serializers.DateField()
    next_date = serializers.DateField()


def _rule_data(rule: RecurringRule) -> dict[str, Any]:
    return RecurringResult.of(rule).data()


def _when(data: dict[str, Any]) -> When:
    return When(
        frequency=data["frequency"],
        interval=data.get("interval", 1),
        day=data.get("day"),
        weekday=data.get("weekday"),
        start_date=data.get("start_date"),
        end_date=data.get("end_date"),
        count=data.get("count"),
    )


class RecurringListApi(ApiView):
    @extend_schema(
        tags=["recurring"], responses=RecurringOut(many=True), operation_id="recurring_list"
    )
    def get(self, request: Request) -> Response:
        rules = recurring_list(user=self.owner, ledger=self.member)
        return Response([_rule_data(rule) for rule in rules])

    @extend_schema(
        tags=["recurring"],
        request=PolymorphicProxySerializer(
            component_name="RecurringCreate",
            serializers=[RecurringFieldsIn, RecurringTextIn, RecurringSuggestionIn],
            resource_type_field_name=None,
        ),
        responses={201: RecurringOut},
    )
    def post(self, request: Request) -> Response:
        """By fields ({amount, category, frequency, ...}), by text ({text, ...}: "каждый
        месяц 1-го аренда 45000") or from a suggestion ({suggestion_id})."""
        body = request.data if isinstance(request.data, dict) else {}
        try:
            if "suggestion_id" in body:
                data = self.valid(RecurringSuggestionIn, request.data)
                rule = recurring_from_suggestion(
                    user=self.owner,
                    ledger=self.member,
                    suggestion_id=data["suggestion_id"],
                    source="api",
                )
            elif "text" in body:
                data = self.valid(RecurringTextIn, request.data)
                rule = recurring_create_from_text(
                    user=self.owner,
                    ledger=self.member,
                    text=data["text"],
                    kind=data.get("kind"),
                    currency=data.get("currency"),
                    when=_when(data) if "frequency" in data else None,
                    paid_by=data.get("paid_by"),
                    source="api",
                )
            else:
                data = self.valid(RecurringFieldsIn, request.data)
                category = data["category"]
                rule = recurring_create(
                    user=self.owner,
                    ledger=self.member,
                    kind=data.get("kind") or category.kind,
                    amount=data["amount"],
                    currency=data.get("currency"),
                    category=category,
                    when=_when(data),
                    note=data["note"],
                    paid_by=data.get("paid_by"),
                    source="api",
                )
        except ValidationError as e:
            raise _on_fields(e) from e
        return Response(_rule_data(rule), status=status.HTTP_201_CREATED)


def _on_fields(error: ValidationError) -> ValidationError:
    """A field-less refusal (an amount, a currency, a category) on the field it is about."""
    if hasattr(error, "error_dict"):
        return error
    by_field: dict[str, list[ValidationError]] = {}
    for e in error.error_list:
        field = error_fields.field_for(e.code) or "__all__"
        by_field.setdefault(field, []).append(e)
    return ValidationError(by_field)


class RecurringDetailApi(ApiView):
    def get_object(self, rule_id: int) -> RecurringRule:
        return get_object_or_404(
            RecurringRule.objects.select_related("category", "created_by"),
            pk=rule_id,
            ledger=self.ledger,
        )

    @extend_schema(tags=["recurring"], responses=RecurringOut)
    def get(self, request: Request, rule_id: int) -> Response:
        return Response(_rule_data(self.get_object(rule_id)))

    @extend_schema(tags=["recurring"], request=RecurringUpdateIn, responses=RecurringOut)
    def put(self, request: Request, rule_id: int) -> Response:
        return self._update(request, rule_id, partial=False)

    @extend_schema(
        tags=["recurring"], request=RecurringUpdateIn(partial=True), responses=RecurringOut
    )
    def patch(self, request: Request, rule_id: int) -> Response:
        """Change what is given; `{"paused": true}` pauses, `{"skip_next": true}` skips the
        next date. Only dates from today on follow."""
        return self._update(request, rule_id, partial=True)

    def _update(self, request: Request, rule_id: int, *, partial: bool) -> Response:
        rule = self.get_object(rule_id)
        changes = self.valid(RecurringUpdateIn, request.data, partial=partial)
        skip = changes.pop("skip_next", False)
        try:
            if changes:
                rule = recurring_update(rule=rule, user=self.owner, source="api", **changes)
            if skip:
                recurring_skip_next(rule=rule, user=self.owner, source="api")
                rule.refresh_from_db()
        except ValidationError as e:
            raise _on_fields(e) from e
        return Response(_rule_data(rule))

    @extend_schema(tags=["recurring"], responses={204: None})
    def delete(self, request: Request, rule_id: int) -> Response:
        """Nothing more is recorded; what it recorded stays."""
        recurring_delete(rule=self.get_object(rule_id), user=self.owner, source="api")
        return Response(status=status.HTTP_204_NO_CONTENT)


class SuggestionListApi(ApiView):
    @extend_schema(
        tags=["recurring"], responses=SuggestionOut(many=True), operation_id="recurring_suggestions"
    )
    def get(self, request: Request) -> Response:
        suggestions = suggestion_list(user=self.owner, ledger=self.member)
        return Response([suggestion_data(x) for x in suggestions])


class SuggestionDetailApi(ApiView):
    @extend_schema(tags=["recurring"], responses={204: None})
    def delete(self, request: Request, suggestion_id: str) -> Response:
        """Dismiss it: it is not suggested again in this ledger."""
        try:
            suggestion_dismiss(
                user=self.owner, ledger=self.member, suggestion_id=suggestion_id, source="api"
            )
        except ValidationError:
            raise Http404 from None  # gone, dismissed already, or never this ledger's
        return Response(status=status.HTTP_204_NO_CONTENT)
