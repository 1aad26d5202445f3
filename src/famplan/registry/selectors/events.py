"""Reads of the registry's event lists (births, deaths, marriages, migrations) and of
the list exports, cut to the user's jurisdiction on the event's own village.

A list page is one query for its rows (the people it shows joined) plus one for the
villages of the page; an export is one streamed query whatever its size.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from django.db.models import Model, QuerySet

from famplan.common.dates import age_on
from famplan.orgunits.jurisdiction import code_prefix_filter, get_in_scope_or_404, scope
from famplan.registry.models import (
    Birth,
    BirthPlace,
    Death,
    Direction,
    Marriage,
    MarriageEnd,
    MarriageKind,
    Migration,
    MigrationStatus,
    Sex,
)
from famplan.registry.selectors.ids import id_for_export
from famplan.registry.selectors.scoping import village_equality

SEX_LABELS = dict(Sex.choices)
PLACE_LABELS = dict(BirthPlace.choices)
KIND_LABELS = dict(MarriageKind.choices)
END_LABELS = dict(MarriageEnd.choices)
DIRECTION_LABELS = dict(Direction.choices)
MIGRATION_STATUS_LABELS = dict(MigrationStatus.choices)
EXPORT_CHUNK = 5000


def _age(born: date | None, day: date | None) -> int | None:
    return None if born is None or day is None else age_on(born, day)


def _events(
    model: type[Model],
    user: Any,
    date_field: str,
    *,
    date_from: date | None,
    date_to: date | None,
    unit: str | None,
) -> QuerySet:
    """Events of `model` in the user's jurisdiction, in `unit` and the date range.
    A village scope is an equality on the unit, so the (unit, date) index gives the
    rows in date order without a sort."""
    events = village_equality(scope(model.objects.all(), user, "unit"), user.org_unit_id)
    if unit:
        events = village_equality(events.filter(**code_prefix_filter("unit_id", unit)), unit)
    if date_from:
        events = events.filter(**{f"{date_field}__gte": date_from})
    if date_to:
        events = events.filter(**{f"{date_field}__lte": date_to})
    return events


# ---------------------------------------------------------------- births


def search_births(
    user: Any,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    unit: str | None = None,
    sex: str | None = None,
    order: int | None = None,
    place_type: str | None = None,
) -> QuerySet[Birth]:
    """Births, newest first. `order` 3 means the third child or later."""
    births = _events(Birth, user, "born_on", date_from=date_from, date_to=date_to, unit=unit)
    if sex:
        births = births.filter(sex=sex)
    if order and order >= 3:
        births = births.filter(birth_order__gte=3)
    elif order:
        births = births.filter(birth_order=order)
    if place_type:
        births = births.filter(place_type=place_type)
    # Villages by prefetch, not a join, as in people.search_people.
    return (
        births.select_related("child", "mother", "father")
        .prefetch_related("unit")
        .order_by("-born_on", "-id")
    )


BIRTH_COLUMNS: list[tuple[str, float]] = [
    ("婴儿姓名", 12),
    ("性别", 6),
    ("出生日期", 12),
    ("孩次", 6),
    ("母亲", 12),
    ("母亲身份证号", 21),
    ("父亲", 12),
    ("出生地点", 10),
    ("助产机构", 20),
    ("出生体重(克)", 12),
    ("村(居)代码", 14),
    ("村(居)", 14),
]


def birth_export_rows(births: QuerySet[Birth], *, full_ids: bool) -> Iterator[tuple]:
    rows = (
        births.prefetch_related(None)
        .values_list(
            "child__name",
            "sex",
            "born_on",
            "birth_order",
            "mother__name",
            "mother__id_number",
            "father__name",
            "place_type",
            "facility",
            "weight_g",
            "unit_id",
            "unit__name",
        )
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    for child, sex, born, order, mother, mother_id, father, place, *rest in rows:
        yield (
            child,
            SEX_LABELS.get(sex, sex),
            born,
            order,
            mother,
            id_for_export(mother_id, full_ids),
            father,
            PLACE_LABELS.get(place, place),
            *rest,
        )


# ---------------------------------------------------------------- deaths


def search_deaths(
    user: Any,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    unit: str | None = None,
    sex: str | None = None,
) -> QuerySet[Death]:
    deaths = _events(Death, user, "died_on", date_from=date_from, date_to=date_to, unit=unit)
    if sex:
        deaths = deaths.filter(person__sex=sex)
    return deaths.select_related("person").prefetch_related("unit").order_by("-died_on", "-id")


def add_ages_at_death(deaths: Sequence[Death]) -> None:
    """Set `age_at_death` on each death of a page (the person is already joined)."""
    for death in deaths:
        death.age_at_death = _age(death.person.birth_date, death.died_on)


DEATH_COLUMNS: list[tuple[str, float]] = [
    ("姓名", 12),
    ("身份证号", 21),
    ("性别", 6),
    ("出生日期", 12),
    ("死亡年龄", 8),
    ("死亡日期", 12),
    ("死亡原因", 20),
    ("死亡地点", 16),
    ("村(居)代码", 14),
    ("村(居)", 14),
]


def death_export_rows(deaths: QuerySet[Death], *, full_ids: bool) -> Iterator[tuple]:
    rows = (
        deaths.prefetch_related(None)
        .values_list(
            "person__name",
            "person__id_number",
            "person__sex",
            "person__birth_date",
            "died_on",
            "cause",
            "place",
            "unit_id",
            "unit__name",
        )
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    for name, id_number, sex, born, died, *rest in rows:
        yield (
            name,
            id_for_export(id_number, full_ids),
            SEX_LABELS.get(sex, sex),
            born,
            _age(born, died),
            died,
            *rest,
        )


# ---------------------------------------------------------------- marriages


def search_marriages(
    user: Any,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    unit: str | None = None,
    kind: str | None = None,
    ended: bool | None = None,
) -> QuerySet[Marriage]:
    """Marriages, newest first; `ended` True for those ended, False for current ones."""
    marriages = _events(
        Marriage, user, "married_on", date_from=date_from, date_to=date_to, unit=unit
    )
    if kind:
        marriages = marriages.filter(kind=kind)
    if ended is not None:
        marriages = marriages.filter(ended_on__isnull=not ended)
    return (
        marriages.select_related("husband", "wife")
        .prefetch_related("unit")
        .order_by("-married_on", "-id")
    )


MARRIAGE_COLUMNS: list[tuple[str, float]] = [
    ("丈夫", 12),
    ("丈夫身份证号", 21),
    ("妻子", 12),
    ("妻子身份证号", 21),
    ("结婚日期", 12),
    ("婚姻类型", 8),
    ("终止日期", 12),
    ("终止原因", 8),
    ("村(居)代码", 14),
    ("村(居)", 14),
]


def marriage_export_rows(marriages: QuerySet[Marriage], *, full_ids: bool) -> Iterator[tuple]:
    rows = (
        marriages.prefetch_related(None)
        .values_list(
            "husband__name",
            "husband__id_number",
            "wife__name",
            "wife__id_number",
            "married_on",
            "kind",
            "ended_on",
            "end_cause",
            "unit_id",
            "unit__name",
        )
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    for husband, husband_id, wife, wife_id, married, kind, ended, cause, *rest in rows:
        yield (
            husband,
            id_for_export(husband_id, full_ids),
            wife,
            id_for_export(wife_id, full_ids),
            married,
            KIND_LABELS.get(kind, kind),
            ended,
            END_LABELS.get(cause, cause),
            *rest,
        )


# ---------------------------------------------------------------- migrations


def search_migrations(
    user: Any,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    unit: str | None = None,
    direction: str | None = None,
    status: str | None = None,
) -> QuerySet[Migration]:
    migrations = _events(
        Migration, user, "moved_on", date_from=date_from, date_to=date_to, unit=unit
    )
    if direction:
        migrations = migrations.filter(direction=direction)
    if status:
        migrations = migrations.filter(status=status)
    return migrations.select_related("person").prefetch_related("unit").order_by("-moved_on", "-id")


MIGRATION_COLUMNS: list[tuple[str, float]] = [
    ("姓名", 12),
    ("身份证号", 21),
    ("性别", 6),
    ("方向", 6),
    ("流动日期", 12),
    ("流入地/流出地", 24),
    ("工作单位", 20),
    ("联系电话", 14),
    ("状态", 10),
    ("返回日期", 12),
    ("村(居)代码", 14),
    ("村(居)", 14),
]


def migration_export_rows(migrations: QuerySet[Migration], *, full_ids: bool) -> Iterator[tuple]:
    rows = (
        migrations.prefetch_related(None)
        .values_list(
            "person__name",
            "person__id_number",
            "person__sex",
            "direction",
            "moved_on",
            "place",
            "employer",
            "contact_phone",
            "status",
            "returned_on",
            "unit_id",
            "unit__name",
        )
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    for name, id_number, sex, direction, moved, place, employer, phone, status, *rest in rows:
        yield (
            name,
            id_for_export(id_number, full_ids),
            SEX_LABELS.get(sex, sex),
            DIRECTION_LABELS.get(direction, direction),
            moved,
            place,
            employer,
            phone,
            MIGRATION_STATUS_LABELS.get(status, status),
            *rest,
        )


# ---------------------------------------------------------------- single events


def get_marriage_for_user(user: Any, pk: int) -> Marriage:
    """A marriage of the user's jurisdiction (its unit is the wife's village), or 404."""
    queryset = Marriage.objects.select_related("husband", "wife", "unit")
    return get_in_scope_or_404(queryset, user, "unit", pk=pk)


def get_migration_for_user(user: Any, pk: int) -> Migration:
    queryset = Migration.objects.select_related("person", "unit")
    return get_in_scope_or_404(queryset, user, "unit", pk=pk)
