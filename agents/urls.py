from django.urls import path

from agents import views

app_name = "agents"
urlpatterns = [
    path("agents/kopilka/SKILL.md", views.skill, name="skill"),
    path("agents/kopilka-mcp", views.bridge, name="bridge"),
]
