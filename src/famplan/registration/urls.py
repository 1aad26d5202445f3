"""Birth registration: staff pages, and the public citizen pages under public/."""

from __future__ import annotations

from django.urls import path

from famplan.registration import bundle_views, public, views

app_name = "registration"
urlpatterns = [
    path("", views.registration_list, name="list"),
    path("export/", views.registration_export, name="export"),
    path("new/", views.registration_create, name="create"),
    path("link-births/", views.registration_link_births, name="link_births"),
    path("<int:pk>/", views.registration_detail, name="detail"),
    path("<int:pk>/register/", views.registration_register, name="register"),
    path("<int:pk>/return/", views.registration_return, name="return"),
    path("<int:pk>/link-birth/", views.registration_link_birth, name="link_birth"),
    path("<int:pk>/card.pdf", views.registration_card, name="card"),
    path("births/", bundle_views.bundle_list, name="bundle_list"),
    path("births/export/", bundle_views.bundle_export, name="bundle_export"),
    path("births/<int:pk>/", bundle_views.bundle_detail, name="bundle_detail"),
    path("public/apply/", public.public_apply, name="public_apply"),
    path("public/status/", public.public_status, name="public_status"),
]
