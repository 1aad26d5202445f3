"""Delivery pages: the facility's entry and list, the county admin's facilities and tokens."""

from __future__ import annotations

from django.urls import path

from famplan.deliveries import area_views, views

app_name = "deliveries"
urlpatterns = [
    path("", views.delivery_list, name="list"),
    path("export/", views.delivery_export, name="export"),
    path("new/", views.delivery_create, name="create"),
    path("area/", area_views.area_list, name="area_list"),
    path("area/export/", area_views.area_export, name="area_export"),
    path("facilities/", views.facility_list, name="facility_list"),
    path("facilities/<int:pk>/", views.facility_detail, name="facility_detail"),
    path("facilities/<int:pk>/tokens/", views.token_create, name="token_create"),
    path("facilities/<int:pk>/members/", views.member_add, name="member_add"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
