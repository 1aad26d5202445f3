from __future__ import annotations

from django.urls import path

from famplan.indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.report, name="report"),
    path("export/<str:code>/", views.report_export, name="report_export"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/data/", views.dashboard_data, name="dashboard_data"),
    path("refresh/", views.refresh, name="refresh"),
    path("targets/", views.targets, name="targets"),
    path("targets/set/", views.target_set_view, name="target_set"),
    path("targets/copy/", views.targets_copy, name="targets_copy"),
    path("elements/", views.elements, name="elements"),
]
