"""Showing a service's refusal on the form that asked for the write."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms


def show_refusal(form: forms.Form, exc: Any, aliases: Mapping[str, str] | None = None) -> None:
    """A refusal (DomainError; a FieldError names a field) on the field it names, under
    the form's own name for it (`aliases`: the service's field name -> the form's), or
    above the form where the form has no such field."""
    field = getattr(exc, "field", None)
    if aliases and field in aliases:
        field = aliases[field]
    form.add_error(field if field in form.fields else None, exc.message)
