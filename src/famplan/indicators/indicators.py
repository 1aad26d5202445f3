"""The indicators: numerator / denominator x factor over the stored measures, with their
95% intervals (stats.py) and the Huining 2017 plan's targets as defaults.

The mean population of a period is (start + end) / 2, the statistical convention for
年平均人口; rates are for the period as it is (a month's birth rate is not annualised).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from famplan.indicators.stats import (
    NO_DATA,
    Estimate,
    newcombe_difference,
    ratio_from_share,
    wilson,
)

Values = Mapping[str, int]


def mean_population(values: Values) -> float:
    return (values.get("population_start", 0) + values.get("population_end", 0)) / 2


@dataclass(frozen=True)
class DefaultTarget:
    direction: str  # le, ge, between
    low: float | None = None
    high: float | None = None
    source: str = ""


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    unit_label: str  # ‰, %, or "" for the sex ratio (boys per 100 girls)
    formula: str  # shown under the table, in Chinese
    estimate: Callable[[Values], Estimate]
    # The range a target may take (a target outside it is refused).
    bounds: tuple[float, float]
    default_target: DefaultTarget | None = None
    decimals: int = 1


def _proportion(numerator: str, denominator: str, factor: float) -> Callable[[Values], Estimate]:
    def estimate(values: Values) -> Estimate:
        x, n = values.get(numerator, 0), values.get(denominator, 0)
        if n <= 0:
            return NO_DATA
        x = min(x, n)  # a share over 100% is a data error; never beyond the interval's domain
        low, high = wilson(x, n)
        return Estimate(factor * x / n, factor * low, factor * high, x, n)

    return estimate


def _rate(numerator: str) -> Callable[[Values], Estimate]:
    def estimate(values: Values) -> Estimate:
        x, n = values.get(numerator, 0), mean_population(values)
        if n <= 0:
            return NO_DATA
        low, high = wilson(min(x, n), n)
        return Estimate(1000 * x / n, 1000 * low, 1000 * high, x, n)

    return estimate


def _natural_growth(values: Values) -> Estimate:
    births, deaths, n = values.get("births", 0), values.get("deaths", 0), mean_population(values)
    if n <= 0:
        return NO_DATA
    low, high = newcombe_difference(min(births, n), min(deaths, n), n)
    return Estimate(1000 * (births - deaths) / n, 1000 * low, 1000 * high, births - deaths, n)


def _sex_ratio(values: Values) -> Estimate:
    boys, girls = values.get("births_male", 0), values.get("births_female", 0)
    if boys + girls == 0:
        return NO_DATA
    low, high = wilson(boys, boys + girls)
    value = 100 * boys / girls if girls else float("inf")
    return Estimate(value, ratio_from_share(low), ratio_from_share(high), boys, girls)


HUINING_2017 = "会宁县2017年计划生育精细化工作方案"
DISTRICT_PLANS = "区、镇工作方案"

INDICATORS: dict[str, Indicator] = {
    i.code: i
    for i in [
        Indicator(
            "birth_rate",
            "出生率",
            "‰",
            "出生人数 ÷ 平均人口 × 1000",
            _rate("births"),
            (0, 1000),
            decimals=2,
        ),
        Indicator(
            "death_rate",
            "死亡率",
            "‰",
            "死亡人数 ÷ 平均人口 × 1000",
            _rate("deaths"),
            (0, 1000),
            decimals=2,
        ),
        Indicator(
            "natural_growth_rate",
            "人口自然增长率",
            "‰",
            "(出生人数 − 死亡人数) ÷ 平均人口 × 1000",
            _natural_growth,
            (-1000, 1000),
            DefaultTarget("le", high=9, source=HUINING_2017),
            decimals=2,
        ),
        Indicator(
            "sex_ratio_at_birth",
            "出生人口性别比",
            "",
            "出生男孩 ÷ 出生女孩 × 100（女孩=100）",
            _sex_ratio,
            (50, 200),
            DefaultTarget("le", high=107, source=HUINING_2017),
        ),
        Indicator(
            "third_plus_share",
            "三孩及以上占比",
            "%",
            "三孩及以上出生 ÷ 出生人数 × 100",
            _proportion("births_order_3plus", "births", 100),
            (0, 100),
        ),
        Indicator(
            "hospital_delivery_rate",
            "住院分娩率",
            "%",
            "住院分娩出生 ÷ 出生人数 × 100",
            _proportion("births_hospital", "births", 100),
            (0, 100),
            DefaultTarget("ge", low=85, source=DISTRICT_PLANS),
        ),
        Indicator(
            "data_quality_rate",
            "个案信息准确率",
            "%",
            "无错误级问题的在册人数 ÷ 质量检查在册人数 × 100（最近一次数据质量检查）",
            _proportion("quality_passing", "quality_people", 100),
            (0, 100),
            DefaultTarget("ge", low=95, source=HUINING_2017),
        ),
        Indicator(
            "migrant_contact_rate",
            "流动人口有效联系率",
            "%",
            "期末在外或在本地的流动人口中有联系电话的人数 ÷ 期末流动人口 × 100",
            _proportion("migrants_away_contact", "migrants_away", 100),
            (0, 100),
        ),
        Indicator(
            "timeliness_rate",
            "按时录入率",
            "%",
            "次月5日前录入的事件 ÷ 当期发生的事件 × 100",
            _proportion("events_on_time", "events_due", 100),
            (0, 100),
        ),
        Indicator(
            "awareness_rate",
            "政策知晓率",
            "%",
            "知晓人数 ÷ 政策知晓率调查人数 × 100（填报数据）",
            _proportion("awareness_aware", "awareness_surveyed", 100),
            (0, 100),
        ),
        Indicator(
            "satisfaction_rate",
            "群众满意率",
            "%",
            "满意人数 ÷ 满意度调查人数 × 100（填报数据）",
            _proportion("satisfaction_satisfied", "satisfaction_surveyed", 100),
            (0, 100),
        ),
    ]
}


# --- the service apps' indicators (health, supplies, benefits) -------------------------


def _amount_share(numerator: str, denominator: str) -> Callable[[Values], Estimate]:
    """A share of money (paid / due): a count of every yuan on the rosters, not a
    sample, so its interval is the value itself."""

    def estimate(values: Values) -> Estimate:
        x, n = values.get(numerator, 0), values.get(denominator, 0)
        if n <= 0:
            return NO_DATA
        value = 100 * min(x, n) / n
        return Estimate(value, value, value, x, n)

    return estimate


INDICATORS.update(
    {
        i.code: i
        for i in [
            Indicator(
                "prepregnancy_check_coverage",
                "孕前优生健康检查覆盖率",
                "%",
                "检查对数 ÷ 目标人群(乡镇年度目标，按在册已婚育龄妇女分到村、平均分到月) × 100",
                _proportion("health_checks", "health_target_couples", 100),
                (0, 100),
                DefaultTarget("ge", low=85, source=HUINING_2017),
            ),
            Indicator(
                "prepregnancy_high_risk_share",
                "孕前优生检查高风险比例",
                "%",
                "评估为高风险的对数 ÷ 检查对数 × 100",
                _proportion("health_checks_high_risk", "health_checks", 100),
                (0, 100),
            ),
            Indicator(
                "followup_on_time_rate",
                "孕前优生随访及时率",
                "%",
                "在截止日期前完成的随访 ÷ 已完成的随访 × 100（按随访日期所在月）",
                _proportion("health_followups_done_on_time", "health_followups_done", 100),
                (0, 100),
            ),
            Indicator(
                "folic_awareness_rate",
                "叶酸知晓率",
                "%",
                "知晓叶酸服用方法的人次 ÷ 叶酸随访人次 × 100",
                _proportion("folic_aware", "folic_followups", 100),
                (0, 100),
                DefaultTarget("ge", low=95, source=HUINING_2017),
            ),
            Indicator(
                "folic_uptake_rate",
                "叶酸服用率",
                "%",
                "服用叶酸的人次 ÷ 叶酸随访人次 × 100",
                _proportion("folic_taking", "folic_followups", 100),
                (0, 100),
                DefaultTarget("ge", low=90, source=HUINING_2017),
            ),
            Indicator(
                "folic_compliance_rate",
                "叶酸依从率",
                "%",
                "按要求(每日0.4毫克)服用的人次 ÷ 叶酸随访人次 × 100",
                _proportion("folic_compliant", "folic_followups", 100),
                (0, 100),
                DefaultTarget("ge", low=80, source=HUINING_2017),
            ),
            Indicator(
                "supply_availability_rate",
                "免费药具可及率",
                "%",
                "期末必备药具齐全的发放点 ÷ 期末在用发放点 × 100",
                _proportion("supply_points_with_stock", "supply_points_active", 100),
                (0, 100),
                DefaultTarget("ge", low=95, source=HUINING_2017),
            ),
            Indicator(
                "delivery_record_rate",
                "住院分娩实名登记率",
                "%",
                "医院报送的分娩登记 ÷ 住院分娩出生 × 100",
                _proportion("delivery_records", "births_hospital", 100),
                (0, 100),
            ),
            Indicator(
                "benefit_payment_rate",
                "奖励扶助资金兑现率",
                "%",
                "花名册实发金额 ÷ 应发金额 × 100（各项目合计，按周期年度）",
                _amount_share("benefit_paid", "benefit_due"),
                (0, 100),
                DefaultTarget("ge", low=100, source=HUINING_2017),
            ),
            Indicator(
                "special_family_visit_rate",
                "特殊家庭走访率",
                "%",
                "当月有走访的特殊家庭 ÷ 月末在册特殊家庭 × 100"
                "（季度、年度按户·月合计：每户每月走访一次）",
                _proportion("special_families_visited", "special_family_months", 100),
                (0, 100),
            ),
        ]
    }
)
