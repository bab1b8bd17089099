"""JWT for the clients' JSON API: obtain (throttled like the login page), refresh, log out."""

from typing import Any

from django.conf import settings
from django.urls import path
from django_ratelimit.core import is_ratelimited
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework_simplejwt import views as jwt_views

from accounts import throttle

app_name = "api_auth"


def _username_key(group: str, request: Request) -> str:
    username = request.data.get("username", "") if isinstance(request.data, dict) else ""
    return str(username).strip().lower()


class TokenObtainView(jwt_views.TokenObtainPairView):
    """Username and password in, an access and a refresh token out."""

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The same two counters as the cabinet's login form: one password guess is
        # one guess, whichever door it comes through.
        by_ip = is_ratelimited(
            request,
            group="login-ip",
            key=throttle.ip_key,
            rate=settings.LOGIN_RATE_PER_IP,
            increment=True,
        )
        by_name = is_ratelimited(
            request,
            group="login-user",
            key=_username_key,
            rate=settings.LOGIN_RATE_PER_USERNAME,
            increment=True,
        )
        if by_ip or by_name:
            raise exceptions.Throttled(wait=60)
        return super().post(request, *args, **kwargs)


urlpatterns = [
    path("token/", TokenObtainView.as_view(), name="token_obtain"),
    path("token/refresh/", jwt_views.TokenRefreshView.as_view(), name="token_refresh"),
    path("token/blacklist/", jwt_views.TokenBlacklistView.as_view(), name="token_blacklist"),
]
