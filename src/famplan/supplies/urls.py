"""Contraceptive supplies: points, stock, entry forms, the monthly report, kinds and
voluntary service requests."""

from __future__ import annotations

from django.urls import path

from famplan.supplies import views

app_name = "supplies"
urlpatterns = [
    path("", views.point_list, name="point_list"),
    path("export/", views.point_export, name="point_export"),
    path("points/new/", views.point_create, name="point_create"),
    path("points/<int:pk>/", views.point_detail, name="point_detail"),
    path("points/<int:pk>/edit/", views.point_edit, name="point_edit"),
    path("deliveries/new/", views.delivery_create, name="delivery_create"),
    path("issues/new/", views.issue_create, name="issue_create"),
    path("movements/<int:pk>/void/", views.movement_void, name="movement_void"),
    path("report/", views.report, name="report"),
    path("report/export/", views.report_export, name="report_export"),
    path("kinds/", views.kind_list, name="kind_list"),
    path("kinds/<int:pk>/", views.kind_edit, name="kind_edit"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/export/", views.request_export, name="request_export"),
    path("requests/new/", views.request_create, name="request_create"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
]
