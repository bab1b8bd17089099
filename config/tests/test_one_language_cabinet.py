"""One language per answer (issue 20), the cabinet: every form of every page, sent back
empty and with bad values in each of its fields, in Russian and in English; every error the
page then shows (form errors, messages, alerts) holds no sentence of the other language.

Pages and forms are found in the URLconf and in the pages' own HTML, so that a page or a
field added later is walked without touching this file.
"""

from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

from django.test import override_settings
from django.urls import NoReverseMatch, reverse

from config.tests.test_one_language import LANGUAGES, WalkTestCase
from finance.services.budget import budget_item_set
from ledgers.tests.test_every_route import routes

# Not the cabinet's: the JSON doors (walked in test_one_language), the admin, the
# language switch; logging out ends the walk's session.
SKIPPED_PREFIXES = ("/api/", "/webhooks/", "/admin/", "/i18n/", "/mcp")
SKIPPED_ACTIONS = ("/logout/",)
# What a field is set to, one at a time: nothing, too long, not a number, not a date,
# a negative amount, an unknown code.
BAD_VALUES = ("", "x" * 300, "zz", "-5", "2026-13-45", "кофе", "999999999999999")
# Elements whose text is an error the person reads.
ERROR_CLASSES = frozenset({"errorlist", "messages", "error", "alert-rates"})


class Form:
    def __init__(self, action: str, method: str) -> None:
        self.action = action
        self.method = method
        self.fields: dict[str, str] = {}
        self.buttons: list[tuple[str, str]] = []


class PageReader(HTMLParser):
    """The forms of a page (their fields with the values the page gives them) and the
    texts of its error elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.errors: list[str] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_first = True
        self._textarea: str | None = None
        # Depth of the open error element, and its text so far.
        self._error_depth = 0
        self._error_tags: list[str] = []
        self._error_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if self._error_tags:
            self._error_tags.append(tag)
            if tag == "li":
                self._flush()
        elif set(a.get("class", "").split()) & ERROR_CLASSES or a.get("role") == "alert":
            self._error_tags.append(tag)
        if tag == "form":
            self._form = Form(a.get("action", ""), a.get("method", "get").lower())
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in {"submit", "button", "image"}:
                self._form.buttons.append((name, a.get("value", "")))
            elif kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self._form.fields[name] = a.get("value", "on")
            elif kind != "file":
                self._form.fields[name] = a.get("value", "")
        elif tag == "button" and name and a.get("type", "submit") == "submit":
            self._form.buttons.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select, self._select_first = name, True
        elif tag == "option" and self._select:
            if self._select_first or "selected" in a:
                self._form.fields[self._select] = a.get("value", "")
                self._select_first = False
        elif tag == "textarea" and name:
            self._textarea = name
            self._form.fields[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if self._error_tags:
            self._error_tags.pop()
            if tag == "li" or not self._error_tags:
                self._flush()
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._error_tags:
            self._error_text.append(data)
        if self._form is not None and self._textarea:
            self._form.fields[self._textarea] += data

    def _flush(self) -> None:
        text = " ".join("".join(self._error_text).split())
        if text:
            self.errors.append(text)
        self._error_text = []


def is_page(response: Any) -> bool:
    return not response.streaming and "text/html" in response.get("Content-Type", "")


def read(html: str) -> PageReader:
    reader = PageReader()
    reader.feed(html)
    reader.close()
    return reader


@override_settings(RATELIMIT_ENABLE=False)
class CabinetFormsTestCase(WalkTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.tx = self.spend(self.alice, "123")
        self.cafe = self.home_category("cafe")
        self.item, _ = budget_item_set(
            user=self.alice,
            ledger=self.home,
            month=self.tx.date.replace(day=1),
            category=self.cafe,
            planned_amount=self.tx.amount,
            source="cli",
        )
        self.kwargs: dict[str, Any] = {
            "tx_id": self.tx.pk,
            "category_id": self.cafe.pk,
            "item_id": self.item.pk,
            "ledger_id": self.home.pk,
            "user_id": self.carol.pk,
        }
        self.errors_seen = 0
        # Each form once a language (a signed-out walk meets the login form on every page).
        self.forms_walked: set[tuple[str, str, tuple[str, ...]]] = set()

    def pages(self) -> Iterator[str]:
        """The URL of every cabinet page, naming alice's objects."""
        for name, parameters in routes():
            try:
                url = reverse(name, kwargs={p: self.kwargs[p] for p in parameters})
            except (KeyError, NoReverseMatch):
                continue  # a code or a token in the path: not a page with a form
            if not url.startswith(SKIPPED_PREFIXES):
                yield url

    def speak(self, language: str, *, signed_in: bool) -> None:
        self.client.logout()
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
        if signed_in:
            self.alice.language = language
            self.alice.save(update_fields=["language"])
            self.client.force_login(self.alice)

    def errors(self, where: str, response: Any, language: str, sent: str = "") -> None:
        if not is_page(response):
            return
        errors = read(response.content.decode()).errors
        self.errors_seen += len(errors)
        self.see(where, errors, language, sent)

    def walk_form(self, page: str, form: Form, language: str) -> None:
        action = form.action or page
        if form.method != "post" or action.startswith(SKIPPED_PREFIXES + SKIPPED_ACTIONS):
            return
        base = {**form.fields}
        buttons = form.buttons[:1] or [("", "")]
        for name, value in form.buttons or [("", "")]:
            empty = {"csrfmiddlewaretoken": base.get("csrfmiddlewaretoken", "")}
            if name:
                empty[name] = value
            response = self.client.post(action, empty, follow=True)
            self.errors(f"{page} -> {action} empty ({name})", response, language)
        button, pressed = buttons[0]
        for field in form.fields:
            if field == "csrfmiddlewaretoken":
                continue
            for bad in BAD_VALUES:
                data = {**base, field: bad, **({button: pressed} if button else {})}
                response = self.client.post(action, data, follow=True)
                self.errors(f"{page} -> {action} {field}={bad[:20]!r}", response, language, bad)

    def walk(self, language: str, *, signed_in: bool) -> int:
        forms = 0
        for page in self.pages():
            self.speak(language, signed_in=signed_in)
            response = self.client.get(page, follow=True)
            if response.status_code != 200 or not is_page(response):
                continue
            self.errors(f"GET {page}", response, language)
            # Where the page is (a signed-out walk is sent to the login page).
            page = response.redirect_chain[-1][0] if response.redirect_chain else page
            for form in read(response.content.decode()).forms:
                where = (form.action or page).split("?")[0]
                key = (language, where, tuple(sorted(form.fields)))
                if key in self.forms_walked:
                    continue
                self.forms_walked.add(key)
                self.speak(language, signed_in=signed_in)
                self.walk_form(page, form, language)
                forms += 1
        return forms

    def test_every_form_of_every_page_signed_in(self) -> None:
        for language in LANGUAGES:
            self.assertGreater(self.walk(language, signed_in=True), 20)
        self.assertGreater(len(self.walked), 200)
        self.assertGreater(self.errors_seen, 200)
        self.assert_one_language()

    def test_every_form_of_every_page_signed_out(self) -> None:
        for language in LANGUAGES:
            self.assertGreater(self.walk(language, signed_in=False), 3)
        self.assertGreater(self.errors_seen, 20)
        self.assert_one_language()
