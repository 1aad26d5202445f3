"""The follow-up schedule and the folic acid dose: every number of the health rules in
one place, so that a county changing its practice changes one line.

A check opens two follow-ups (the national free pre-pregnancy check project's
practice):
- early pregnancy (早孕随访): from OPENS days after the check, due within DUE days
  (three months);
- pregnancy outcome (妊娠结局随访): due within a year of the check.
A follow-up shows on the village worker's worklist from its opening day, is "due" up
to its due day and "overdue" after it, until its result is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from famplan.health.models import FollowUpKind, FollowUpResult


@dataclass(frozen=True)
class Step:
    kind: str
    opens_after_days: int  # on the worklist from check date + this
    due_within_days: int  # due by check date + this; overdue after


SCHEDULE: tuple[Step, ...] = (
    Step(FollowUpKind.EARLY, opens_after_days=30, due_within_days=90),
    Step(FollowUpKind.OUTCOME, opens_after_days=270, due_within_days=365),
)

# The worklist also shows what opens within this many days ("coming up").
UPCOMING_DAYS = 14

# The results each kind of follow-up takes.
RESULTS: dict[str, tuple[str, ...]] = {
    FollowUpKind.EARLY: (
        FollowUpResult.PREGNANT,
        FollowUpResult.NOT_PREGNANT,
        FollowUpResult.UNREACHABLE,
        FollowUpResult.DECLINED,
    ),
    FollowUpKind.OUTCOME: (
        FollowUpResult.LIVE_BIRTH,
        FollowUpResult.PRETERM,
        FollowUpResult.BIRTH_DEFECT,
        FollowUpResult.MISCARRIAGE,
        FollowUpResult.STILLBIRTH,
        FollowUpResult.STILL_PREGNANT,
        FollowUpResult.NOT_PREGNANT,
        FollowUpResult.OTHER,
        FollowUpResult.UNREACHABLE,
        FollowUpResult.DECLINED,
    ),
}

# Folic acid: 0.4 mg a day, from three months before pregnancy to three months into it.
FOLIC_DOSE_MG = 0.4
FOLIC_MONTHS_BEFORE = 3
FOLIC_MONTHS_INTO = 3
# The largest quantity one issue may record (a bottle holds 31 or 93 tablets; six
# months' supply at most).
FOLIC_MAX = {"bottle": 6, "tablet": 186}

# The county's target of the year and how it is split: the Huining 2017 plan's 3,047
# couples (at least 85% coverage of the target group), split by each township's share
# of married women of childbearing age in the registry.
DEFAULT_COUNTY_TARGET = 3047
CHILDBEARING_AGES = (15, 49)
SPLIT_BASIS = "按各乡镇在册已婚育龄妇女(15-49岁)人数占比分解"


def window(checked_on: date, step: Step) -> tuple[date, date]:
    """(opens_on, due_on) of a step for a check on `checked_on`."""
    return (
        checked_on + timedelta(days=step.opens_after_days),
        checked_on + timedelta(days=step.due_within_days),
    )


def result_choices(kind: str) -> list[tuple[str, str]]:
    labels = dict(FollowUpResult.choices)
    return [(code, labels[code]) for code in RESULTS[kind]]
