"""The JWT API of a shared ledger's money between its members: balances, settlements,
the default split. Under /api/ledgers/{id}/, beside the ledgers' own endpoints."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from finance import presenters
from finance.api.serializers import IsoDateField, MissingRateOut, ShareField, money
from finance.error_fields import field_for
from finance.models import Settlement
from finance.selectors.balances import ledger_balances, settlement_get, settlement_list
from finance.selectors.splits import default_split
from finance.services.settlements import settlement_create, settlement_delete
from finance.services.splits import split_default_set
from ledgers import access
from ledgers.api import LedgerApiView

# Input


class BalancesIn(serializers.Serializer[Any]):
    currency = serializers.CharField(max_length=3, required=False)


class SettlementIn(serializers.Serializer[Any]):
    from_ = serializers.IntegerField(min_value=1, max_value=2**63 - 1, label="from")
    to = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    amount = money()
    currency = serializers.CharField(max_length=3, required=False)
    date = IsoDateField(required=False)

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class WeightIn(serializers.Serializer[Any]):
    user = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    weight = ShareField()


class DefaultSplitIn(serializers.Serializer[Any]):
    """Weights per member (60 and 40); an empty list: equal among all members."""

    weights = serializers.ListField(child=WeightIn(), max_length=1000)


# Output (documentation of what the views write)


class BalanceOut(serializers.Serializer[Any]):
    user = serializers.IntegerField(allow_null=True, help_text="null: an account since deleted")
    name = serializers.CharField()
    currency = serializers.CharField()
    balance = serializers.CharField(help_text="Above zero the others owe them; below, they owe.")


class TransferOut(serializers.Serializer[Any]):
    from_ = serializers.IntegerField(allow_null=True, label="from")
    to = serializers.IntegerField(allow_null=True)
    amount = serializers.CharField()
    currency = serializers.CharField()

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class BalancesOut(serializers.Serializer[Any]):
    """Balances per person and currency (they sum to zero in each) and `settle`, the
    fewest transfers that zero them all."""

    balances = BalanceOut(many=True)
    settle = TransferOut(many=True)
    currency = serializers.CharField(allow_null=True)
    unconverted = serializers.ListField(child=serializers.CharField())
    missing_rates = MissingRateOut(many=True)


class SettlementOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    from_ = serializers.IntegerField(allow_null=True, label="from")
    to = serializers.IntegerField(allow_null=True)
    amount = serializers.CharField()
    currency = serializers.CharField()
    date = serializers.DateField()
    created_by = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class WeightOut(serializers.Serializer[Any]):
    user = serializers.IntegerField()
    name = serializers.CharField()
    weight = serializers.CharField(allow_null=True)


class DefaultSplitOut(serializers.Serializer[Any]):
    mode = serializers.CharField(help_text="equal (no weights set) or shares")
    members = WeightOut(many=True)


def settlement_out(s: Settlement) -> dict[str, Any]:
    data = presenters.settlement_data(
        pk=s.pk,
        from_id=s.from_user_id,
        to_id=s.to_user_id,
        amount=s.amount,
        currency=s.currency,
        on=s.date,
    )
    return {**data, "created_by": s.created_by_id, "created_at": s.created_at}


def _on_fields(error: ValidationError, payload: dict[str, Any]) -> ValidationError:
    """A service's field-less error, put on the request field it is about."""
    by_field: dict[str, list[ValidationError]] = {}
    for e in error.error_list:
        field = field_for(e.code) or "__all__"
        if e.code == "settlement_same_person":
            field = "to"
        elif e.code == "settlement_unknown_person" and e.params:
            field = "to" if e.params.get("user") == payload.get("to") else "from"
        by_field.setdefault(field, []).append(e)
    return ValidationError(by_field)


