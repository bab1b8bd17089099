from django.test import RequestFactory, SimpleTestCase

from core.i18n import request_language


class RequestLanguageTestCase(SimpleTestCase):
    def language(self, header: str | None, default: str = "ru") -> str:
        request = RequestFactory().get("/")
        if header is not None:
            request.META["HTTP_ACCEPT_LANGUAGE"] = header
        return request_language(request, default)

    def test_the_first_language_we_speak_wins(self) -> None:
        self.assertEqual(self.language("en-US,en;q=0.9,ru;q=0.8"), "en")
        self.assertEqual(self.language("de-DE,ru;q=0.5,en;q=0.4", default="en"), "ru")

    def test_otherwise_the_callers_own(self) -> None:
        self.assertEqual(self.language(None, default="en"), "en")
        self.assertEqual(self.language("de, fr;q=0.5", default="en"), "en")
        self.assertEqual(self.language("*", default="en"), "en")
        self.assertEqual(self.language("zz-ZZ;q=abc,*;q=-1", default="en"), "en")
