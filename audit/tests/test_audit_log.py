from django.db import InternalError, ProgrammingError, transaction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, TestCase, override_settings

from audit import context
from audit.middleware import RequestContextMiddleware
from audit.models import AuditLog
from audit.services import audit_record


class AuditLogTestCase(TestCase):
    def test_rows_cannot_be_changed_or_deleted(self) -> None:
        row = audit_record(source="cli", action="test.event")
        for attempt in (
            lambda: AuditLog.objects.filter(pk=row.pk).update(action="tampered"),
            lambda: AuditLog.objects.filter(pk=row.pk).delete(),
        ):
            with self.assertRaises((InternalError, ProgrammingError)), transaction.atomic():
                attempt()
        row.refresh_from_db()
        self.assertEqual(row.action, "test.event")


def _echo_context(request: HttpRequest) -> HttpResponse:
    ctx = context.current()
    audit_record(source="web", action="test.request")
    return HttpResponse(f"{ctx.request_id} {ctx.client_ip}")


class RequestContextMiddlewareTestCase(TestCase):
    middleware = RequestContextMiddleware(_echo_context)

    def test_it_echoes_a_sane_request_id_and_records_it(self) -> None:
        request = RequestFactory().get("/", HTTP_X_REQUEST_ID="req-123")
        response = self.middleware(request)
        self.assertEqual(response["X-Request-ID"], "req-123")
        self.assertEqual(AuditLog.objects.get().request_id, "req-123")

    def test_it_replaces_an_insane_request_id(self) -> None:
        request = RequestFactory().get("/", HTTP_X_REQUEST_ID="bad id\nwith newline")
        response = self.middleware(request)
        self.assertRegex(response["X-Request-ID"], r"^[0-9a-f]{32}$")

    @override_settings(TRUST_X_REAL_IP=True)
    def test_the_client_ip_comes_from_x_real_ip_never_x_forwarded_for(self) -> None:
        request = RequestFactory().get(
            "/",
            HTTP_X_REAL_IP="203.0.113.7",
            HTTP_X_FORWARDED_FOR="198.51.100.1",
            REMOTE_ADDR="127.0.0.1",
        )
        self.assertTrue(self.middleware(request).content.decode().endswith(" 203.0.113.7"))
        self.assertEqual(AuditLog.objects.get().client_ip, "203.0.113.7")

    @override_settings(TRUST_X_REAL_IP=False)
    def test_without_a_trusted_proxy_the_peer_address_counts(self) -> None:
        request = RequestFactory().get("/", HTTP_X_REAL_IP="203.0.113.7", REMOTE_ADDR="127.0.0.1")
        self.assertTrue(self.middleware(request).content.decode().endswith(" 127.0.0.1"))

    @override_settings(TRUST_X_REAL_IP=True)
    def test_x_real_ip_from_anyone_but_the_proxy_is_ignored(self) -> None:
        # Someone reaching gunicorn directly must not choose their own address (and so
        # reset the failed-authentication limit by changing the header).
        request = RequestFactory().get(
            "/", HTTP_X_REAL_IP="203.0.113.7", REMOTE_ADDR="198.51.100.20"
        )
        self.assertTrue(self.middleware(request).content.decode().endswith(" 198.51.100.20"))

    @override_settings(TRUST_X_REAL_IP=True, TRUSTED_PROXIES=["10.0.0.0/8", "::1"])
    def test_trusted_proxies_may_be_networks(self) -> None:
        for peer, seen in [
            ("10.1.2.3", "203.0.113.7"),
            ("::1", "203.0.113.7"),
            ("127.0.0.1", "127.0.0.1"),
        ]:
            with self.subTest(peer=peer):
                request = RequestFactory().get("/", HTTP_X_REAL_IP="203.0.113.7", REMOTE_ADDR=peer)
                self.assertTrue(self.middleware(request).content.decode().endswith(f" {seen}"))

    def test_outside_a_request_there_is_no_context(self) -> None:
        row = audit_record(source="cli", action="test.cli")
        self.assertEqual((row.request_id, row.client_ip), ("", None))
