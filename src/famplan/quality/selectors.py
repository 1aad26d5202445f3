"""Reads of quality results, always cut to the user's jurisdiction.

Scores are stored per village; a township's or county's figures are the sums of its
villages', added up in one grouped query by code prefix (substr(unit_id, 1, 9) for
townships), never by looping over units.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Sum, Value, When
from django.db.models.functions import Substr

from famplan.orgunits.jurisdiction import code_prefix_filter, scope
from famplan.orgunits.models import OrgUnit
from famplan.orgunits.selectors import children_for_user
from famplan.quality.models import QualityIssue, QualityRun, QualityScore, QualityTally
from famplan.quality.rules import RULES, Rule

# The code length of a unit's children, by the length of its own code.
CHILD_CODE_LENGTH = {2: 4, 4: 6, 6: 9, 9: 12, 12: 12}


def percent(ok: int, total: int) -> str:
    return f"{100 * ok / total:.1f}%" if total else "—"


@dataclass
class ScoreRow:
    unit: OrgUnit
    people: int = 0
    people_with_errors: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    # Whether a run has scored the unit at all: an unchecked unit has no figures,
    # which is not the same as 0 people.
    checked: bool = False

    @property
    def people_ok(self) -> int:
        return self.people - self.people_with_errors

    @property
    def score(self) -> float | None:
        return self.people_ok / self.people if self.people else None

    @property
    def score_display(self) -> str:
        return percent(self.people_ok, self.people)

    @property
    def issues(self) -> int:
        return sum(self.counts.values())

    @property
    def is_village(self) -> bool:
        return len(self.unit.code) == 12


@dataclass
class ScoreTable:
    unit: OrgUnit
    total: ScoreRow
    rows: list[ScoreRow]
    rules: list[Rule]  # the rules with at least one issue here, in display order

    def cells(self, row: ScoreRow) -> list[int]:
        return [row.counts.get(rule.code, 0) for rule in self.rules]

    @property
    def table(self) -> list[tuple[ScoreRow, list[int]]]:
        return [(row, self.cells(row)) for row in self.rows]

    @property
    def total_cells(self) -> list[int]:
        return self.cells(self.total)


def scores_for_user(user: Any) -> QuerySet[QualityScore]:
    return scope(QualityScore.objects.all(), user, "unit")


def tallies_for_user(user: Any) -> QuerySet[QualityTally]:
    return scope(QualityTally.objects.all(), user, "unit")


def issues_for_user(user: Any) -> QuerySet[QualityIssue]:
    return scope(QualityIssue.objects.all(), user, "unit")


def score_table_for_user(user: Any, unit: OrgUnit) -> ScoreTable:
    """The unit's children with their scores and issue counts per rule, in three queries
    whatever the number of children (a village shows itself as its only row)."""
    length = CHILD_CODE_LENGTH[len(unit.code)]
    below = code_prefix_filter("unit_id", unit.code)
    child = Substr("unit_id", 1, length)
    scores = (
        scores_for_user(user)
        .filter(**below)
        .annotate(child=child)
        .values("child")
        .annotate(people=Sum("people"), bad=Sum("people_with_errors"))
        .order_by()
    )
    tallies = (
        tallies_for_user(user)
        .filter(**below)
        .annotate(child=child)
        .values("child", "rule")
        .annotate(n=Sum("issues"))
        .order_by()
    )
    if len(unit.code) == 12:
        children = [unit]
    else:
        children = list(children_for_user(user, unit))
    rows = {u.code: ScoreRow(unit=u) for u in children}
    total = ScoreRow(unit=unit)
    for s in scores:
        total.people += s["people"]
        total.people_with_errors += s["bad"]
        total.checked = True
        if s["child"] in rows:
            rows[s["child"]].people = s["people"]
            rows[s["child"]].people_with_errors = s["bad"]
            rows[s["child"]].checked = True
    for t in tallies:
        total.counts[t["rule"]] = total.counts.get(t["rule"], 0) + t["n"]
        if t["child"] in rows:
            rows[t["child"]].counts[t["rule"]] = t["n"]
    rules = [rule for code, rule in RULES.items() if total.counts.get(code)]
    return ScoreTable(unit=unit, total=total, rows=list(rows.values()), rules=rules)


def latest_run_for_unit(unit: OrgUnit) -> QualityRun | None:
    """The newest finished run whose scope covers the whole unit (itself or above)."""
    covering = [*unit.ancestor_codes(), unit.code]
    return (
        QualityRun.objects.select_related("scope_unit")
        .filter(scope_unit_id__in=covering, finished_at__isnull=False)
        .order_by("-finished_at")
        .first()
    )


def _rule_rank() -> Case:
    return Case(
        *(When(rule=code, then=Value(i)) for i, code in enumerate(RULES)),
        default=Value(len(RULES)),
        output_field=IntegerField(),
    )


def worklist_for_user(user: Any, unit: OrgUnit, rule: str | None = None) -> QuerySet[QualityIssue]:
    """The unit's issues, grouped by rule (errors first), then by village and record."""
    issues = issues_for_user(user).filter(**code_prefix_filter("unit_id", unit.code))
    if rule:
        issues = issues.filter(rule=rule)
    return (
        issues.select_related("person", "unit")
        .annotate(rule_rank=_rule_rank())
        .order_by("rule_rank", "unit_id", "record_type", "record_id")
    )


def rule_counts_for_user(user: Any, unit: OrgUnit) -> list[tuple[Rule, int]]:
    counts = dict(
        tallies_for_user(user)
        .filter(**code_prefix_filter("unit_id", unit.code))
        .values("rule")
        .annotate(n=Sum("issues"))
        .order_by()
        .values_list("rule", "n")
    )
    return [(rule, counts[code]) for code, rule in RULES.items() if counts.get(code)]
