from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "famplan.accounts"
    label = "accounts"
    verbose_name = "用户与权限"

    def ready(self) -> None:
        # Connects the login/logout audit receivers.
        from famplan.accounts import signals  # noqa: F401
