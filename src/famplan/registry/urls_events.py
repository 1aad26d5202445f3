"""URLs of the registry's entry forms. Included by registry/urls.py without an
app_name of its own, so the names sit in the `registry:` namespace."""

from __future__ import annotations

from django.urls import path

from famplan.registry.views import events, households

urlpatterns = [
    path("people/new/", events.person_create, name="person_create"),
    path("people/<int:pk>/edit/", events.person_edit, name="person_edit"),
    path("people/<int:pk>/death/", events.death_create, name="death_create"),
    path(
        "people/<int:pk>/migration-out/", events.migration_out_create, name="migration_out_create"
    ),
    path("people/<int:pk>/residence/", events.residence_change, name="residence_change"),
    path("people/<int:pk>/move-away/", events.move_away, name="move_away"),
    path("births/new/", events.birth_create, name="birth_create"),
    path("marriages/new/", events.marriage_create, name="marriage_create"),
    path("marriages/<int:pk>/divorce/", events.divorce_create, name="divorce_create"),
    path("migrations/in/new/", events.migration_in_create, name="migration_in_create"),
    path("migrations/<int:pk>/return/", events.migration_return, name="migration_return"),
    path("households/new/", events.household_create, name="household_create"),
    path("households/<int:pk>/split/", events.household_split, name="household_split"),
    path("households/<int:pk>/merge/", events.household_merge, name="household_merge"),
    path(
        "households/<int:pk>/members/add/",
        households.household_member_add,
        name="household_member_add",
    ),
    path(
        "households/<int:pk>/head/", households.household_head_change, name="household_head_change"
    ),
]
