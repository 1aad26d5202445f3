from __future__ import annotations

app_name = "orgunits"
urlpatterns: list = []
