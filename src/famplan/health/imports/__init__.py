"""The health app's import record types, one module each. Importing this package (from
HealthConfig.ready) registers them with the import framework through @import_type."""

from famplan.health.imports import checks, folic

__all__ = ["checks", "folic"]
