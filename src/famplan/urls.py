"""Root URL configuration: one include per app, each with its own namespace."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from famplan.api.urls import api
from famplan.home import home

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("famplan.accounts.urls")),
    path("units/", include("famplan.orgunits.urls")),
    path("audit/", include("famplan.audit.urls")),
    path("jobs/", include("famplan.jobs.urls")),
    path("registry/", include("famplan.registry.urls")),
    path("transfer/", include("famplan.transfer.urls")),
    path("quality/", include("famplan.quality.urls")),
    path("registration/", include("famplan.registration.urls")),
    path("indicators/", include("famplan.indicators.urls")),
    path("health/", include("famplan.health.urls")),
    path("supplies/", include("famplan.supplies.urls")),
    path("assessment/", include("famplan.assessment.urls")),
    path("benefits/", include("famplan.benefits.urls")),
    path("deliveries/", include("famplan.deliveries.urls")),
    path("care/", include("famplan.care.urls")),
    path("campaigns/", include("famplan.campaigns.urls")),
    path("api/", api.urls),
    # For the first setup by a superuser (units, the first county admin); audit is read-only.
    path("admin/", admin.site.urls),
]
