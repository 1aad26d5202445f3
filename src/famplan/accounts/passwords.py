"""Password strength: length alone is not enough for 等保; ask for mixed characters."""

from __future__ import annotations

import re

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError


class CharacterClassValidator:
    """At least three of: lower case, upper case, digits, other characters."""

    CLASSES = (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]")

    def validate(self, password: str, user: object | None = None) -> None:
        present = sum(1 for pattern in self.CLASSES if re.search(pattern, password))
        if present < 3:
            raise ValidationError(
                "密码须包含小写字母、大写字母、数字、符号中的至少三类。",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return "密码须包含小写字母、大写字母、数字、符号中的至少三类。"


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with its message in Chinese: Django 5.2 changed the message
    id and its zh_Hans catalog has no translation for the new one, so users saw English."""

    def get_error_message(self) -> str:
        return f"密码长度太短，至少需要 {self.min_length} 个字符。"
