from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    # Cabinet and the clients' JSON API (issue #5).
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/auth/", include("accounts.api")),
    path("api/", include("finance.api.urls")),
    path("", include("accounts.urls")),
    path("", include("finance.urls")),
]
