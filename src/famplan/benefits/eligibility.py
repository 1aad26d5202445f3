"""Eligibility for a whole jurisdiction: each person's facts in a few grouped queries
(no query per person), then the program's rule (programs.py) over each row.

Parents' facts: the births grouped by mother and by father (children, living sons and
daughters, the only child's disability grade and death, the child's mother's birth
date), one person query with a marriage flag. Children's facts (育儿补贴): people born
within the program's reach, their application and the last month already paid.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
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


_KIDS = ("n_children", "n_living", "living_sons", "living_daughters", "child_grade",
         "youngest_born", "child_died_on")  # fmt: skip


# Keys per births query: two IN lists of this many (SQLite takes 32,766 parameters).
BIRTH_CHUNK = 2000


def _couples_query(parents: Any) -> Any:
    """Births of the couples any of `parents` (keys, or a query of keys) belongs to,
    grouped by the couple."""
    living = ~Q(child__status=PersonStatus.DECEASED)
    return (
        Birth.objects.filter(Q(mother_id__in=parents) | Q(father_id__in=parents))
        .order_by()
        .values_list("mother_id", "father_id")
        .annotate(
            n=Count("pk"),
            alive=Count("pk", filter=living),
            sons=Count("pk", filter=living & Q(sex=Sex.MALE)),
            daughters=Count("pk", filter=living & Q(sex=Sex.FEMALE)),
            grade=Min("child__disability_grade", filter=living),
            youngest=Max("born_on"),
            # A deceased child's left_on is its death date (the death service sets it).
            died=Max("child__left_on", filter=~living),
        )
    )


def _as_date(value: Any) -> date | None:
    # SQLite hands an aggregate of a date column back as text.
    return value if value is None or isinstance(value, date) else date.fromisoformat(value)


def children_by_parent(pks: list[int]) -> dict[int, list[Any]]:
    """Parent pk -> [the _KIDS facts..., the set of the children's mothers] for the
    people `pks`, from grouped queries over their couples' births (grouped by the
    couple, summed per parent here: one scan serves both parents).

    The SQL is compiled once and run for every chunk of keys with its own parameters:
    compiling two IN lists of 2,000 keys a chunk through the ORM cost more than the
    queries themselves over a county."""
    out: dict[int, list[Any]] = {}
    seen: set[tuple[int, int | None]] = set()
    if not pks:
        return out
    if connection.vendor == "postgresql":
        # One statement with the keys as one array parameter, unnested so that it is
        # hashed: PostgreSQL plans the chunks' IN lists as a scan of all births each,
        # `= ANY(array)` as a linear search per birth, and a subquery of the
        # narrowing as a nested loop under a cursor.
        sql, template = _couples_query([-1]).query.sql_with_params()
        assert sql.count("IN (%s)") == 2, sql
        sql = sql.replace("IN (%s)", "IN (SELECT unnest(%s::bigint[]))")
        params = [list(pks) if v == -1 else v for v in template]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for row in cursor.fetchall():
                _merge(out, seen, row)
        return out
    size = min(BIRTH_CHUNK, len(pks))
    markers = [-(i + 1) for i in range(size)]  # no person has a negative key
    sql, template = _couples_query(markers).query.sql_with_params()
    slots = [(i, -v - 1) for i, v in enumerate(template) if isinstance(v, int) and v < 0]
    params = list(template)
    with connection.cursor() as cursor:
        for chunk in chunked(pks, size):
            padded = list(chunk) + [chunk[-1]] * (size - len(chunk))
            for at, index in slots:
                params[at] = padded[index]
            cursor.execute(sql, params)
            for row in cursor.fetchall():
                _merge(out, seen, row)
    return out


def _merge(out: dict[int, list[Any]], seen: set, row: tuple) -> None:
    mother, father = row[0], row[1]
    if (mother, father) in seen:  # a couple found through both spouses' chunks
        return
    seen.add((mother, father))
    n, alive, sons, daughters, grade, youngest, died = row[2:]
    youngest, died = _as_date(youngest), _as_date(died)
    for parent in (mother, father):
        if parent is None:
            continue
        kids = out.get(parent)
        if kids is None:
            out[parent] = [n, alive, sons, daughters, grade, youngest, died, {mother}]
        else:  # a parent of children with more than one spouse
            kids[0] += n
            kids[1] += alive
            kids[2] += sons
            kids[3] += daughters
            kids[4] = _least(kids[4], grade)
            kids[5] = max(kids[5], youngest)
            kids[6] = _greatest(kids[6], died)
            kids[7].add(mother)


def _least(a: Any, b: Any) -> Any:
    return b if a is None else a if b is None else min(a, b)


def _greatest(a: Any, b: Any) -> Any:
    return b if a is None else a if b is None else max(a, b)


_NO_CHILDREN = [0, 0, 0, 0, None, None, None, set()]


def narrowing(rule: Rule, params: dict[str, Any], cutoff: date) -> Q:
    """The people a parents' rule could pass, as a filter on the person row. Only
    narrows: the rule itself judges everyone it lets through (may_pass, rule.checks)."""
    if rule.code == "rural_reward":
        last_born = date(cutoff.year - params["min_age"], 12, 31)
        return Q(hukou_type=HukouType.RURAL, birth_date__lte=last_born)
    if rule.code == "one_child_reward":
        return Q(one_child_certificate_on__isnull=False)
    if rule.code == "special_assistance":
        # Parents of a child who died or is disabled at grade 1-3.
        # From the children's side: the person table's few such rows, then their births
        # by the unique child key (twice as fast as joining every birth to its child).
        children = Person.objects.filter(
            Q(status=PersonStatus.DECEASED) | Q(disability_grade__in=(1, 2, 3))
        )
        hit = Birth.objects.filter(child_id__in=children.values("pk"))
        return Q(pk__in=hit.values("mother_id")) | Q(pk__in=hit.values("father_id"))
    return Q()


def parent_facts(
    prefix: str | None,
    ids: list[int] | None = None,
    *,
    rules: list[tuple[Rule, dict[str, Any]]] | None = None,
    cutoff: date | None = None,
) -> Iterator[dict[str, Any]]:
    """Facts of the parents in the subtree `prefix` that one of `rules` could pass (the
    county run: the dead and departed fail 在册 and are left out too), or of the people
    `ids`, parents or not (one person's explanation)."""
    people = Person.objects.order_by()
    if ids is not None:
        person_batches = [people.filter(pk__in=c) for c in chunked(ids)]
    else:
        if prefix:
            people = people.filter(**code_prefix_filter("unit_id", prefix))
        # One query per rule's narrowing (an OR of them, two being subqueries, was
        # checked row by row by SQLite), the people found by several read once.
        people = people.filter(status__in=ON_REGISTER)
        person_batches = [people.filter(narrowing(r, p, cutoff)) for r, p in rules or []]
    married = Exists(
        Marriage.objects.filter(Q(wife_id=OuterRef("pk")) | Q(husband_id=OuterRef("pk")))
    )
    rows: list[dict[str, Any]] = []
    read: set[int] = set()
    for batch in person_batches:
        values = batch.annotate(married=married).values(*PERSON_FIELDS, "married")
        for row in values.iterator(chunk_size=5000):
            if row["pk"] not in read:
                read.add(row["pk"])
                rows.append(row)
    # Their children: the births of the couples they belong to, by chunks of their keys
    # (a couple found through both spouses' chunks is counted once).
    children = children_by_parent(sorted(r["pk"] for r in rows))
    mother_born: dict[int, date] = {}
    kept: list[dict[str, Any]] = []
    for row in rows:
        kids = children.get(row["pk"])
        if kids is None:
            if ids is None:
                continue  # not a parent
            kids = _NO_CHILDREN
        row.update(zip(_KIDS, kids[:7], strict=True))
        row["mothers"] = kids[7]
        if row["sex"] == Sex.FEMALE:
            mother_born[row["pk"]] = row["birth_date"]
        kept.append(row)
    rows = kept
    # The mother's birth date for fathers (特别扶助 counts the woman's age).
    wanted = sorted({m for r in rows for m in r["mothers"] if m is not None} - set(mother_born))
    for chunk in chunked(wanted):
        mother_born.update(Person.objects.filter(pk__in=chunk).values_list("pk", "birth_date"))
    for row in rows:
        borns = [mother_born[m] for m in row.pop("mothers") if m in mother_born]
        row["mother_born"] = min(borns) if borns else None
        yield row


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
        living = f["n_living"]
        children = (
            living == 1
            or (living == 2 and f["living_daughters"] == 2)
            or (living == 0 and f["n_children"] > 0)
        )
        return (
            children
            and f["hukou_type"] == HukouType.RURAL
            and f["birth_date"].year <= cutoff.year - p["min_age"]
        )
    if rule.code == "special_assistance":
        return f["n_children"] == 1 and (f["n_living"] == 0 or f["child_grade"] in (1, 2, 3))
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
    return parent_facts(prefix, ids, rules=None if ids else [(rule, params)], cutoff=cutoff)


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
        result = _judge(rule, f, params, cutoff)
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


def _judge(rule: Rule, f: dict[str, Any], params: dict[str, Any], cutoff: date) -> Result:
    checks = rule.checks(f, params, cutoff)
    award = rule.award(f, params, cutoff) if all(c.passed for c in checks) else None
    return Result(f, checks, award)


def run_programs(programs: list[Program], cutoff: date, prefix: str) -> dict[str, list[Result]]:
    """Every program over the subtree at once: the parents' facts are read once for all
    the parents' programs (the county's yearly screening, the benchmark)."""
    out: dict[str, list[Result]] = {}
    parents = [(p, RULES[p.rule], params_on(p, cutoff)) for p in programs]
    parents = [t for t in parents if t[1].population == "parents"]
    if parents:
        facts = list(
            parent_facts(
                prefix, rules=[(rule, params) for _p, rule, params in parents], cutoff=cutoff
            )
        )
        for program, rule, params in parents:
            judged = (
                _judge(rule, f, params, cutoff) for f in facts if may_pass(rule, f, params, cutoff)
            )
            out[program.code] = [r for r in judged if r.eligible]
    for program in programs:
        if program.code not in out:
            out[program.code] = run(program, cutoff, prefix)
    return out
