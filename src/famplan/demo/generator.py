"""`population_generate`: a deterministic synthetic population for a county's villages.

The people are made in memory (demo/simulation.py) and written straight into the
registry tables through common.bulk in batches, inside one transaction: the per-person
services would take hours for half a million people and write an audit row each; the
generation writes one audit row (`demo.county.generated`) instead.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.management.color import no_style
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from famplan.audit.services import audit_log
from famplan.care.models import Assignment, Help, SpecialFamily, Visit
from famplan.common.bulk import insert_rows, insert_values
from famplan.common.errors import DomainError
from famplan.demo.health import HEALTH_MODELS, health_generate
from famplan.demo.names import ORIGINS
from famplan.demo.simulation import HOME_AREA, Population, Simulation, Village
from famplan.demo.users import demo_generator_user
from famplan.orgunits.jurisdiction import code_prefix_filter
from famplan.orgunits.models import Level, OrgUnit
from famplan.registry.models import (
    Birth,
    Death,
    Household,
    HouseholdChange,
    Marriage,
    Migration,
    Person,
    ResidenceChange,
)

FULL_POPULATION = 560_000  # 会宁县's registered residents (design.md section 1)
BATCH = 5000
# Named scales for the command line; any number works too.
SCALES = {"small": 0.02, "medium": 0.2, "full": 1.0}
DEFAULT_SCALE = "small"
# The care app's records point at people and households: they go with them (the demo
# command generates them again).
CARE_MODELS: tuple[type[models.Model], ...] = (Visit, Help, Assignment, SpecialFamily)
# Tables in the order they are emptied by --replace (people last: events point at them).
REGISTRY_MODELS: tuple[type[models.Model], ...] = (
    Birth,
    Death,
    Marriage,
    Migration,
    ResidenceChange,
    HouseholdChange,
    Person,
    Household,
)


@dataclass(frozen=True)
class GenerationResult:
    county: str
    scale: float
    seed: int
    today: date
    skipped: bool
    counts: dict[str, int]

    @property
    def people(self) -> int:
        return self.counts.get("people", 0)


def parse_scale(raw: str | float) -> float:
    """'small' / 'medium' / 'full' or a number of (0, 2]; a Chinese message otherwise."""
    if isinstance(raw, str) and raw.strip().lower() in SCALES:
        return SCALES[raw.strip().lower()]
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = -1.0
    if not 0 < value <= 2:
        raise DomainError(
            f"人口规模应为 small、medium、full 或 0 到 2 之间的数字（1 = 约56万人），收到：{raw}"
        )
    return value


def county_has_people(county_code: str) -> bool:
    return Person.objects.filter(**code_prefix_filter("unit_id", county_code)).exists()


def population_generate(
    *,
    county: OrgUnit,
    scale: float,
    seed: int,
    today: date,
    replace: bool = False,
) -> GenerationResult:
    """Generate the county's population as of `today` from `seed` (same inputs, same
    people). Does nothing when the county already has people, unless `replace`, which
    first deletes the county's registry records (audit rows stay: nothing points at
    people from the audit log)."""
    with transaction.atomic():
        if county_has_people(county.code):
            if not replace:
                return GenerationResult(county.code, scale, seed, today, True, {})
            _delete_county(county.code)
        population = _simulate(county, scale, seed, today)
        generator = demo_generator_user(county=county)
        counts = _write(population, entered_by=generator.pk)
        counts |= health_generate(
            county_code=county.code, scale=scale, seed=seed, today=today, by=generator.pk
        )
        audit_log(
            actor=generator,
            action="demo.county.generated",
            org_unit_id=county.code,
            detail={
                "scale": scale,
                "seed": seed,
                "today": today.isoformat(),
                "replaced": replace,
                **counts,
            },
        )
    return GenerationResult(county.code, scale, seed, today, False, counts)


# ---------------------------------------------------------------- in memory


def _villages(county: OrgUnit, rng: random.Random, people: int) -> list[Village]:
    units = list(
        OrgUnit.objects.filter(level=Level.VILLAGE, **code_prefix_filter("code", county.code))
        .order_by("code")
        .values_list("code", "name")
    )
    if not units:
        raise DomainError(f"{county.name}没有村(居)级区划，无法生成人口")
    villages = []
    weights = []
    for code, name in units:
        urban = "社区" in name
        short = name.replace("村民委员会", "村").replace("居民委员会", "").replace("委员会", "")
        villages.append(Village(code=code, township=code[:9], short_name=short, urban=urban))
        weights.append(rng.lognormvariate(0, 0.4) * (1.5 if urban else 1.0))
    total = sum(weights)
    for village, weight in zip(villages, weights, strict=True):
        village.target = round(people * weight / total)
    return villages


def _simulate(county: OrgUnit, scale: float, seed: int, today: date) -> Population:
    rng = random.Random(f"{seed}:villages")
    villages = _villages(county, rng, round(FULL_POPULATION * scale))
    townships = dict(
        OrgUnit.objects.filter(
            level=Level.TOWNSHIP, **code_prefix_filter("code", county.code)
        ).values_list("code", "name")
    )
    following = _next_household_numbers(county.code)
    for village in villages:
        village.next_number = following.get(village.code, 1)
    areas = [HOME_AREA] + [code for code, _ in ORIGINS]
    taken = frozenset(
        Person.objects.filter(id_number__regex=rf"^({'|'.join(areas)})").values_list(
            "id_number", flat=True
        )
    )
    simulation = Simulation(
        villages=villages,
        township_names=townships,
        scale=scale,
        seed=seed,
        today=today,
        tz=timezone.get_default_timezone(),
        first_person_pk=_next_pk(Person),
        first_home_pk=_next_pk(Household),
        first_union_pk=_next_pk(Marriage),
        taken_ids=taken,
    )
    return simulation.run()


def _next_pk(model: type[models.Model]) -> int:
    last = model.objects.aggregate(m=models.Max("pk"))["m"]
    return (last or 0) + 1


def _next_household_numbers(county_code: str) -> dict[str, int]:
    """The next running household number of each village that has households already:
    numbers are the village code and a running number (as the services number them)."""
    following: dict[str, int] = {}
    numbers = Household.objects.filter(**code_prefix_filter("number", county_code))
    for number in numbers.values_list("number", flat=True).iterator():
        village, tail = number[:12], number[12:]
        if tail.isdigit():
            following[village] = max(following.get(village, 1), int(tail) + 1)
    return following


# ---------------------------------------------------------------- database


def _delete_county(county_code: str) -> None:
    """Delete the county's registry records with one statement per table: deferred
    foreign keys let people and households go in either order within the transaction."""
    low, high = county_code, county_code + ":"
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in (*CARE_MODELS, *HEALTH_MODELS, *REGISTRY_MODELS):
            table, column = quote(model._meta.db_table), quote(model._meta.get_field("unit").column)
            sql = f"DELETE FROM {table} WHERE {column} >= %s AND {column} < %s"  # noqa: S608
            cursor.execute(sql, [low, high])
    try:
        connection.check_constraints()
    except IntegrityError:
        raise DomainError("其他业务数据引用了该县的人员或户，不能替换人口数据") from None


def _day_value() -> Callable[[int | None], Any]:
    """Day ordinal -> the database's date value, cached: a county has only some
    thirty thousand distinct days among its millions of dates."""
    cache: dict[int, Any] = {}
    adapt = connection.ops.adapt_datefield_value

    def convert(day: int | None) -> Any:
        if day is None:
            return None
        value = cache.get(day)
        if value is None:
            value = cache[day] = adapt(date.fromordinal(day))
        return value

    return convert


def _moment_value() -> Callable[[datetime], Any]:
    # The simulation's times are aware and in UTC already: SQLite stores them as naive
    # UTC text (what Django's adapter does, without its per-value time zone checks).
    if connection.vendor == "sqlite":
        return lambda moment: moment.replace(tzinfo=None).isoformat(" ")
    return lambda moment: moment


def _insert(model: type[models.Model], names: Sequence[str], rows: Iterable[tuple]) -> int:
    """Write rows of database-ready values; `names` are field names (FKs as `x_id`).

    Through the shared bulk writer (common/bulk.py). Event rows get their keys from it;
    people, households and marriages come with the keys the simulation gave them
    (households name their heads and people their households before either is written)."""
    columns = [model._meta.get_field(n.removesuffix("_id")).column for n in names]
    if names[0] != "id":
        batch = list(rows)
        insert_rows(model, columns, batch)
        return len(batch)
    return insert_values(model, columns, rows)


def _write(pop: Population, *, entered_by: int) -> dict[str, int]:
    common = ("entered_at", "updated_at", "version", "entered_by_id")
    by = entered_by
    _d, _t = _day_value(), _moment_value()
    person_ids = HouseholdChange._meta.get_field("person_ids")
    counts: dict[str, int] = {}
    counts["households"] = _insert(
        Household,
        ("id", "unit_id", "number", "address", "head_id", "dissolved_on", *common),
        (
            (h.pk, h.unit, h.number, h.address, h.head.pk if h.head else None, _d(h.dissolved),
             _t(h.entered), _t(h.entered), 1, by)
            for h in pop.homes
        ),
    )  # fmt: skip
    counts["people"] = _insert(
        Person,
        (
            "id", "unit_id", "name", "id_number", "sex", "birth_date", "ethnicity",
            "hukou_type", "hukou_unit_id", "household_id", "relation_to_head",
            "marital_status", "phone", "registered_on", "left_on", "status", *common,
        ),
        (
            (p.pk, p.unit, p.name, p.id_number, p.sex, _d(p.born), p.ethnicity, p.hukou_type,
             p.hukou_unit, p.home.pk if p.home else None, p.relation, p.marital, p.phone,
             _d(p.registered), _d(p.left), p.status, _t(p.entered), _t(p.updated), p.version, by)
            for p in pop.people
        ),
    )  # fmt: skip
    counts["marriages"] = _insert(
        Marriage,
        ("id", "unit_id", "husband_id", "wife_id", "married_on", "kind", "ended_on",
         "end_cause", *common),
        (
            (u.pk, u.unit, u.husband.pk, u.wife.pk, _d(u.married_on), u.kind, _d(u.ended),
             u.cause, _t(u.entered), _t(u.ended_entered or u.entered),
             1 if u.ended is None else 2, by)
            for u in pop.unions
        ),
    )  # fmt: skip
    counts["births"] = _insert(
        Birth,
        ("unit_id", "child_id", "mother_id", "father_id", "born_on", "sex", "birth_order",
         "place_type", "facility", "weight_g", *common),
        (
            (unit, child.pk, mother.pk, father.pk if father else None, _d(day), sex, order,
             place, facility, grams, _t(at), _t(at), 1, by)
            for child, mother, father, day, sex, order, place, facility, grams, unit, at
            in pop.births
        ),
    )  # fmt: skip
    counts["deaths"] = _insert(
        Death,
        ("unit_id", "person_id", "died_on", "cause", "place", *common),
        (
            (unit, p.pk, _d(day), cause, place, _t(at), _t(at), 1, by)
            for p, day, cause, place, unit, at in pop.deaths
        ),
    )  # fmt: skip
    counts["migrations"] = _insert(
        Migration,
        ("unit_id", "person_id", "direction", "moved_on", "place", "employer",
         "contact_phone", "returned_on", "status", *common),
        (
            (unit, p.pk, direction, _d(day), place, employer, phone, _d(back), status,
             _t(at), _t(at), 1 if back is None else 2, by)
            for p, direction, day, place, employer, phone, back, status, unit, at
            in pop.migrations
        ),
    )  # fmt: skip
    counts["residence_changes"] = _insert(
        ResidenceChange,
        ("unit_id", "person_id", "from_unit_id", "moved_on", "place", *common),
        (
            (unit, p.pk, from_unit, _d(day), place, _t(at), _t(at), 1, by)
            for p, unit, from_unit, day, place, at in pop.moves
        ),
    )  # fmt: skip
    counts["household_changes"] = _insert(
        HouseholdChange,
        ("unit_id", "kind", "from_household_id", "to_household_id", "person_ids",
         "changed_on", *common),
        (
            (unit, HouseholdChange.Kind.SPLIT.value, old.pk, new.pk,
             person_ids.get_db_prep_save(pks, connection), _d(day), _t(at), _t(at), 1, by)
            for old, new, pks, day, unit, at in pop.splits
        ),
    )  # fmt: skip
    # PostgreSQL's id sequences did not see the explicit ids: move them past them.
    statements = connection.ops.sequence_reset_sql(no_style(), list(REGISTRY_MODELS))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    return counts
