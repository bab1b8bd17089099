from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/bot/", include("botapi.urls")),
    # The OpenAPI 3 document of the whole API and its docs page (served offline).
    path("api/schema/", SpectacularAPIView.as_view(), name="openapi"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="openapi"), name="api_docs"),
    # Cabinet and the clients' JSON API (issue #5).
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/auth/", include("accounts.api")),
    path("api/ledgers/", include("ledgers.api")),
    path("api/", include("finance.api.urls")),
    path("", include("notifications.urls")),
    path("", include("agents.urls")),
    path("", include("accounts.urls")),
    path("", include("ledgers.urls")),
    path("", include("finance.urls")),
]
