"""The registry services' refusals, for forms, imports and the API to show."""

from __future__ import annotations

from famplan.common.errors import DomainError


class FieldError(DomainError):
    """A refusal tied to one field, so forms and imports can point at it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class ConflictError(DomainError):
    """Someone else saved the record since this edit began."""
