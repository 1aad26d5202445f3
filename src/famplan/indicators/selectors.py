"""Reads of indicator values and targets, always cut to the user's jurisdiction.

Reports read the values table only: one query for every unit and measure of a period,
whatever the number of units, and the indicators are computed from those counts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from famplan.indicators.indicators import INDICATORS, Indicator
from famplan.indicators.measures import MEASURES
from famplan.indicators.models import Direction, MeasureValue, Target, ValuesRun
from famplan.indicators.periods import Period, year_period
from famplan.indicators.stats import VERDICT_LABELS, Estimate, judge
from famplan.orgunits.jurisdiction import scope
from famplan.orgunits.models import OrgUnit
from famplan.orgunits.selectors import children_for_user


def values_for_user(user: Any) -> QuerySet[MeasureValue]:
    return scope(MeasureValue.objects.all(), user, "unit")


def targets_for_user(user: Any) -> QuerySet[Target]:
    return scope(Target.objects.all(), user, "unit")


@dataclass(frozen=True)
class EffectiveTarget:
    direction: str
    low: float | None
    high: float | None
    source: str  # where it comes from, in Chinese

    @property
    def text(self) -> str:
        if self.direction == Direction.AT_MOST:
            return f"≤{self.high:g}"
        if self.direction == Direction.AT_LEAST:
            return f"≥{self.low:g}"
        return f"{self.low:g}–{self.high:g}"


def effective_targets(
    codes: Iterable[str], year: int
) -> dict[str, dict[str, EffectiveTarget | None]]:
    """Each unit's target per indicator for the year: its own, else the nearest unit
    above it that has one, else the plan's default. One query."""
    codes = list(codes)
    wanted = {
        c for code in codes for c in [code, *(code[:n] for n in (2, 4, 6, 9) if n < len(code))]
    }
    rows = Target.objects.filter(year=year, unit_id__in=wanted)
    by_unit: dict[str, dict[str, Target]] = defaultdict(dict)
    for t in rows:
        by_unit[t.unit_id][t.indicator] = t
    defaults = {code: _default(spec) for code, spec in INDICATORS.items()}
    result: dict[str, dict[str, EffectiveTarget | None]] = {}
    for code in codes:
        found = dict(defaults)
        # From the top down, so the nearest unit's target is the one that stays.
        for unit_code in [*(code[:n] for n in (2, 4, 6, 9) if n < len(code)), code]:
            for indicator, t in by_unit.get(unit_code, {}).items():
                if indicator in found:
                    own = unit_code == code and not t.copied_from
                    found[indicator] = EffectiveTarget(
                        t.direction, t.low, t.high, "本单位设定" if own else "上级下达"
                    )
        result[code] = found
    return result


def _default(spec: Indicator) -> EffectiveTarget | None:
    d = spec.default_target
    return EffectiveTarget(d.direction, d.low, d.high, f"默认（{d.source}）") if d else None


def latest_run(year: int) -> ValuesRun | None:
    """The newest finished refresh that computed the year."""
    return (
        ValuesRun.objects.filter(
            finished_at__isnull=False, first_year__lte=year, last_year__gte=year
        )
        .order_by("-finished_at")
        .first()
    )


@dataclass
class Cell:
    indicator: Indicator
    estimate: Estimate
    target: EffectiveTarget | None
    verdict: str

    @property
    def verdict_label(self) -> str:
        return VERDICT_LABELS[self.verdict]

    def _fmt(self, number: float | None) -> str:
        if number is None:
            return "—"
        if number in (float("inf"), float("-inf")):
            return "∞"
        return f"{number:.{self.indicator.decimals}f}"

    @property
    def value_text(self) -> str:
        return self._fmt(self.estimate.value)

    @property
    def interval_text(self) -> str:
        if not self.estimate.known:
            return ""
        return f"{self._fmt(self.estimate.low)}–{self._fmt(self.estimate.high)}"


