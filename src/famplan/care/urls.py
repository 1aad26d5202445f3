"""Special families and responsibility (包村包户): the register, candidates, contacts,
visits, help, the worklist, the assignments without a visit and the coverage."""

from __future__ import annotations

from django.urls import path

from famplan.care import views

app_name = "care"
urlpatterns = [
    path("", views.family_list, name="family_list"),
    path("export/", views.family_export, name="family_export"),
    path("families/new/", views.family_create, name="family_create"),
    path("families/<int:pk>/", views.family_detail, name="family_detail"),
    path("families/<int:pk>/edit/", views.family_edit, name="family_edit"),
    path("families/<int:pk>/close/", views.family_close, name="family_close"),
    path("families/<int:pk>/help/", views.help_create, name="help_create"),
    path("candidates/", views.candidate_list, name="candidate_list"),
    path("candidates/<int:child>/confirm/", views.candidate_confirm, name="candidate_confirm"),
    path("candidates/<int:child>/dismiss/", views.candidate_dismiss, name="candidate_dismiss"),
    path("assignments/", views.assignment_list, name="assignment_list"),
    path("assignments/export/", views.assignment_export, name="assignment_export"),
    path("assignments/new/", views.assignment_create, name="assignment_create"),
    path("assignments/<int:pk>/end/", views.assignment_end, name="assignment_end"),
    path("assignments/unvisited/", views.unvisited, name="unvisited"),
    path("assignments/unvisited/export/", views.unvisited_export, name="unvisited_export"),
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/export/", views.visit_export, name="visit_export"),
    path("visits/new/", views.visit_create, name="visit_create"),
    path("worklist/", views.worklist, name="worklist"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/export/", views.coverage_export, name="coverage_export"),
]
