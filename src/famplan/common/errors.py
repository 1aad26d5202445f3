"""Domain errors: a refusal the user should read, with its message in Chinese."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the operation. `message` is shown to the user as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
