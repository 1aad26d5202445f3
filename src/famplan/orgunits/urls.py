from __future__ import annotations

from django.urls import path

from famplan.orgunits import views

app_name = "orgunits"
urlpatterns = [
    path("", views.home, name="home"),
    path("import/", views.import_divisions, name="import"),
    path("<str:code>/", views.detail, name="detail"),
]
