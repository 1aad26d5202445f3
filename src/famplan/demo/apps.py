"""The demo app: loads a demo county (divisions, one login per role) for trying famplan."""

from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "famplan.demo"
    label = "demo"
    verbose_name = "演示数据"
    default_auto_field = "django.db.models.BigAutoField"
