"""The audit log in the Django admin: to read, never to add, change or delete."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from famplan.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "ip", "action", "org_unit_id", "target_label", "result")
    list_filter = ("result",)
    search_fields = ("username", "action", "target_label")
    date_hierarchy = "at"
    ordering = ("-at", "-id")
    show_full_result_count = False  # no COUNT(*) over the whole log on every page
    actions = None

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
