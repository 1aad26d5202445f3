"""Work plans and campaigns: the plans, their phases, tasks and dispatch dates, the units'
progress reports and the bulletins (page, PDF, .xlsx)."""

from __future__ import annotations

from django.urls import path

from famplan.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/phases/new/", views.phase_create, name="phase_create"),
    path("<int:pk>/tasks/new/", views.task_create, name="task_create"),
    path("tasks/<int:pk>/targets/", views.task_targets, name="task_targets"),
    path("<int:pk>/dispatches/new/", views.dispatch_create, name="dispatch_create"),
    path("<int:pk>/publish/", views.campaign_publish, name="publish"),
    path("<int:pk>/report/", views.progress_report, name="report"),
    path("dispatches/<int:pk>/publish/", views.bulletin_publish, name="bulletin_publish"),
    path("bulletins/<int:pk>/", views.bulletin_detail, name="bulletin"),
    path("bulletins/<int:pk>/pdf/", views.bulletin_pdf, name="bulletin_pdf"),
    path("bulletins/<int:pk>/xlsx/", views.bulletin_xlsx, name="bulletin_xlsx"),
]
