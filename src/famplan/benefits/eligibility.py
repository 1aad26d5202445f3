"""Eligibility for a whole jurisdiction: each person's facts in a few grouped queries
(no query per person), then the program's rule (programs.py) over each row.

Parents' facts: one statement per program, the narrowed people joined to their births
and children and grouped by person (children, living sons and daughters, the only
child's disability grade and death, the child's mother's birth date, a marriage flag).
Children's facts (育儿补贴): people born within the program's reach, their application
and the last month already paid.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import Max

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
    HukouType,
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
         "youngest_born", "child_died_on", "mother_born")  # fmt: skip
_DATES = ("birth_date", "one_child_certificate_on", "left_on", "youngest_born",
          "child_died_on", "mother_born")  # fmt: skip

# Each parent's facts in ONE statement: the person joined to the births where they are
# mother or father, and each birth to its child, grouped by the person. The database
# sums the children (SQLite walks the people and seeks each one's births through the
# mother and father indexes; PostgreSQL hashes), so Python sees only the rows the
# narrowing lets through, and no per-row ORM conversion. PersonStatus.DECEASED is
# 'deceased', Sex 'M' and 'F' (asserted below).
N = "COUNT(b.id)"
LIVING = "c.status <> 'deceased'"
ALIVE = f"COALESCE(SUM(CASE WHEN {LIVING} THEN 1 ELSE 0 END), 0)"
DAUGHTERS = f"COALESCE(SUM(CASE WHEN {LIVING} AND b.sex = 'F' THEN 1 ELSE 0 END), 0)"
GRADE = f"MIN(CASE WHEN {LIVING} THEN c.disability_grade END)"
_PARENTS_SQL = f"""{{with_}}
SELECT p.id, p.name, p.id_number, p.sex, p.birth_date, p.status, p.unit_id, p.hukou_type,
  p.hukou_unit_id, p.one_child_certificate_on, p.left_on,
  (EXISTS (SELECT 1 FROM registry_marriage m WHERE m.wife_id = p.id)
   OR EXISTS (SELECT 1 FROM registry_marriage m WHERE m.husband_id = p.id)),
  {N}, {ALIVE},
  COALESCE(SUM(CASE WHEN {LIVING} AND b.sex = 'M' THEN 1 ELSE 0 END), 0),
  {DAUGHTERS}, {GRADE}, MAX(b.born_on),
  MAX(CASE WHEN c.status = 'deceased' THEN c.left_on END),
  CASE WHEN {N} = 0 THEN NULL
       WHEN p.sex = 'F' THEN p.birth_date
       ELSE (SELECT MIN(mo.birth_date) FROM registry_birth b2
             JOIN registry_person mo ON mo.id = b2.mother_id WHERE b2.father_id = p.id)
  END
