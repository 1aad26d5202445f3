from __future__ import annotations

from django.urls import path

from famplan.transfer import views

app_name = "transfer"
urlpatterns = [
    path("", views.home, name="home"),
    path("template/<str:record_type>/", views.template, name="template"),
    path("upload/", views.upload, name="upload"),
]
