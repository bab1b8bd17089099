from django.urls import path

from finance import views
from finance.data import views as data_views
from finance.households import views as household_views
from finance.regular import views as regular_views

app_name = "finance"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("transactions/", views.transactions, name="transactions"),
    path("transactions/add/", views.add_transaction, name="add_transaction"),
    path("transactions/add/text/", views.add_transaction_text, name="add_transaction_text"),
    path("transactions/add/bank/", views.add_bank_messages, name="add_bank_messages"),
    path(
        "transactions/matches/<int:match_id>/separately/",
        views.record_separately,
        name="record_separately",
    ),
    path("transactions/add/receipt/", views.add_receipt, name="add_receipt"),
    path("transactions/<int:tx_id>/", views.edit_transaction, name="edit_transaction"),
    path("transactions/<int:tx_id>/delete/", views.delete_transaction, name="delete_transaction"),
    path("budget/", views.budget, name="budget"),
    path("budget/copy/", views.copy_budget, name="copy_budget"),
    path("regular/", regular_views.regular, name="regular"),
    path("regular/add/text/", regular_views.add_regular_text, name="add_regular_text"),
    path("regular/<int:rule_id>/", regular_views.edit_regular, name="edit_regular"),
    path("regular/<int:rule_id>/pause/", regular_views.pause_regular, name="pause_regular"),
    path("regular/<int:rule_id>/skip/", regular_views.skip_regular, name="skip_regular"),
    path("regular/<int:rule_id>/delete/", regular_views.delete_regular, name="delete_regular"),
    path(
        "regular/suggestions/<str:suggestion_id>/add/",
        regular_views.accept_suggestion,
        name="accept_suggestion",
    ),
    path(
        "regular/suggestions/<str:suggestion_id>/dismiss/",
        regular_views.dismiss_suggestion,
        name="dismiss_suggestion",
    ),
    path("categories/", views.categories, name="categories"),
    path("categories/<int:category_id>/", views.edit_category, name="edit_category"),
    path("categories/<int:category_id>/archive/", views.archive_category, name="archive_category"),
    path("data/", data_views.data, name="data"),
    path("data/transactions.csv", data_views.export_csv, name="export_csv"),
    path("data/kopilka.json", data_views.export_json, name="export_json"),
    path("data/import/", data_views.import_upload, name="import_upload"),
    path(
        "ledgers/<int:ledger_id>/settlements/",
        household_views.record_settlement,
        name="record_settlement",
    ),
    path(
        "ledgers/<int:ledger_id>/settlements/<int:settlement_id>/undo/",
        household_views.undo_settlement,
        name="undo_settlement",
    ),
    path(
        "ledgers/<int:ledger_id>/split/",
        household_views.set_default_split,
        name="set_default_split",
    ),
    path("data/import/<int:import_id>/", data_views.import_preview, name="import_preview"),
    path(
        "data/import/<int:import_id>/progress/",
        data_views.import_progress,
        name="import_progress",
    ),
]
