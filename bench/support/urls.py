from django.urls import path

from bench.support.views import BareExpenseView
from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [*project_urlpatterns, path("bench/bare", BareExpenseView.as_view())]