FROM registry_person p
{{join}} registry_birth b ON (b.mother_id = p.id OR b.father_id = p.id)
{{join}} registry_person c ON c.id = b.child_id
WHERE {{where}}
GROUP BY p.id
{{having}}
"""  # noqa: S608 - constants only; the values are parameters
# The last columns, in order: a deceased child's left_on is its death date (the death
# service sets it); the children's mother's birth date (特别扶助 counts the woman's
# age) is her own for a mother and looked up once per father.


def _parents_rows(
    join: str, where: str, having: str, params: list[Any], with_: str = ""
) -> list[dict]:
    assert PersonStatus.DECEASED == "deceased" and Sex.MALE == "M" and Sex.FEMALE == "F"
    sql = _PARENTS_SQL.format(with_=with_, join=join, where=where, having=having)
    keys = (*PERSON_FIELDS, "married", *_KIDS)
    rows = []
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The county's grouping fits in memory (sorted on disk at the default 4 MB),
            # and compiling it (JIT) costs more than it saves on a statement this short.
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        for values in cursor.fetchall():
            row = dict(zip(keys, values, strict=True))
            for key in _DATES:
                row[key] = _as_date(row[key])
            row["married"] = bool(row["married"])
            rows.append(row)
    return rows


def _as_date(value: Any) -> date | None:
    # SQLite hands dates back as text.
    return value if value is None or isinstance(value, date) else date.fromisoformat(value)


@dataclass(frozen=True)
class Narrowing:
    """The people a parents' rule could pass, as SQL: a condition on the person row
    (with its parameters), one on their children's counts, and any common table the
    condition names."""

    where: str
    params: list[Any]
    having: str = ""
    with_: str = ""


# Births of a child who died or is disabled at grade 1-3 (the person table's few such
# rows, then their births by the unique child key), read once for both parents' sides.
_HIT_BIRTHS = """WITH hit AS (SELECT id, mother_id, father_id FROM registry_birth
  WHERE child_id IN (SELECT id FROM registry_person
                     WHERE status = 'deceased' OR disability_grade IN (1, 2, 3)))"""
# The parent's only birth: no other birth with them as mother (or father).
_ONLY_BIRTH = (
    "SELECT h.{side} FROM hit h WHERE NOT EXISTS (SELECT 1 FROM registry_birth o"
    " WHERE o.{side} = h.{side} AND o.id <> h.id)"
)


def narrowing(rule: Rule, params: dict[str, Any], cutoff: date) -> Narrowing:
    """Only narrows: the rule itself judges everyone it lets through (rule.checks), and
    the explanation of one person, read without it, must agree (test_eligibility)."""
    if rule.code == "rural_reward":
        last_born = date(cutoff.year - params["min_age"], 12, 31)
        return Narrowing(
            "p.hukou_type = %s AND p.birth_date <= %s",
            [HukouType.RURAL.value, last_born],
            f"HAVING {ALIVE} = 1 OR ({ALIVE} = 2 AND {DAUGHTERS} = 2) OR ({ALIVE} = 0 AND {N} > 0)",
        )
    if rule.code == "one_child_reward":
        return Narrowing("p.one_child_certificate_on IS NOT NULL", [], f"HAVING {N} = 1")
    if rule.code == "special_assistance":
        # One child only, who died or is disabled at grade 1-3.
        return Narrowing(
            f"p.id IN ({_ONLY_BIRTH.format(side='mother_id')}"
            f" UNION ALL {_ONLY_BIRTH.format(side='father_id')})",
            [],
            f"HAVING {N} = 1 AND ({ALIVE} = 0 OR {GRADE} IN (1, 2, 3))",
            _HIT_BIRTHS,
        )
    return Narrowing("1 = 1", [])


def parent_facts(
    prefix: str | None,
    ids: list[int] | None = None,
    *,
    rule: tuple[Rule, dict[str, Any]] | None = None,
    cutoff: date | None = None,
) -> list[dict[str, Any]]:
    """Facts of the parents in the subtree `prefix` that `rule` could pass (the county
    run: the dead and departed fail 在册 and are left out too), or of the people `ids`,
    parents or not (one person's explanation)."""
    if ids is not None:
        rows = []
        for chunk in chunked(ids, 900):
            where = f"p.id IN ({', '.join(['%s'] * len(chunk))})"
            rows += _parents_rows("LEFT JOIN", where, "", list(chunk))
        return rows
    assert rule is not None and cutoff is not None
    narrowed = narrowing(rule[0], rule[1], cutoff)
    where, params = narrowed.where, narrowed.params
    on_register = ", ".join(f"'{s}'" for s in ON_REGISTER)
    assert all(s.isalpha() or "_" in s for s in ON_REGISTER)
    where = f"p.status IN ({on_register}) AND {where}"
    if prefix:
        # The range of codes (code_prefix_filter); on SQLite written so that it does not
        # take the unit index: walking a county's people through it is slower than the
        # table, and the person's narrowing is the better filter.
        unit = "+p.unit_id" if connection.vendor == "sqlite" else "p.unit_id"
        bounds = code_prefix_filter("unit_id", prefix)
        where = f"{unit} >= %s AND {unit} < %s AND {where}"
        params = [bounds["unit_id__gte"], bounds["unit_id__lt"], *params]
    # SQLite: CROSS JOIN keeps the people as the outer loop (its planner would otherwise
    # scan every birth first for a narrowing without an index).
    join = "CROSS JOIN" if connection.vendor == "sqlite" else "JOIN"
    return _parents_rows(join, where, narrowed.having, params, narrowed.with_)


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
        # Only narrows: a child nobody applied for fails 申请 (childcare_checks).
        applied = Application.objects.filter(program=program).exclude(
            status=ApplicationStatus.WITHDRAWN
        )
        people = people.filter(pk__in=applied.values("person_id"))
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


def facts_for(
    program: Program, params: dict[str, Any], cutoff: date, prefix: str | None,
    ids: list[int] | None = None, *, exclude_cycle_id: int | None = None,
) -> Iterator[dict[str, Any]]:  # fmt: skip
    rule = RULES[program.rule]
    if rule.population == "children":
        return child_facts(program, params, cutoff, prefix, ids, exclude_cycle_id=exclude_cycle_id)
    return parent_facts(prefix, ids, rule=None if ids else (rule, params), cutoff=cutoff)


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
    """Every program over the subtree (the county's yearly screening, the benchmark).
    Each parents' program reads its own narrowed people: one statement each is cheaper
    than one wider read shared and judged by every program."""
    return {program.code: run(program, cutoff, prefix) for program in programs}
