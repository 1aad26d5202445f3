"""The supplies import record types. Importing this package (from SuppliesConfig.ready)
registers them with the import framework through @import_type."""

from famplan.supplies.imports import issues

__all__ = ["issues"]
