"""System checks for what the division tree's code ranges need of the database."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, Tags, register
from django.db import connections

BYTEWISE_COLLATIONS = {"C", "POSIX", "C.UTF-8", "C.utf8", "ucs_basic"}


def collation_errors(vendor: str, collation: str | None) -> list[Error]:
    if vendor != "postgresql" or collation is None or collation in BYTEWISE_COLLATIONS:
        return []
    return [
        Error(
            f"The PostgreSQL database sorts text by {collation!r}; famplan's jurisdiction "
            "filters are code ranges that need a bytewise collation.",
            hint="Create the database with --lc-collate=C.UTF-8 (see docs/decisions.md).",
            id="famplan.E001",
        )
    ]


@register(Tags.database)
def check_code_collation(databases: Any = None, **kwargs: Any) -> list[Error]:
    # Database checks run with `migrate` and `check --database`: a database that would
    # make every jurisdiction filter silently empty stops the install there.
    errors: list[Error] = []
    for alias in databases or []:
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        with connection.cursor() as cursor:
            cursor.execute("SELECT datcollate FROM pg_database WHERE datname = current_database()")
            errors += collation_errors(connection.vendor, cursor.fetchone()[0])
    return errors
