from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from accounts.models import User
from finance.services.books import ledger_personal


class UserLanguageMiddleware:
    """Speak a signed-in person's chosen language; others get LocaleMiddleware's pick.

    LocaleMiddleware runs before authentication (it needs no user), so it can only go
    by the cookie and Accept-Language. This one runs after it and overrides both.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None else ""
        if language and user is not None and user.is_authenticated:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


class PersonalLedgerMiddleware:
    """Give a signed-in person their personal ledger when they have no active one.

    Signing up makes it; a person made around the services (createsuperuser, a script's
    bare row) has none until they need one, and the cabinet needs one on every page. The
    check reads an attribute of the user the session already loaded: no query for
    anyone who has an active ledger, and none for a request without a session (the bot).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if isinstance(user, User) and user.active_ledger_id is None:
            ledger_personal(user=user, activate=True)
        return self.get_response(request)
