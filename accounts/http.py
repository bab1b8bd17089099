from django.http import HttpRequest

from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """What a view behind @login_required receives: the user is a real User."""

    user: User
