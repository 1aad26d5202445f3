"""The care app's import record types. Importing this package (from CareConfig.ready)
registers them with the import framework through @import_type."""

from famplan.care.imports import families, visits

__all__ = ["families", "visits"]
