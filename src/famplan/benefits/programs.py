"""The eligibility rules of the benefit programs: parameters and criteria, as code.

Each rule reads one person's facts (a plain dict built for a whole jurisdiction at once
by eligibility.py in a few grouped queries) and returns every criterion with pass or
fail and its reason in Chinese. The same functions serve a whole county's run and the
page that explains one person, so the two cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from famplan.common.dates import age_on
from famplan.registry.models import ON_REGISTER, HukouType, PersonStatus, Sex

Facts = dict[str, Any]


@dataclass(frozen=True)
class Param:
    key: str
    label: str
    kind: str  # "money", "int" or "date"
    default: Any
    help: str = ""


@dataclass(frozen=True)
class Check:
    key: str
    label: str
    passed: bool
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "passed": self.passed, "reason": self.reason}


@dataclass(frozen=True)
class Award:
    """What an eligible person is due in a cycle: monthly amount and months covered."""

    category: str
    monthly: Decimal
    from_month: date
    to_month: date

    @property
    def months(self) -> int:
        return months_between(self.from_month, self.to_month)

    @property
    def amount(self) -> Decimal:
        return self.monthly * self.months


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    population: str  # "parents" or "children"
    params: tuple[Param, ...]
    checks: Callable[[Facts, dict[str, Any], date], list[Check]]
    award: Callable[[Facts, dict[str, Any], date], Award | None]
    # The payee: the person themself, or the applicant (育儿补贴).
    payee_is_applicant: bool = False
    needs_attestation: bool = False
    exits: tuple[str, ...] = field(default_factory=tuple)


# --- months ----------------------------------------------------------------------------


def month_of(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> int:
    """Months from `first` to `last` inclusive (0 when last < first)."""
    return max(0, (last.year - first.year) * 12 + last.month - first.month + 1)


def ym(month: date) -> str:
    return f"{month:%Y-%m}"


def money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


# --- shared criteria -------------------------------------------------------------------


def on_register(f: Facts) -> Check:
    status = f["status"]
    if status in ON_REGISTER:
        return Check("register", "在册", True, "在册")
    reason = {
        PersonStatus.DECEASED: "已死亡",
        PersonStatus.MOVED_OUT: "户口已迁出本县",
    }.get(status, "不在册")
    return Check("register", "在册", False, reason)


def age_check(key: str, who: str, born: date | None, minimum: int, cutoff: date) -> Check:
    label = f"{who}年龄"
    if born is None:
        return Check(key, label, False, f"{who}出生日期不详")
    age = age_on(born, cutoff)
    if age >= minimum:
        return Check(key, label, True, f"{who}年龄 {age} 岁（截至{cutoff.isoformat()}）")
    return Check(
        key, label, False, f"{who}年龄 {age} 岁，未满 {minimum} 岁（截至{cutoff.isoformat()}）"
    )


def _children_phrase(f: Facts) -> str:
    living = f["n_living"]
    return f"现有 {living} 个子女（{f['living_sons']} 子 {f['living_daughters']} 女）"


# --- 农村部分计划生育家庭奖励扶助 ----------------------------------------------------------


def rural_reward_checks(f: Facts, p: dict[str, Any], cutoff: date) -> list[Check]:
    born_from = p["born_from"]
    checks = [on_register(f)]
    if f["hukou_type"] == HukouType.RURAL:
        checks.append(Check("hukou", "户口性质", True, "农业户口"))
    else:
        shown = "非农业户口" if f["hukou_type"] == HukouType.URBAN else "户口性质未登记"
        checks.append(Check("hukou", "户口性质", False, f"{shown}，须为农业户口"))
    if f["birth_date"] >= born_from:
        checks.append(Check("born", "出生日期", True, f"出生于{f['birth_date'].isoformat()}"))
    else:
        checks.append(
            Check(
                "born",
                "出生日期",
                False,
                f"出生于{f['birth_date'].isoformat()}，早于{born_from.isoformat()}",
            )
        )
    checks.append(age_check("age", "", f["birth_date"], p["min_age"], cutoff))
    if f["married"]:
        checks.append(Check("married", "婚姻", True, "有婚姻登记"))
    else:
        checks.append(Check("married", "婚姻", False, "人口信息库中无婚姻登记"))
    total, living = f["n_children"], f["n_living"]
    if total == 0:
        checks.append(Check("children", "子女", False, "人口信息库中无子女记录"))
    elif living == 1:
        checks.append(Check("children", "子女", True, "现有 1 个子女"))
    elif living == 2 and f["living_daughters"] == 2:
        checks.append(Check("children", "子女", True, "现有 2 个女儿"))
    elif living == 0:
        checks.append(Check("children", "子女", True, f"曾生育 {total} 个子女，均已死亡，现无子女"))
    else:
        checks.append(
            Check(
                "children",
                "子女",
                False,
                f"{_children_phrase(f)}，须为现有 1 个子女、2 个女儿或子女死亡现无子女",
            )
        )
    return checks


def rural_reward_award(f: Facts, p: dict[str, Any], cutoff: date) -> Award:
    yearly = money(p["amount_year"]) + money(p["county_topup_year"])
    year = cutoff.year
    return Award("", money(yearly / 12), date(year, 1, 1), date(year, 12, 1))


# --- 计划生育家庭特别扶助 -----------------------------------------------------------------


def special_category(f: Facts) -> str:
    """'died', 'disabled' or '' for a one-child family's child."""
    if f["n_children"] != 1:
        return ""
    if f["n_living"] == 0:
        return "died"
    if f["child_grade"] in (1, 2, 3):
        return "disabled"
    return ""