@dataclass
class UnitRow:
    unit: OrgUnit
    values: dict[str, int] = field(default_factory=dict)
    cells: list[Cell] = field(default_factory=list)

    @property
    def is_village(self) -> bool:
        return len(self.unit.code) == 12

    def value(self, measure: str) -> int:
        return self.values.get(measure, 0)

    @property
    def population_mean(self) -> float:
        return (self.value("population_start") + self.value("population_end")) / 2

    measures: list[str] = field(default_factory=list)  # the counts its table shows

    @property
    def counts(self) -> list[int]:
        return [self.value(code) for code in self.measures]


# The counts shown beside the indicators (and exported), in order.
REPORT_MEASURES = [
    "population_start",
    "population_end",
    "births",
    "births_male",
    "births_female",
    "births_order_1",
    "births_order_2",
    "births_order_3plus",
    "births_hospital",
    "deaths",
    "marriages",
    "migrants_in",
    "migrants_out",
]


@dataclass(frozen=True)
class ReportTable:
    """One of the standard tables: a theme's counts and indicators, by unit."""

    code: str
    title: str
    measures: list[str]
    indicators: list[str]  # codes of INDICATORS; empty: every indicator

    @property
    def specs(self) -> list[Indicator]:
        if not self.indicators:
            return list(INDICATORS.values())
        return [INDICATORS[code] for code in self.indicators]


# The standard tables, as a county's statistical forms group them; the first is the
# overview with every indicator.
REPORT_TABLES = [
    ReportTable("all", "人口计生统计指标", REPORT_MEASURES, []),
    ReportTable(
        "population",
        "人口变动情况",
        [
            "population_start",
            "population_end",
            "births",
            "deaths",
            "migrants_in",
            "migrants_out",
            "migrants_away",
            "migrants_away_contact",
        ],
        ["birth_rate", "death_rate", "natural_growth_rate", "migrant_contact_rate"],
    ),
    ReportTable(
        "births",
        "出生人口性别与孩次",
        [
            "births",
            "births_male",
            "births_female",
            "births_order_1",
            "births_order_2",
            "births_order_3plus",
            "births_hospital",
            "delivery_records",
        ],
        [
            "sex_ratio_at_birth",
            "third_plus_share",
            "hospital_delivery_rate",
            "delivery_record_rate",
        ],
    ),
    ReportTable(
        "services",
        "计生服务覆盖情况",
        [
            "birth_registrations",
            "health_target_couples",
            "health_checks",
            "health_checks_high_risk",
            "health_followups_due",
            "health_followups_done",
            "folic_issued",
            "folic_followups",
            "folic_aware",
            "folic_taking",
            "folic_compliant",
            "supply_points_active",
            "supply_points_with_stock",
        ],
        [
            "prepregnancy_check_coverage",
            "prepregnancy_high_risk_share",
            "followup_on_time_rate",
            "folic_awareness_rate",
            "folic_uptake_rate",
            "folic_compliance_rate",
            "supply_availability_rate",
        ],
    ),
    ReportTable(
        "benefits",
        "奖励扶助兑现情况",
        ["benefit_people", "benefit_due", "benefit_paid"],
        ["benefit_payment_rate"],
    ),
    ReportTable(
        "care",
        "特殊家庭走访情况",
        ["special_families", "special_family_months", "special_families_visited"],
        ["special_family_visit_rate"],
    ),
]
TABLES_BY_CODE = {t.code: t for t in REPORT_TABLES}


def measure_labels(table: ReportTable = REPORT_TABLES[0]) -> list[str]:
    return [MEASURES[code].label for code in table.measures]


@dataclass
class Report:
    unit: OrgUnit
    period: Period
    total: UnitRow
    rows: list[UnitRow]
    run: ValuesRun | None
    indicators: list[Indicator]
    table: ReportTable = REPORT_TABLES[0]