class BalancesApi(LedgerApiView):
    @extend_schema(
        tags=["ledgers"], parameters=[BalancesIn], responses=BalancesOut, operation_id="balances"
    )
    def get(self, request: Request, ledger_id: int) -> Response:
        """Who owes whom; with `?currency=XXX`, converted at today's stored rates (what
        no rate converts stays in its own currency and is listed in `unconverted`)."""
        member = access.member_of(user=self.owner, ledger=ledger_id)
        params = self.valid(BalancesIn, request.query_params)
        try:
            balances = ledger_balances(
                user=self.owner, ledger=member, currency=params.get("currency")
            )
        except ValidationError as e:
            raise ValidationError({"currency": e.error_list}) from e
        return Response(presenters.balances_data(balances))


class SettlementListApi(LedgerApiView):
    @extend_schema(
        tags=["ledgers"], responses=SettlementOut(many=True), operation_id="settlements_list"
    )
    def get(self, request: Request, ledger_id: int) -> Response:
        member = access.member_of(user=self.owner, ledger=ledger_id)
        rows = settlement_list(user=self.owner, ledger=member)[:500]
        return Response([settlement_out(s) for s in rows])

    @extend_schema(tags=["ledgers"], request=SettlementIn, responses={201: SettlementOut})
    def post(self, request: Request, ledger_id: int) -> Response:
        """Record that `from` paid `to` back: a member records what they paid or received,
        an owner or a manager any payment between two people of the ledger."""
        member = access.member_of(user=self.owner, ledger=ledger_id, write=True)
        data = self.valid(SettlementIn, request.data)
        try:
            settlement = settlement_create(
                user=self.owner,
                ledger=member,
                from_user_id=data["from"],
                to_user_id=data["to"],
                amount=data["amount"],
                currency=data.get("currency"),
                date=data.get("date"),
                source="api",
            )
        except ValidationError as e:
            raise _on_fields(e, data) from e
        return Response(settlement_out(settlement), status=status.HTTP_201_CREATED)


class SettlementDetailApi(LedgerApiView):
    @extend_schema(tags=["ledgers"], responses={204: None})
    def delete(self, request: Request, ledger_id: int, settlement_id: int) -> Response:
        """Undo a settlement."""
        member = access.member_of(user=self.owner, ledger=ledger_id, write=True)
        settlement = settlement_get(user=self.owner, ledger=member, pk=settlement_id)
        if settlement is None or not settlement_delete(
            user=self.owner, settlement=settlement, source="api"
        ):
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)


def _default_data(member: Any) -> dict[str, Any]:
    weights = default_split(ledger=member.ledger)
    return {
        "mode": "shares" if any(w.weight is not None for w in weights) else "equal",
        "members": [
            {
                "user": w.user_id,
                "name": w.name,
                "weight": str(w.weight) if w.weight is not None else None,
            }
            for w in weights
        ],
    }


class DefaultSplitApi(LedgerApiView):
    @extend_schema(tags=["ledgers"], responses=DefaultSplitOut, operation_id="split_default")
    def get(self, request: Request, ledger_id: int) -> Response:
        """How the ledger splits an expense when nobody says: equal among all members, or
        by the weights its managers set."""
        return Response(_default_data(access.member_of(user=self.owner, ledger=ledger_id)))

    @extend_schema(tags=["ledgers"], request=DefaultSplitIn, responses=DefaultSplitOut)
    def put(self, request: Request, ledger_id: int) -> Response:
        """Set the default split (owners and managers)."""
        member = access.member_of(user=self.owner, ledger=ledger_id, manage=True)
        data = self.valid(DefaultSplitIn, request.data)
        try:
            split_default_set(
                user=self.owner,
                ledger=member,
                weights=[(w["user"], w["weight"]) for w in data["weights"]],
                source="api",
            )
        except ValidationError as e:
            raise ValidationError({"weights": e.error_list}) from e
        return Response(_default_data(member))


urlpatterns = [
    path("<int:ledger_id>/balances/", BalancesApi.as_view(), name="balances"),
    path("<int:ledger_id>/settlements/", SettlementListApi.as_view(), name="settlements"),
    path(
        "<int:ledger_id>/settlements/<int:settlement_id>/",
        SettlementDetailApi.as_view(),
        name="settlement",
    ),
    path("<int:ledger_id>/split/", DefaultSplitApi.as_view(), name="split_default"),
]
app_name = "households_api"
