"""Eligibility for a whole jurisdiction: each person's facts in a few grouped queries
(no query per person), then the program's rule (programs.py) over each row.

Parents' facts: the births grouped by mother and by father (children, living sons and
daughters, the only child's disability grade and death, the child's mother's birth
date), one person query with a marriage flag. Children's facts (育儿补贴): people born
within the program's reach, their application and the last month already paid.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Exists, Max, Min, OuterRef, Q

from famplan.benefits.models import (
    Application,
    ApplicationStatus,
    PaymentStatus,
    Program,
    ProgramParameters,
    RosterRow,
)
from famplan.benefits.programs import RULES, Award, Check, Rule, add_months, month_of, parse_params
from famplan.common.bulk import chunked
from famplan.orgunits.jurisdiction import code_prefix_filter
from famplan.registry.models import (
    ON_REGISTER,
    Birth,
    HukouType,
    Marriage,
    Person,
    PersonStatus,
    Sex,
)

PERSON_FIELDS = (
    "pk", "name", "id_number", "sex", "birth_date", "status", "unit_id", "hukou_type",
    "hukou_unit_id", "one_child_certificate_on", "left_on",
)  # fmt: skip


@dataclass(frozen=True)
class Result:
    facts: dict[str, Any]
    checks: list[Check]
    award: Award | None

    @property
    def eligible(self) -> bool:
        return self.award is not None and self.award.months > 0


def params_on(program: Program, day: date) -> dict[str, Any]:
    """The program's parameters in force on `day` (the latest row effective by then)."""
    row = (
        ProgramParameters.objects.filter(program=program, effective_from__lte=day)
        .order_by("-effective_from")
        .first()
    )
    return parse_params(RULES[program.rule], row.values if row else {})


# --- parents ---------------------------------------------------------------------------


def _births_by(parent: str, prefix: str | None, ids: list[int] | None) -> Iterator[dict]:
    living = ~Q(child__status=PersonStatus.DECEASED)
    aggregates: dict[str, Any] = {
        "n_children": Count("pk"),
        "n_living": Count("pk", filter=living),
        "living_sons": Count("pk", filter=living & Q(sex=Sex.MALE)),
        "living_daughters": Count("pk", filter=living & Q(sex=Sex.FEMALE)),
        "child_grade": Min("child__disability_grade", filter=living),
        "youngest_born": Max("born_on"),
        # A deceased child's left_on is its death date (the death service sets it).
        "child_died_on": Max("child__left_on", filter=~living),
    }
    if parent == "father":
        aggregates["mother_born"] = Min("mother__birth_date")
    qs = Birth.objects.all()
    if ids is not None:
        batches: Iterable[Any] = (qs.filter(**{f"{parent}_id__in": c}) for c in chunked(ids))
    else:
        if prefix:
            qs = qs.filter(**code_prefix_filter(f"{parent}__unit_id", prefix))
        batches = [qs.exclude(**{f"{parent}_id": None})]
    for batch in batches:
        yield from (
            batch.order_by().values(f"{parent}_id").annotate(**aggregates).iterator(chunk_size=5000)
        )


_NO_CHILDREN = {
    "n_children": 0, "n_living": 0, "living_sons": 0, "living_daughters": 0,
    "child_grade": None, "youngest_born": None, "child_died_on": None,
}  # fmt: skip


def parent_facts(
    prefix: str | None, ids: list[int] | None = None, *, on_register_only: bool = True
) -> Iterator[dict[str, Any]]:
    """Facts of every parent in the subtree `prefix` (or of the people `ids`, whether
    parents or not). `on_register_only` leaves out the dead and departed (who fail the
    rules' 在册 criterion anyway): the whole-county run needs only the living."""
    children: dict[int, dict[str, Any]] = {}
    for parent in ("mother", "father"):
        for row in _births_by(parent, prefix, ids):
            children[row.pop(f"{parent}_id")] = row
    people = Person.objects.all()
    if ids is not None:
        people = people.filter(pk__in=ids)
    else:
        if prefix:
            people = people.filter(**code_prefix_filter("unit_id", prefix))
        if on_register_only:
            people = people.filter(status__in=ON_REGISTER)
        people = people.filter(
            Exists(Birth.objects.filter(mother_id=OuterRef("pk")))
            | Exists(Birth.objects.filter(father_id=OuterRef("pk")))
        )
    people = people.annotate(
        married_w=Exists(Marriage.objects.filter(wife_id=OuterRef("pk"))),
        married_h=Exists(Marriage.objects.filter(husband_id=OuterRef("pk"))),
    )
    for row in people.values(*PERSON_FIELDS, "married_w", "married_h").iterator(chunk_size=5000):
        facts = {**row, **children.get(row["pk"], _NO_CHILDREN)}
        facts["married"] = facts.pop("married_w") or facts.pop("married_h")
        facts.pop("married_h", None)
        if "mother_born" not in facts:
            facts["mother_born"] = row["birth_date"] if row["sex"] == Sex.FEMALE else None
        yield facts


