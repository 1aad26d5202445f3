"""`famplan demo`: load a demo county to try famplan on. Safe to run again.

Steps: the county's division tree (from the fixture shipped in orgunits/fixtures), one
login per role, then a synthetic population sized by --scale from --seed (demo/generator.py),
skipped when the county already has people unless --replace.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from famplan.common import dates
from famplan.common.errors import DomainError
from famplan.deliveries.demo import demo_facility_load
from famplan.demo.assessment import assessment_generate
from famplan.demo.campaigns import campaigns_generate
from famplan.demo.generator import DEFAULT_SCALE, parse_scale, population_generate
from famplan.demo.supplies import supplies_generate
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
    header = ("用户名", "密码", "角色", "单位", "动态口令密钥")
    rows = [header] + [
        (
            login.username,
            login.password,
            login.role_label,
            f"{login.unit.name} {login.unit.code}",
            login.totp_secret or "-",
        )
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
        parser.add_argument(
            "--scale",
            default=DEFAULT_SCALE,
            help="人口规模 / population scale: small (0.02), medium (0.2), full (1.0 = 约56万人)"
            f" or a number (default {DEFAULT_SCALE})",
        )
        parser.add_argument("--seed", type=int, default=1, help="随机种子 / random seed")
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="人口数据的基准日期 / reference date, YYYY-MM-DD (default today)",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="删除该县已有人口数据后重新生成 / delete the county's registry records first",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        county = self._load_divisions(options["county"])
        logins = demo_users_load(county=county)
        demo_facility_load(county=county)  # the facility user's hospital

        self._load_population(county, options)
        self._load_supplies(county, options)
        self._load_care(county, options)
        self._load_assessment(county, options)
        self._load_campaigns(county, options)

        self.stdout.write(self.style.SUCCESS(f"演示数据已就绪：{county.name}（{county.code}）"))
        self.stdout.write("演示账号 / demo logins:")
        self.stdout.write(logins_table(logins))
        if any(login.totp_secret for login in logins):
            self.stdout.write(
                "有动态口令密钥的账号登录时还需输入 6 位动态口令：把密钥添加到手机身份验证器"
                "（手动输入，基于时间）。"
            )

    def _load_population(self, county: OrgUnit, options: dict[str, Any]) -> None:
        # Same seed and date, same people; a county that has people is left alone.
        today = options["today"] or dates.today()
        try:
            scale = parse_scale(options["scale"])
            result = population_generate(
                county=county,
                scale=scale,
                seed=options["seed"],
                today=today,
                replace=options["replace"],
            )
        except DomainError as refusal:
            raise CommandError(str(refusal)) from None
        if result.skipped:
            self.stdout.write(
                f"人口：{county.name}已有人口数据，跳过生成（用 --replace 删除后重新生成）"
            )
            return
        c = result.counts
        self.stdout.write(
            f"人口：{c['people']} 人，{c['households']} 户，婚姻 {c['marriages']}，"
            f"出生 {c['births']}，死亡 {c['deaths']}，流动 {c['migrations']}"
            f"（规模 {scale}，种子 {result.seed}，基准日期 {today}）"
        )

    def _load_supplies(self, county: OrgUnit, options: dict[str, Any]) -> None:
        result = supplies_generate(
            county=county, seed=options["seed"], today=options["today"] or dates.today()
        )
        if result.skipped:
            self.stdout.write(f"避孕药具：{county.name}已有发放点，跳过生成")
        else:
            self.stdout.write(
                f"避孕药具：发放点 {result.points} 个，出入库记录 {result.movements} 条"
            )

    def _load_care(self, county: OrgUnit, options: dict[str, Any]) -> None:
        from famplan.care.demo import care_generate
        from famplan.demo.users import demo_generator_user

        result = care_generate(
            county=county,
            actor=demo_generator_user(county=county),
            seed=options["seed"],
            today=options["today"] or dates.today(),
        )
        if result.skipped:
            self.stdout.write(f"特殊家庭：{county.name}已有特殊家庭，跳过生成")
        else:
            self.stdout.write(
                f"特殊家庭与包村包户：家庭 {result.families} 户，责任 {result.assignments} 条，"
                f"走访 {result.visits} 次"
            )

    def _load_assessment(self, county: OrgUnit, options: dict[str, Any]) -> None:
        result = assessment_generate(
            county=county, seed=options["seed"], today=options["today"] or dates.today()
        )
        if result.skipped:
            self.stdout.write(f"考核：{county.name}本年度考核方案已存在，跳过生成")
        else:
            self.stdout.write(
                f"考核：本年度方案已发布，抽样村 {result.samples} 个，"
                f"半年核查得分 {result.scores} 项；乡镇对村考核半年核查得分 "
                f"{result.village_scores} 项"
            )

    def _load_campaigns(self, county: OrgUnit, options: dict[str, Any]) -> None:
        result = campaigns_generate(
            county=county, seed=options["seed"], today=options["today"] or dates.today()
        )
        if result.skipped:
            self.stdout.write(f"工作方案：{county.name}已有演示方案，跳过生成")
        else:
            self.stdout.write(
                f"工作方案：春季优质服务月，{result.villages} 个村(居)，"
                f"进度报送 {result.reports} 条，已发布通报 {result.bulletins} 期"
            )

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
