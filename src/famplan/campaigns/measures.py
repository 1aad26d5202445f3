"""Which indicators measures a task may take its progress from, and the basis a target
may be split by. Only counts of services delivered, contacts made and data work, each
a monthly sum: a plan's task is never a count of births, marriages or anything a person
decides for themselves (the brief's "never build")."""

from __future__ import annotations

from famplan.indicators.measures import MEASURES

LINKABLE = (
    "health_checks",
    "health_followups_done",
    "folic_issued",
    "folic_followups",
    "birth_registrations",
    "delivery_records",
    "events_on_time",
)

# The basis of Split.POPULATION: residents at the end of the latest stored month.
POPULATION_MEASURE = "population_end"


def linkable_choices() -> list[tuple[str, str]]:
    return [(code, MEASURES[code].label) for code in LINKABLE if code in MEASURES]


def measure_label(code: str) -> str:
    measure = MEASURES.get(code)
    return measure.label if measure else code
