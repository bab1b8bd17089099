from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("settings/notifications/", views.notification_settings, name="settings"),
    path("settings/notifications/test/", views.send_test, name="send_test"),
]
