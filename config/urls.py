from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView


class ApiDocsView(SpectacularSwaggerSplitView):
    # DRF's OPTIONS answer would be rendered with the page's HTML renderer, which has
    # no template for it (a 500); the page has nothing to describe: a JSON 405.
    metadata_class = None


urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/bot/", include("botapi.urls")),
    # The OpenAPI 3 document of the whole API and its docs page (served offline).
    path("api/schema/", SpectacularAPIView.as_view(), name="openapi"),
    # The split view serves its script as a file: the page needs no inline script (CSP).
    path("api/docs/", ApiDocsView.as_view(url_name="openapi"), name="api_docs"),
    # Cabinet and the clients' JSON API (issue #5).
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/auth/", include("accounts.api")),
    path("api/ledgers/", include("ledgers.api")),
    # A shared ledger's balances, settlements and default split (issue #24).
    path("api/ledgers/", include("finance.api.households")),
    path("api/", include("finance.api.urls")),
    path("", include("notifications.urls")),
    path("", include("agents.urls")),
    path("", include("accounts.urls")),
    path("", include("ledgers.urls")),
    path("", include("finance.urls")),
    # Messengers: the Telegram webhook and the cabinet pages (issue #9).
    path("", include("messaging.urls")),
]

# JSON error bodies on /api/ and /webhooks/, pages elsewhere; lost services are 503s.
handler400 = "config.handlers.bad_request"
handler403 = "config.handlers.permission_denied"
handler404 = "config.handlers.page_not_found"
handler500 = "config.handlers.server_error"