def indicator_rows(
    units: list[OrgUnit],
    period: Period,
    values: QuerySet[MeasureValue],
    table: ReportTable = REPORT_TABLES[0],
) -> list[UnitRow]:
    """The table's indicators of every unit for one period, from one query of the values
    table and one of the targets."""
    specs = table.specs
    rows = {u.code: UnitRow(unit=u, measures=table.measures) for u in units}
    for unit_id, measure, value in values.filter(
        period_type=period.type, period_start=period.start, unit_id__in=list(rows)
    ).values_list("unit_id", "measure", "value"):
        rows[unit_id].values[measure] = value
    targets = effective_targets(rows, period.start.year)
    for code, row in rows.items():
        for indicator in specs:
            estimate = indicator.estimate(row.values)
            target = targets[code][indicator.code]
            verdict = (
                judge(estimate, target.direction, target.low, target.high)
                if target
                else judge(estimate, None, None, None)
            )
            row.cells.append(Cell(indicator, estimate, target, verdict))
    return list(rows.values())


def report_for_user(
    user: Any, unit: OrgUnit, year: int, table: ReportTable = REPORT_TABLES[0]
) -> Report:
    """The unit and its children (a village: itself alone) with the table's counts and
    indicators for the year. Three queries (children, values, targets) and the run."""
    period = year_period(year)
    children = [] if len(unit.code) == 12 else list(children_for_user(user, unit))
    rows = indicator_rows([unit, *children], period, values_for_user(user), table)
    return Report(
        unit=unit,
        period=period,
        total=rows[0],
        rows=rows[1:] if children else rows,
        run=latest_run(year),
        indicators=table.specs,
        table=table,
    )


def unit_figures(user: Any, periods: list[Period]) -> dict[Period, dict[str, int]]:
    """The user's own unit's counts for a few periods (the home page): one query."""
    condition = Q()
    for p in periods:
        condition |= Q(period_type=p.type, period_start=p.start)
    found: dict[Period, dict[str, int]] = {p: {} for p in periods}
    index = {(p.type, p.start): p for p in periods}
    for period_type, start, measure, value in (
        values_for_user(user)
        .filter(condition, unit_id=user.org_unit_id)
        .values_list("period_type", "period_start", "measure", "value")
    ):
        found[index[period_type, start]][measure] = value
    return found


@dataclass
class HomeFigures:
    """The user's own unit's figures for this month and this year (the home page)."""

    month: Period
    year: Period
    rows: list[tuple[str, str, str]]  # label, this month, this year
    run: ValuesRun | None


HOME_MEASURES = [
    ("期末人口", "population_end"),
    ("出生", "births"),
    ("死亡", "deaths"),
    ("流入", "migrants_in"),
    ("流出", "migrants_out"),
    ("结婚", "marriages"),
]
# The services due in the unit (health follow-ups by their due month, and those done).
HOME_MEASURES += [
    ("应随访(按截止月)", "health_followups_due"),
    ("已随访", "health_followups_done"),
]


def home_figures(user: Any, today: Any) -> HomeFigures:
    """Read from the values table: one query for both periods, one for the run."""
    from famplan.indicators.periods import month_period

    month, year = month_period(today), year_period(today.year)
    found = unit_figures(user, [month, year])
    rows = [
        (label, f"{found[month].get(code, 0):,}", f"{found[year].get(code, 0):,}")
        for label, code in HOME_MEASURES
    ]
    for code in ("data_quality_rate", "timeliness_rate"):
        spec = INDICATORS[code]
        texts = []
        for period in (month, year):
            estimate = spec.estimate(found[period])
            texts.append(f"{estimate.value:.1f}%" if estimate.known else "—")
        rows.append((spec.label, *texts))
    return HomeFigures(month=month, year=year, rows=rows, run=latest_run(today.year))


def trend_for_user(user: Any, unit: OrgUnit, years: list[int]) -> dict[str, list]:
    """Yearly indicator values of one unit (the dashboard's trend lines): one query."""
    from famplan.indicators.periods import PeriodType

    by_year: dict[int, dict[str, int]] = {y: {} for y in years}
    rows = values_for_user(user).filter(
        unit_id=unit.code,
        period_type=PeriodType.YEAR,
        period_start__in=[year_period(y).start for y in years],
    )
    for start, measure, value in rows.values_list("period_start", "measure", "value"):
        by_year[start.year][measure] = value
    series: dict[str, list] = {"years": years}
    for code in ("birth_rate", "death_rate", "natural_growth_rate", "sex_ratio_at_birth"):
        spec = INDICATORS[code]
        series[code] = [_round(spec.estimate(by_year[y]).value) for y in years]
    return series


