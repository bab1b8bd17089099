from django.urls import path

from ledgers import views

app_name = "ledgers"

urlpatterns = [
    path("ledgers/", views.ledgers, name="ledgers"),
    path("ledgers/switch/", views.switch_ledger, name="switch"),
    path("ledgers/join/", views.join, name="join"),
    path("ledgers/join/<str:code>/", views.join_code, name="join_code"),
    path("ledgers/<int:ledger_id>/", views.ledger_detail, name="ledger"),
    path("ledgers/<int:ledger_id>/invite/", views.invite, name="invite"),
    path("ledgers/<int:ledger_id>/leave/", views.leave, name="leave"),
    path("ledgers/<int:ledger_id>/transfer/", views.transfer, name="transfer"),
    path(
        "ledgers/<int:ledger_id>/members/<int:user_id>/remove/",
        views.remove_member,
        name="remove_member",
    ),
]
