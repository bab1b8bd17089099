from django.urls import path

from messaging import views

app_name = "messaging"

urlpatterns = [
    path("webhooks/telegram/", views.telegram_webhook, name="telegram_webhook"),
    path("messengers/", views.messengers, name="messengers"),
    path("messengers/telegram/link/", views.link_telegram, name="link_telegram"),
    path("messengers/<int:contact_id>/unlink/", views.unlink, name="unlink"),
    path("messengers/history/", views.history, name="history"),
]
