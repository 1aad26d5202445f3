"""`famplan refresh_indicators [--all | --year Y]`: recompute the indicator values, for a
nightly timer (cron, systemd) beside the on-demand button of the report page."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from famplan.common import dates
from famplan.common.errors import DomainError
from famplan.indicators.services import rebuild_years, values_refresh


class Command(BaseCommand):
    help = "重新计算统计指标（默认本年；--all 为近十年全部重算）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="近十年及本年全部重算")
        parser.add_argument("--year", type=int, help="只计算这一年")

    def handle(self, *args: object, **options: object) -> None:
        if options["all"]:
            first, last = rebuild_years()
        else:
            first = last = options["year"] or dates.today().year
        try:
            run = values_refresh(actor=None, first_year=first, last_year=last)
        except DomainError as exc:
            self.stderr.write(exc.message)
            raise SystemExit(1) from None
        self.stdout.write(
            f"计算完成：{first}—{last}年，共 {run.rows:,} 个数值，用时 {run.seconds:.1f} 秒"
        )
