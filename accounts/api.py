"""JWT for the clients' JSON API: obtain (throttled like the login page), refresh, log out."""

from typing import Any

from django.urls import path
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework_simplejwt import views as jwt_views

from accounts import throttle

app_name = "api_auth"


class TokenObtainView(jwt_views.TokenObtainPairView):
    """Username and password in, an access and a refresh token out."""

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The same counters as the cabinet's login form.
        username = request.data.get("username", "") if isinstance(request.data, dict) else ""
        if throttle.login_throttled(request, str(username)):
            raise exceptions.Throttled(wait=60)
        return super().post(request, *args, **kwargs)


urlpatterns = [
    path("token/", TokenObtainView.as_view(), name="token_obtain"),
    path("token/refresh/", jwt_views.TokenRefreshView.as_view(), name="token_refresh"),
    path("token/blacklist/", jwt_views.TokenBlacklistView.as_view(), name="token_blacklist"),
]
