from __future__ import annotations

from django.urls import path

from famplan.quality import views, views_conflicts

app_name = "quality"
urlpatterns = [
    path("", views.home, name="home"),
    path("run/", views.run, name="run"),
    path("worklist/<str:code>/", views.worklist, name="worklist"),
    path("worklist/<str:code>/export/", views.worklist_export, name="worklist_export"),
    path("conflicts/", views_conflicts.conflicts, name="conflicts"),
]