def special_checks(f: Facts, p: dict[str, Any], cutoff: date) -> list[Check]:
    checks = [on_register(f)]
    total = f["n_children"]
    if total == 1:
        checks.append(Check("one_child", "子女数", True, "只生育（收养）1 个子女"))
    elif total == 0:
        checks.append(Check("one_child", "子女数", False, "人口信息库中无子女记录"))
    else:
        checks.append(
            Check("one_child", "子女数", False, f"生育（收养）{total} 个子女，须只有 1 个")
        )
    grade = f["child_grade"]
    if total == 1 and f["n_living"] == 0:
        died = f["child_died_on"]
        shown = f"（{died.isoformat()}）" if died else ""
        checks.append(Check("child", "子女情况", True, f"独生子女已死亡{shown}"))
    elif total == 1 and grade in (1, 2, 3):
        checks.append(Check("child", "子女情况", True, f"独生子女残疾{grade_label(grade)}"))
    elif total == 1 and grade:
        checks.append(
            Check("child", "子女情况", False, f"独生子女残疾{grade_label(grade)}，须为三级以上")
        )
    elif total == 1:
        checks.append(Check("child", "子女情况", False, "独生子女健在，无残疾登记"))
    else:
        checks.append(Check("child", "子女情况", False, "非独生子女家庭"))
    checks.append(age_check("mother_age", "女方", f["mother_born"], p["mother_min_age"], cutoff))
    return checks


def grade_label(grade: int) -> str:
    return {1: "一级", 2: "二级", 3: "三级", 4: "四级"}.get(grade, f"{grade}级")


def special_award(f: Facts, p: dict[str, Any], cutoff: date) -> Award:
    category = special_category(f)
    area = "urban" if f["hukou_type"] == HukouType.URBAN else "rural"
    monthly = money(p[f"{category}_{area}_month"])
    year = cutoff.year
    return Award(category, monthly, date(year, 1, 1), date(year, 12, 1))


# --- 独生子女父母奖励 ---------------------------------------------------------------------


def one_child_checks(f: Facts, p: dict[str, Any], cutoff: date) -> list[Check]:
    checks = [on_register(f)]
    held = f["one_child_certificate_on"]
    if held:
        checks.append(
            Check("certificate", "光荣证", True, f"持独生子女父母光荣证（{held.isoformat()}领证）")
        )
    else:
        checks.append(Check("certificate", "光荣证", False, "未登记独生子女父母光荣证"))
    limit = p["child_age_limit"]
    if f["n_children"] == 0 or f["youngest_born"] is None:
        checks.append(Check("child_age", "子女年龄", False, "人口信息库中无子女记录"))
    elif f["n_children"] > 1:
        checks.append(Check("child_age", "子女年龄", False, f"有 {f['n_children']} 个子女"))
    else:
        age = age_on(f["youngest_born"], date(cutoff.year, 1, 1))
        if age < limit:
            checks.append(Check("child_age", "子女年龄", True, f"子女 {cutoff.year} 年初 {age} 岁"))
        else:
            checks.append(
                Check(
                    "child_age",
                    "子女年龄",
                    False,
                    f"子女 {cutoff.year} 年初 {age} 岁，已满 {limit} 岁",
                )
            )
    return checks


def one_child_award(f: Facts, p: dict[str, Any], cutoff: date) -> Award:
    year = cutoff.year
    born = f["youngest_born"]
    limit_day = _birthday(born, p["child_age_limit"])
    last = min(date(year, 12, 1), add_months(month_of(limit_day), -1))
    return Award("", money(p["amount_month"]), date(year, 1, 1), last)


def _birthday(born: date, age: int) -> date:
    try:
        return born.replace(year=born.year + age)
    except ValueError:  # 29 February
        return date(born.year + age, 3, 1)


# --- 育儿补贴 ---------------------------------------------------------------------------


def childcare_months(f: Facts, p: dict[str, Any], cutoff: date) -> tuple[date, date]:
    """The months this cycle pays: from the program's start (or the birth month) to the
    month before the third birthday (or the cycle's last month), after any month paid."""
    first = max(month_of(p["starts_on"]), month_of(f["birth_date"]))
    last = min(month_of(cutoff), add_months(month_of(_birthday(f["birth_date"], 3)), -1))
    if f["last_paid_month"] is not None:
        first = max(first, add_months(f["last_paid_month"], 1))
    return first, last


