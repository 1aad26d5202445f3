"""The Django admin for users: for the first setup by a superuser. Day-to-day user
management is the 用户管理 page, which keeps to the manager's jurisdiction."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from famplan.accounts.models import User
from famplan.audit.services import audit_log

AUDITED_FIELDS = (
    "username",
    "full_name",
    "phone",
    "org_unit",
    "role",
    "is_active",
    "is_staff",
    "is_superuser",
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("计生平台", {"fields": ("full_name", "phone", "org_unit", "role")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("计生平台", {"fields": ("full_name", "phone", "org_unit", "role")}),
    )
    list_display = ("username", "full_name", "org_unit", "role", "is_active", "last_login")
    list_filter = ("role", "is_active", "is_superuser")
    search_fields = ("username", "full_name", "phone")
    list_select_related = ("org_unit",)
    raw_id_fields = ("org_unit",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # audit rows reference users; deactivate instead

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        # The admin wraps this in the request's transaction, so the audit row commits
        # or rolls back with the change. Passwords are never in the detail.
        super().save_model(request, obj, form, change)
        changed = [name for name in form.changed_data if name in AUDITED_FIELDS]
        if change and "password" in form.changed_data:
            changed.append("password")
        audit_log(
            actor=request.user,
            action="accounts.user.updated" if change else "accounts.user.created",
            target=obj,
            org_unit_id=obj.org_unit_id,
            detail={"via": "admin", "changed_fields": changed},
        )
