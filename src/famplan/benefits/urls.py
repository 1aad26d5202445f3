"""Benefit programs: programs and parameters, eligibility, cycles, rosters, payments."""

from __future__ import annotations

app_name = "benefits"
urlpatterns: list = []
