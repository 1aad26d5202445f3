"""Health pages: checks, the follow-up worklist, folic acid, targets."""

from __future__ import annotations

from django.urls import path

from famplan.health import views

app_name = "health"
urlpatterns = [
    path("checks/", views.check_list, name="check_list"),
    path("checks/export/", views.check_export, name="check_export"),
    path("checks/new/", views.check_create, name="check_create"),
    path("checks/<int:pk>/", views.check_detail, name="check_detail"),
    path("followups/", views.worklist, name="worklist"),
    path("followups/export/", views.worklist_export, name="worklist_export"),
    path("followups/<int:pk>/", views.followup_detail, name="followup_detail"),
    path("folic/", views.folic_list, name="folic_list"),
    path("folic/export/", views.folic_export, name="folic_export"),
    path("folic/new/", views.folic_create, name="folic_create"),
    path("folic/rates/", views.folic_rates, name="folic_rates"),
    path("folic/rates/export/", views.folic_rates_export, name="folic_rates_export"),
    path("folic/<int:pk>/", views.folic_detail, name="folic_detail"),
    path("targets/", views.targets, name="targets"),
    path("targets/export/", views.targets_export, name="targets_export"),
    path("targets/split/", views.targets_split, name="targets_split"),
    path("targets/set/", views.target_set, name="target_set"),
]
