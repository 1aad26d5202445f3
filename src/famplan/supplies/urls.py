"""Supplies pages."""

from __future__ import annotations

app_name = "supplies"
urlpatterns: list = []