def childcare_checks(f: Facts, p: dict[str, Any], cutoff: date) -> list[Check]:
    checks = [on_register(f)]
    first, last = childcare_months(f, p, cutoff)
    third = _birthday(f["birth_date"], 3)
    if f["birth_date"] > cutoff:
        checks.append(Check("months", "补贴月份", False, f"出生于{f['birth_date'].isoformat()}"))
    elif third <= month_of(p["starts_on"]):
        checks.append(
            Check(
                "months",
                "补贴月份",
                False,
                f"{third.isoformat()}已满 3 周岁，早于补贴起始{ym(p['starts_on'])}",
            )
        )
    elif last < first:
        paid = f["last_paid_month"]
        checks.append(
            Check(
                "months",
                "补贴月份",
                False,
                f"可补贴月份已发放至{ym(paid)}" if paid else "无可补贴月份",
            )
        )
    else:
        checks.append(
            Check(
                "months",
                "补贴月份",
                True,
                f"{ym(first)} 至 {ym(last)} 共 {months_between(first, last)} 个月",
            )
        )
    if f["applicant_name"]:
        checks.append(
            Check(
                "applied",
                "申请",
                True,
                f"已由{f['applicant_name']}申请（{f['applied_on'].isoformat()}）",
            )
        )
    else:
        checks.append(Check("applied", "申请", False, "未申请（须由父母向户籍地申请）"))
    return checks


def childcare_award(f: Facts, p: dict[str, Any], cutoff: date) -> Award:
    first, last = childcare_months(f, p, cutoff)
    return Award("", money(p["amount_year"]) / 12, first, last)


RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule(
            code="rural_reward",
            label="农村部分计划生育家庭奖励扶助",
            population="parents",
            params=(
                Param("born_from", "出生日期不早于", "date", date(1933, 1, 1)),
                Param("min_age", "起始年龄(周岁)", "int", 60, "年满该年龄的当年起享受"),
                Param("amount_year", "国家标准(元/人/年)", "money", "960"),
                Param("county_topup_year", "县级增发(元/人/年)", "money", "0"),
            ),
            checks=rural_reward_checks,
            award=rural_reward_award,
            needs_attestation=True,
        ),
        Rule(
            code="special_assistance",
            label="计划生育家庭特别扶助",
            population="parents",
            params=(
                Param("mother_min_age", "女方年龄不低于(周岁)", "int", 49),
                Param("died_urban_month", "独生子女死亡·城镇(元/人/月)", "money", "340"),
                Param("died_rural_month", "独生子女死亡·农村(元/人/月)", "money", "170"),
                Param("disabled_urban_month", "独生子女伤残·城镇(元/人/月)", "money", "270"),
                Param("disabled_rural_month", "独生子女伤残·农村(元/人/月)", "money", "150"),
            ),
            checks=special_checks,
            award=special_award,
        ),
        Rule(
            code="one_child_reward",
            label="独生子女父母奖励",
            population="parents",
            params=(
                Param(
                    "child_age_limit", "子女年龄上限(周岁)", "int", 18, "子女满该年龄的当月起停发"
                ),
                Param("amount_month", "奖励标准(元/人/月)", "money", "10"),
            ),
            checks=one_child_checks,
            award=one_child_award,
        ),
        Rule(
            code="childcare_subsidy",
            label="育儿补贴",
            population="children",
            params=(
                Param("starts_on", "补贴起始日期", "date", date(2025, 1, 1)),
                Param("amount_year", "补贴标准(元/孩/年)", "money", "3600"),
            ),
            checks=childcare_checks,
            award=childcare_award,
            payee_is_applicant=True,
        ),
    )
}

CATEGORY_LABELS = {"died": "独生子女死亡", "disabled": "独生子女伤残", "": ""}


def parse_params(rule: Rule, stored: dict[str, Any]) -> dict[str, Any]:
    """Stored JSON values (strings for dates and money) as Python values, with the
    rule's defaults for any not stored."""
    values: dict[str, Any] = {}
    for param in rule.params:
        raw = stored.get(param.key, param.default)
        if param.kind == "date":
            values[param.key] = raw if isinstance(raw, date) else date.fromisoformat(str(raw))
        elif param.kind == "int":
            values[param.key] = int(raw)
        else:
            values[param.key] = money(raw)
    return values


def dump_params(rule: Rule, values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for param in rule.params:
        value = values[param.key]
        out[param.key] = value if param.kind == "int" else str(value)
    return out


def evaluate(
    rule: Rule, facts: Facts, params: dict[str, Any], cutoff: date
) -> tuple[list[Check], Award | None]:
    checks = rule.checks(facts, params, cutoff)
    if all(c.passed for c in checks):
        return checks, rule.award(facts, params, cutoff)
    return checks, None


__all__ = ["RULES", "Award", "Check", "Param", "Rule", "Sex"]
