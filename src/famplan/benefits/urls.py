"""Benefit programs: programs and parameters, eligibility, cycles, rosters, payments."""

from __future__ import annotations

from django.urls import path

app_name = "benefits"
urlpatterns: list = []
