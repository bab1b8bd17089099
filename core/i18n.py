"""The language an API answers in."""

from django.http import HttpRequest
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header


def request_language(request: HttpRequest, default: str) -> str:
    """The first language of the client's Accept-Language that Kopilka speaks, else
    `default` (the caller's own). A client asking only for languages we lack gets the
    person's language, not the site's."""
    for code, _quality in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return default
