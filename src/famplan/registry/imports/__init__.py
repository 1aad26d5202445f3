"""The registry's import record types, one module each. Importing this package (from
RegistryConfig.ready) registers them with the import framework through @import_type."""

from famplan.registry.imports import births, deaths, marriages, migrations, persons

__all__ = ["births", "deaths", "marriages", "migrations", "persons"]
