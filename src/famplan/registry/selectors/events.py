"""Reads of the registry's event lists (births, deaths, marriages, migrations), cut to
the user's jurisdiction on the event's own village.

A list page is one query for its rows (the people it shows joined) plus one for the
villages of the page. What the exports of these lists hold: registry/exports.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db.models import Model, QuerySet

from famplan.common.dates import age_on
from famplan.orgunits.jurisdiction import code_prefix_filter, get_in_scope_or_404, scope
from famplan.registry.models import Birth, Death, Marriage, Migration
from famplan.registry.selectors.scoping import village_equality


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


# ---------------------------------------------------------------- single events


def get_marriage_for_user(user: Any, pk: int) -> Marriage:
    """A marriage of the user's jurisdiction (its unit is the wife's village), or 404."""
    queryset = Marriage.objects.select_related("husband", "wife", "unit")
    return get_in_scope_or_404(queryset, user, "unit", pk=pk)


def get_migration_for_user(user: Any, pk: int) -> Migration:
    queryset = Migration.objects.select_related("person", "unit")
    return get_in_scope_or_404(queryset, user, "unit", pk=pk)
