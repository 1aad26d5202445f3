"""Registry pages: people, households, event lists, the monthly entry page."""

from __future__ import annotations

from django.urls import include, path

from famplan.registry.views import households, lists, month, people

app_name = "registry"
urlpatterns = [
    path("people/", people.person_list, name="person_list"),
    path("people/export/", people.person_export, name="person_export"),
    path("people/<int:pk>/", people.person_detail, name="person_detail"),
    path("households/", households.household_list, name="household_list"),
    path("households/export/", households.household_export, name="household_export"),
    path("households/<int:pk>/", households.household_detail, name="household_detail"),
    path("births/", lists.birth_list, name="birth_list"),
    path("births/export/", lists.birth_export, name="birth_export"),
    path("deaths/", lists.death_list, name="death_list"),
    path("deaths/export/", lists.death_export, name="death_export"),
    path("marriages/", lists.marriage_list, name="marriage_list"),
    path("marriages/export/", lists.marriage_export, name="marriage_export"),
    path("migrations/", lists.migration_list, name="migration_list"),
    path("migrations/export/", lists.migration_export, name="migration_export"),
    path("month/", month.this_month, name="this_month"),
    path("", include("famplan.registry.urls_events")),
]
