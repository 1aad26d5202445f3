from __future__ import annotations

app_name = "transfer"
urlpatterns: list = []
