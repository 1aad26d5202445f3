"""`famplan demo`: load a demo county to try famplan on. Safe to run again.

Steps: the county's division tree (from the fixture shipped in orgunits/fixtures), one
login per role, then (to come) a synthetic population sized by --scale from --seed.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from famplan.demo.users import DemoLogin, demo_users_load
from famplan.orgunits.models import Level, OrgUnit
from famplan.orgunits.services import DivisionImportError, divisions_import

FIXTURES = Path(__file__).resolve().parents[3] / "orgunits" / "fixtures"
DEFAULT_COUNTY = "620422"  # 会宁县, the reference county (design.md section 1)


def divisions_fixture(county: str) -> Path | None:
    """The shipped division table for a county: fixtures/<name>_<code>_divisions.csv."""
    found = sorted(FIXTURES.glob(f"*_{county}_divisions.csv"))
    return found[0] if found else None


def _width(text: str) -> int:
    # Chinese characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def logins_table(logins: list[DemoLogin]) -> str:
    header = ("用户名", "密码", "角色", "单位")
    rows = [header] + [
        (login.username, login.password, login.role_label, f"{login.unit.name} {login.unit.code}")
        for login in logins
    ]
    widths = [max(_width(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


class Command(BaseCommand):
    help = "加载演示数据（区划、各角色演示账号） / load the demo county"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--county",
            default=DEFAULT_COUNTY,
            help=f"县级区划代码 / county code (default {DEFAULT_COUNTY}, 会宁县)",
        )
        # Accepted now so scripts can pass them; the synthetic population that uses
        # them is the next step of this command (see handle()).
        parser.add_argument(
            "--scale", default="small", help="人口规模 / population scale (default small)"
        )
        parser.add_argument("--seed", type=int, default=1, help="随机种子 / random seed")

    def handle(self, *args: Any, **options: Any) -> None:
        county = self._load_divisions(options["county"])
        logins = demo_users_load(county=county)

        # --- synthetic population -------------------------------------------------
        # The population generator plugs in here, after divisions and users exist:
        #   population_generate(county=county, scale=options["scale"], seed=options["seed"])
        # It must be idempotent like the steps above (same seed, same people, no doubles).

        self.stdout.write(self.style.SUCCESS(f"演示数据已就绪：{county.name}（{county.code}）"))
        self.stdout.write("演示账号 / demo logins:")
        self.stdout.write(logins_table(logins))

    def _load_divisions(self, code: str) -> OrgUnit:
        fixture = divisions_fixture(code)
        if fixture is not None:
            try:
                counts = divisions_import(fixture, source_name=fixture.name)
            except DivisionImportError as failure:
                raise CommandError(str(failure)) from None
            self.stdout.write(
                f"区划：新增 {counts.created}，更新 {counts.updated}，未变 {counts.unchanged}"
            )
        county = OrgUnit.objects.filter(code=code, level=Level.COUNTY).first()
        if county is None:
            shipped = ", ".join(p.name for p in sorted(FIXTURES.glob("*_divisions.csv")))
            raise CommandError(
                f"县级区划 {code} 不存在：请先用 famplan import-divisions 导入该县的区划表"
                f"（随附的区划表：{shipped or '无'}）"
            )
        return county
