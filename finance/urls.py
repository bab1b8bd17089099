from django.urls import path

from finance import views
from finance.data import views as data_views

app_name = "finance"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("transactions/", views.transactions, name="transactions"),
    path("transactions/add/", views.add_transaction, name="add_transaction"),
    path("transactions/add/text/", views.add_transaction_text, name="add_transaction_text"),
    path("transactions/add/receipt/", views.add_receipt, name="add_receipt"),
    path("transactions/<int:tx_id>/", views.edit_transaction, name="edit_transaction"),
    path("transactions/<int:tx_id>/delete/", views.delete_transaction, name="delete_transaction"),
    path("budget/", views.budget, name="budget"),
    path("budget/copy/", views.copy_budget, name="copy_budget"),
    path("categories/", views.categories, name="categories"),
    path("categories/<int:category_id>/", views.edit_category, name="edit_category"),
    path("categories/<int:category_id>/archive/", views.archive_category, name="archive_category"),
    path("data/", data_views.data, name="data"),
    path("data/transactions.csv", data_views.export_csv, name="export_csv"),
    path("data/kopilka.json", data_views.export_json, name="export_json"),
    path("data/import/", data_views.import_upload, name="import_upload"),
    path("data/import/preview/", data_views.import_preview, name="import_preview"),
]