# --- children (育儿补贴) -----------------------------------------------------------------


def child_facts(
    program: Program, params: dict[str, Any], cutoff: date, prefix: str | None,
    ids: list[int] | None = None, *, exclude_cycle_id: int | None = None,
) -> Iterator[dict[str, Any]]:  # fmt: skip
    people = Person.objects.all()
    if ids is not None:
        people = people.filter(pk__in=ids)
    else:
        earliest = date(params["starts_on"].year - 3, params["starts_on"].month, 1)
        people = people.filter(birth_date__gte=earliest, birth_date__lte=cutoff)
        people = people.filter(status__in=ON_REGISTER)
        if prefix:
            people = people.filter(**code_prefix_filter("unit_id", prefix))
    rows = list(people.values(*PERSON_FIELDS))
    pks = [r["pk"] for r in rows]
    applications: dict[int, dict] = {}
    paid: dict[int, date] = {}
    for chunk in chunked(pks):
        for a in (
            Application.objects.filter(program=program, person_id__in=chunk)
            .exclude(status=ApplicationStatus.WITHDRAWN)
            .values("person_id", "pk", "applicant_id", "applicant__name", "applied_on")
        ):
            applications[a["person_id"]] = a
        covered = RosterRow.objects.filter(cycle__program=program, person_id__in=chunk).exclude(
            payment_status=PaymentStatus.FAILED
        )
        if exclude_cycle_id is not None:
            covered = covered.exclude(cycle_id=exclude_cycle_id)
        for person_id, last in (
            covered.values("person_id")
            .annotate(last=Max("to_month"))
            .values_list("person_id", "last")
        ):
            paid[person_id] = last
    for row in rows:
        a = applications.get(row["pk"])
        row["application_id"] = a["pk"] if a else None
        row["applicant_id"] = a["applicant_id"] if a else None
        row["applicant_name"] = a["applicant__name"] if a else ""
        row["applied_on"] = a["applied_on"] if a else None
        row["last_paid_month"] = paid.get(row["pk"])
        yield row


# --- running a rule --------------------------------------------------------------------


def may_pass(rule: Rule, f: dict[str, Any], p: dict[str, Any], cutoff: date) -> bool:
    """A cheap necessary condition of passing, so the county run evaluates the full
    criteria (and writes their reasons) only for people who could pass. Never decides
    alone: every person it lets through is judged by rule.checks."""
    if rule.code == "rural_reward":
        return (
            f["hukou_type"] == HukouType.RURAL
            and f["birth_date"].year <= cutoff.year - p["min_age"]
        )
    if rule.code == "special_assistance":
        return f["n_children"] == 1
    if rule.code == "one_child_reward":
        return f["one_child_certificate_on"] is not None
    return True


def facts_for(
    program: Program, params: dict[str, Any], cutoff: date, prefix: str | None,
    ids: list[int] | None = None, *, exclude_cycle_id: int | None = None,
) -> Iterator[dict[str, Any]]:  # fmt: skip
    rule = RULES[program.rule]
    if rule.population == "children":
        return child_facts(program, params, cutoff, prefix, ids, exclude_cycle_id=exclude_cycle_id)
    return parent_facts(prefix, ids)


def run(
    program: Program, cutoff: date, prefix: str | None, ids: list[int] | None = None,
    *, exclude_cycle_id: int | None = None, eligible_only: bool = True,
) -> list[Result]:  # fmt: skip
    """The rule over the subtree `prefix` (or the people `ids`): the eligible people, or
    with eligible_only=False everyone judged, with every criterion and its reason."""
    rule = RULES[program.rule]
    params = params_on(program, cutoff)
    results = []
    for f in facts_for(program, params, cutoff, prefix, ids, exclude_cycle_id=exclude_cycle_id):
        if eligible_only and not may_pass(rule, f, params, cutoff):
            continue
        checks = rule.checks(f, params, cutoff)
        award = rule.award(f, params, cutoff) if all(c.passed for c in checks) else None
        result = Result(f, checks, award)
        if result.eligible or not eligible_only:
            results.append(result)
    return results


def explain(program: Program, person: Person, cutoff: date) -> Result:
    """Why one person is or is not eligible: the same facts and rule as the run."""
    (result,) = run(program, cutoff, None, [person.pk], eligible_only=False) or [None]
    if result is None:  # a child program and a person outside its reach
        rule = RULES[program.rule]
        params = params_on(program, cutoff)
        (f,) = child_facts(program, params, cutoff, None, [person.pk])
        return Result(f, rule.checks(f, params, cutoff), None)
    return result


def month_after(day: date) -> date:
    return add_months(month_of(day), 1)
