from django.urls import path

from finance.api import imports, recurring, views

app_name = "api"

urlpatterns = [
    path("transactions/", views.TransactionListApi.as_view(), name="transactions"),
    path(
        "transactions/export.csv", views.TransactionExportApi.as_view(), name="transactions_export"
    ),
    path("export.json", views.AccountExportApi.as_view(), name="export"),
    path("transactions/<int:tx_id>/", views.TransactionDetailApi.as_view(), name="transaction"),
    path("categories/", views.CategoryListApi.as_view(), name="categories"),
    path("categories/<int:category_id>/", views.CategoryDetailApi.as_view(), name="category"),
    path("budget-items/", views.BudgetItemListApi.as_view(), name="budget_items"),
    path("budget-items/<int:item_id>/", views.BudgetItemDetailApi.as_view(), name="budget_item"),
    path("summary/", views.SummaryApi.as_view(), name="summary"),
    path("recurring/", recurring.RecurringListApi.as_view(), name="recurring"),
    path(
        "recurring/suggestions/",
        recurring.SuggestionListApi.as_view(),
        name="recurring_suggestions",
    ),
    path(
        "recurring/suggestions/<str:suggestion_id>/",
        recurring.SuggestionDetailApi.as_view(),
        name="recurring_suggestion",
    ),
    path("recurring/<int:rule_id>/", recurring.RecurringDetailApi.as_view(), name="recurring_rule"),
    path("imports/", imports.ImportListApi.as_view(), name="imports"),
    path("imports/<int:import_id>/", imports.ImportDetailApi.as_view(), name="import"),
    path(
        "imports/<int:import_id>/commit/", imports.ImportCommitApi.as_view(), name="import_commit"
    ),
]
