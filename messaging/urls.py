from django.urls import path

from messaging import views, webhooks

app_name = "messaging"

urlpatterns = [
    path("webhooks/telegram/", webhooks.telegram_webhook, name="telegram_webhook"),
    path("webhooks/whatsapp/", webhooks.whatsapp_webhook, name="whatsapp_webhook"),
    path("webhooks/whatsapp/status/", webhooks.whatsapp_status, name="whatsapp_status"),
    path("messengers/", views.messengers, name="messengers"),
    path("messengers/telegram/link/", views.link_telegram, name="link_telegram"),
    path("messengers/whatsapp/link/", views.link_whatsapp, name="link_whatsapp"),
    path("messengers/<int:contact_id>/unlink/", views.unlink, name="unlink"),
    path("messengers/history/", views.history, name="history"),
    path(
        "ledgers/<int:ledger_id>/telegram/link/",
        views.link_telegram_group,
        name="link_telegram_group",
    ),
    path(
        "ledgers/<int:ledger_id>/telegram/unlink/",
        views.unlink_telegram_group,
        name="unlink_telegram_group",
    ),
]
