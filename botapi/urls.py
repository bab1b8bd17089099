from django.urls import path

from botapi import views

app_name = "botapi"
urlpatterns = [
    path("actions", views.ActionView.as_view(), name="actions"),
    path("schema", views.SchemaView.as_view(), name="schema"),
]
