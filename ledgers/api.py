"""The JWT API of ledgers: which there are, who is in them, invitations, joining."""

from typing import Any

from django.core.exceptions import ValidationError
from django.urls import path, reverse
from django.utils import translation
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.authentication import JWTAuthentication

from accounts.models import User
from core.i18n import request_language
from finance.services.books import ledger_create, member_for
from ledgers import access, selectors, services
from ledgers.models import Membership

# Input


class LedgerCreateIn(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100)
    default_currency = serializers.CharField(max_length=3, required=False)


# Named in SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]: two role enums in one document.
INVITABLE_ROLE_CHOICES = [(r.value, r.label) for r in services.INVITABLE_ROLES]


class InviteIn(serializers.Serializer[Any]):
    role = serializers.ChoiceField(choices=INVITABLE_ROLE_CHOICES)


class JoinIn(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=100)


# Output


class LedgerOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    default_currency = serializers.CharField()
    role = serializers.ChoiceField(choices=Membership.Role.choices)
    active = serializers.BooleanField()


class MemberOut(serializers.Serializer[Any]):
    user_id = serializers.IntegerField()
    username = serializers.CharField()
    role = serializers.ChoiceField(choices=Membership.Role.choices)
    joined_at = serializers.DateTimeField()


class InviteOut(serializers.Serializer[Any]):
    code = serializers.CharField()
    url = serializers.URLField()
    role = serializers.CharField()
    expires_at = serializers.DateTimeField()


def _ledger_data(member: Membership, active_id: int | None) -> dict[str, Any]:
    ledger = member.ledger
    return {
        "id": ledger.pk,
        "name": ledger.name,
        "default_currency": ledger.default_currency,
        "role": member.role,
        "active": ledger.pk == active_id,
    }


class LedgerApiView(APIView):
    authentication_classes = [JWTAuthentication]
    permission_classes = [IsAuthenticated]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        translation.activate(request_language(request._request, self.owner.language))

    @property
    def owner(self) -> User:
        user = self.request.user
        assert isinstance(user, User)
        return user

    def valid(self, serializer_class: type[Any], data: Any) -> dict[str, Any]:
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


class LedgerListApi(LedgerApiView):
    @extend_schema(tags=["ledgers"], responses=LedgerOut(many=True), operation_id="ledgers_list")
    def get(self, request: Request) -> Response:
        active_id = access.member_of(user=self.owner).ledger_id
        rows = selectors.memberships(user=self.owner)
        return Response([_ledger_data(m, active_id) for m in rows])

    @extend_schema(tags=["ledgers"], request=LedgerCreateIn, responses={201: LedgerOut})
    def post(self, request: Request) -> Response:
        data = self.valid(LedgerCreateIn, request.data)
        ledger = ledger_create(user=self.owner, source="api", **data)
        member = Membership.objects.select_related("ledger").get(ledger=ledger, user=self.owner)
        active_id = member_for(user=self.owner).ledger_id
        return Response(_ledger_data(member, active_id), status=status.HTTP_201_CREATED)


class MemberListApi(LedgerApiView):
    @extend_schema(tags=["ledgers"], responses=MemberOut(many=True), operation_id="members_list")
    def get(self, request: Request, ledger_id: int) -> Response:
        member = access.member_of(user=self.owner, ledger=ledger_id)
        return Response(
            [
                {
                    "user_id": m.user_id,
                    "username": m.user.username,
                    "role": m.role,
                    "joined_at": m.created_at,
                }
                for m in selectors.members(member=member)
            ]
        )


class InviteApi(LedgerApiView):
    @extend_schema(tags=["ledgers"], request=InviteIn, responses={201: InviteOut})
    def post(self, request: Request, ledger_id: int) -> Response:
        """A single-use invitation for 7 days; the code is shown only in this answer."""
        member = access.member_of(user=self.owner, ledger=ledger_id, manage=True)
        data = self.valid(InviteIn, request.data)
        issued = services.invite_create(
            user=self.owner, ledger=member, role=data["role"], source="api"
        )
        url = request.build_absolute_uri(reverse("ledgers:join_code", args=[issued.code]))
        body = {
            "code": issued.code,
            "url": url,
            "role": issued.invite.role,
            "expires_at": issued.invite.expires_at,
        }
        return Response(InviteOut(body).data, status=status.HTTP_201_CREATED)


class JoinApi(LedgerApiView):
    @extend_schema(tags=["ledgers"], request=JoinIn, responses={201: LedgerOut})
    def post(self, request: Request) -> Response:
        data = self.valid(JoinIn, request.data)
        try:
            member = services.invite_accept(user=self.owner, code=data["code"], source="api")
        except ValidationError as e:
            raise ValidationError({"code": e.error_list}) from e
        active_id = member_for(user=self.owner).ledger_id
        return Response(_ledger_data(member, active_id), status=status.HTTP_201_CREATED)


urlpatterns = [
    path("", LedgerListApi.as_view(), name="ledgers"),
    path("join/", JoinApi.as_view(), name="join"),
    path("<int:ledger_id>/members/", MemberListApi.as_view(), name="members"),
    path("<int:ledger_id>/invites/", InviteApi.as_view(), name="invites"),
]
app_name = "ledgers_api"
