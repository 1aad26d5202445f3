"""`famplan import-divisions FILE`: load an NBS division table (行政区划代码表)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from famplan.orgunits.services import DivisionImportError, divisions_import


class Command(BaseCommand):
    help = "导入行政区划 CSV（code,name,level,parent_code） / import a division table"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV 文件路径 / path to the CSV file")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在 / no such file: {path}")
        try:
            counts = divisions_import(path, source_name=path.name)
        except DivisionImportError as failure:
            lines = len({e.line for e in failure.errors})
            for error in failure.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{lines} 行有错误，未导入任何数据 / {lines} bad lines, nothing imported"
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"导入完成：新增 {counts.created}，更新 {counts.updated}，"
                f"未变 {counts.unchanged}，共 {counts.total} 条 / "
                f"imported: {counts.created} created, {counts.updated} updated, "
                f"{counts.unchanged} unchanged, {counts.total} total"
            )
        )