def _round(value: float | None) -> float | None:
    if value is None or value in (float("inf"), float("-inf")):
        return None
    return round(value, 2)


# The funnel's limits are drawn up to this ratio: beyond it they only flatten the chart.
FUNNEL_CEILING = 300.0


def _clip(ratio: float) -> float | None:
    return _round(ratio) if ratio <= FUNNEL_CEILING else None


def sex_ratio_funnel_for_user(user: Any, unit: OrgUnit, year: int) -> dict[str, Any]:
    """Sex ratio at birth of every village under the unit against its number of births,
    with the funnel's control limits around the unit's own ratio (95% and 99.8%, normal
    approximation of the binomial share of boys, as a ratio) and the target line."""
    import math

    from famplan.indicators.periods import PeriodType
    from famplan.indicators.stats import Z95, ratio_from_share

    period = year_period(year)
    villages = {
        u.code: u.name
        for u in scope(OrgUnit.objects.filter(level="village"), user, "code").filter(
            code__startswith=unit.code
        )
    }
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for unit_id, measure, value in (
        values_for_user(user)
        .filter(
            period_type=PeriodType.YEAR,
            period_start=period.start,
            measure__in=["births_male", "births_female"],
            unit_id__in=[unit.code, *villages],
        )
        .values_list("unit_id", "measure", "value")
    ):
        counts[unit_id][measure] = value
    total = counts.get(unit.code, {})
    boys, girls = total.get("births_male", 0), total.get("births_female", 0)
    points = []
    for code, name in villages.items():
        b, g = counts[code].get("births_male", 0), counts[code].get("births_female", 0)
        if b + g and g:
            points.append(
                {"code": code, "name": name, "births": b + g, "ratio": round(100 * b / g, 1)}
            )
    limits: dict[str, list] = {"n": [], "low95": [], "high95": [], "low998": [], "high998": []}
    if boys + girls:
        p0 = boys / (boys + girls)
        largest = max([p["births"] for p in points] + [20])
        for n in range(10, largest + 1, max(1, largest // 60)):
            spread = math.sqrt(p0 * (1 - p0) / n)
            limits["n"].append(n)
            for key, z in (("95", Z95), ("998", 3.090232306167813)):
                limits[f"low{key}"].append(_clip(ratio_from_share(max(0.0, p0 - z * spread))))
                limits[f"high{key}"].append(_clip(ratio_from_share(min(0.999, p0 + z * spread))))
    target = effective_targets([unit.code], year)[unit.code]["sex_ratio_at_birth"]
    return {
        "unit": unit.name,
        "year": year,
        "centre": round(100 * boys / girls, 1) if girls else None,
        "target": target.high if target and target.high is not None else None,
        "points": points,
        "limits": limits,
    }


@dataclass
class ElementRow:
    unit: OrgUnit
    values: dict[str, int]


def elements_for_user(user: Any, unit: OrgUnit, month: Any) -> list[ElementRow]:
    """The manual figures of one month: of the village itself, or of every village under
    the unit that the user may see (one query for the villages, one for the values)."""
    from famplan.indicators.elements import ELEMENTS
    from famplan.indicators.periods import PeriodType
    from famplan.orgunits.models import Level

    if unit.level == Level.VILLAGE:
        villages = [unit]
    else:
        villages = list(
            scope(OrgUnit.objects.filter(level=Level.VILLAGE), user, "code")
            .filter(code__startswith=unit.code)
            .order_by("code")
        )
    rows = {u.code: ElementRow(unit=u, values={}) for u in villages}
    found = values_for_user(user).filter(
        period_type=PeriodType.MONTH,
        period_start=month,
        measure__in=list(ELEMENTS),
        unit_id__in=list(rows),
    )
    for unit_id, measure, value in found.values_list("unit_id", "measure", "value"):
        if unit_id in rows:
            rows[unit_id].values[measure] = value
    return list(rows.values())
