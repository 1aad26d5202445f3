"""Registry pages: people, households, the monthly entry page."""

from __future__ import annotations

from django.urls import include, path

from famplan.registry.views import households, month, people

app_name = "registry"
urlpatterns = [
    path("people/", people.person_list, name="person_list"),
    path("people/export/", people.person_export, name="person_export"),
    path("people/<int:pk>/", people.person_detail, name="person_detail"),
    path("households/", households.household_list, name="household_list"),
    path("households/<int:pk>/", households.household_detail, name="household_detail"),
    path("month/", month.this_month, name="this_month"),
    path("", include("famplan.registry.urls_events")),
]
