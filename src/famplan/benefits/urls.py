"""Benefit programs: programs and parameters, eligibility, cycles, rosters, payments."""

from __future__ import annotations

from django.urls import path

from famplan.benefits import public, views

app_name = "benefits"
urlpatterns = [
    path("", views.home, name="home"),
    path("programs/new/", views.program_create, name="program_create"),
    path("programs/<int:pk>/", views.program_detail, name="program"),
    path("programs/<int:pk>/info/", views.program_update, name="program_update"),
    path("programs/<int:pk>/eligibility/", views.explain, name="explain"),
    path("applications/new/", views.application_create, name="application_create"),
    path("people/<int:pk>/account/", views.account, name="account"),
    path("applications/<int:pk>/account-kept/", views.account_kept, name="account_kept"),
    path("layouts/", views.layouts, name="layouts"),
    path("cycles/new/", views.cycle_open, name="cycle_open"),
    path("cycles/<int:pk>/", views.cycle_detail, name="cycle"),
    path("cycles/<int:pk>/candidates/", views.cycle_candidates, name="cycle_candidates"),
    path("cycles/<int:pk>/approve/", views.cycle_approve, name="cycle_approve"),
    path("cycles/<int:pk>/freeze/", views.cycle_freeze, name="cycle_freeze"),
    path("cycles/<int:pk>/notice/", views.notice_publish, name="notice_publish"),
    path("cycles/<int:pk>/notice.pdf", views.notice_print, name="notice_pdf"),
    path("cycles/<int:pk>/roster/", views.roster, name="roster"),
    path("cycles/<int:pk>/roster/export/", views.roster_export, name="roster_export"),
    path("cycles/<int:pk>/entrant/", views.entrant_add, name="entrant"),
    path("cycles/<int:pk>/payment-file/", views.payment_file, name="payment_file"),
    path("cycles/<int:pk>/confirmations/", views.confirmations, name="confirmations"),
    path("cycles/<int:pk>/report/", views.report, name="report"),
    path("cycles/<int:pk>/report/export/", views.report_export, name="report_export"),
    path("entries/<int:pk>/", views.entry_detail, name="entry"),
    path("entries/<int:pk>/village/", views.entry_village, name="entry_village"),
    path("entries/<int:pk>/township/", views.entry_township, name="entry_township"),
    path("entries/<int:pk>/duplicate/", views.entry_duplicate, name="entry_duplicate"),
    path("entries/<int:pk>/objection/", views.entry_objection, name="entry_objection"),
    path("objections/<int:pk>/resolve/", views.objection_resolve, name="objection_resolve"),
    path("roster/<int:pk>/exit/", views.roster_exit, name="roster_exit"),
    path("public/apply/", public.public_apply, name="public_apply"),
    path("public/status/", public.public_status, name="public_status"),
]
