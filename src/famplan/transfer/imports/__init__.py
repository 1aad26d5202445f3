"""The import framework: declarative columns, whole-file validation, one transaction."""

from famplan.transfer.imports.columns import CellInvalid, Column
from famplan.transfer.imports.framework import (
    CellError,
    ImportContext,
    ImportFailed,
    ImportResult,
    RecordType,
    Row,
    import_table,
)
from famplan.transfer.imports.reading import SUPPORTED_EXTENSIONS

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "CellError",
    "CellInvalid",
    "Column",
    "ImportContext",
    "ImportFailed",
    "ImportResult",
    "RecordType",
    "Row",
    "import_table",
]
