"""Target-responsibility assessment: schemes, items, sample villages and their
field-check scores, vetoes, results and the bulletin."""

from __future__ import annotations

from django.urls import path

from famplan.assessment import views

app_name = "assessment"
urlpatterns = [
    path("", views.scheme_list, name="scheme_list"),
    path("new/", views.scheme_create, name="scheme_create"),
    path("<int:pk>/", views.scheme_detail, name="scheme_detail"),
    path("<int:pk>/items/new/", views.item_add, name="item_add"),
    path("<int:pk>/items/<int:item_pk>/edit/", views.item_edit, name="item_edit"),
    path("<int:pk>/items/<int:item_pk>/delete/", views.item_delete, name="item_delete"),
    path("<int:pk>/publish/", views.scheme_publish, name="scheme_publish"),
    path("<int:pk>/vetoes/new/", views.veto_create, name="veto_create"),
    path("<int:pk>/samples/<str:village>/", views.sample_scores, name="sample_scores"),
    path("<int:pk>/bulletin/", views.bulletin, name="bulletin"),
    path("<int:pk>/bulletin.pdf", views.bulletin_pdf, name="bulletin_pdf"),
    path("<int:pk>/bulletin.xlsx", views.bulletin_xlsx, name="bulletin_xlsx"),
    path("<int:pk>/townships/<str:code>/", views.township_result, name="township_result"),
]
