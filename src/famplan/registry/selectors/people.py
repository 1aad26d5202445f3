"""Reads of people, always cut to the user's jurisdiction.

Hot paths (search by ID number, by name) are one indexed query each: the ID number is
an equality on its unique index, a name prefix a range on the (name, unit) index, and
the jurisdiction a range on the unit code.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.db.models import QuerySet

from famplan.common.idnumbers import normalize
from famplan.orgunits.jurisdiction import code_prefix_filter, get_in_scope_or_404, scope
from famplan.registry.models import (
    Person,
    PersonStatus,
    Sex,
)
from famplan.registry.selectors.ids import id_for_export
from famplan.registry.selectors.scoping import NAME_CEILING, village_equality


def people_for_user(user: Any) -> QuerySet[Person]:
    return village_equality(scope(Person.objects.all(), user, "unit"), user.org_unit_id)


def search_people(
    user: Any,
    *,
    q: str | None = None,
    id_number: str | None = None,
    name: str | None = None,
    unit: str | None = None,
    status: str | None = None,
    sex: str | None = None,
    born_from: date | None = None,
    born_to: date | None = None,
    has_id: bool | None = None,
) -> QuerySet[Person]:
    """People in the user's jurisdiction matching every given filter, their villages
    fetched with the page.

    `q` is a quick search: an 18-character value is an ID number, anything else a name.
    """
    people = people_for_user(user)
    q = (q or "").strip()
    if q:
        if len(q) == 18 and q[:17].isdigit():
            id_number = id_number or q
        else:
            name = name or q
    if id_number:
        people = people.filter(id_number=normalize(id_number))
    if name:
        name = name.strip()
        people = people.filter(name__gte=name, name__lt=name + NAME_CEILING)
    if unit:
        # A township code selects all its villages; a village code just that village.
        people = village_equality(people.filter(**code_prefix_filter("unit_id", unit)), unit)
    if status:
        people = people.filter(status=status)
    if sex:
        people = people.filter(sex=sex)
    if born_from:
        people = people.filter(birth_date__gte=born_from)
    if born_to:
        people = people.filter(birth_date__lte=born_to)
    if has_id is True:
        people = people.filter(id_number__isnull=False)
    elif has_id is False:
        people = people.filter(id_number__isnull=True)
    # The order is one an index gives, so a page reads 50 rows instead of sorting every
    # match: by name along the (name, unit) index for a name search, else village by
    # village along the unit index (sorting by name within one village at a time).
    # The village names of a page come in one extra query (prefetch), not a join: with
    # the join, SQLite walks every village of the jurisdiction and sorts all its people
    # (1.8 s for a county) instead of reading an index in order.
    ordering = ("name", "unit_id", "id") if name else ("unit_id", "name", "id")
    return people.prefetch_related("unit").order_by(*ordering)


def get_person_for_user(user: Any, pk: int) -> Person:
    queryset = Person.objects.select_related("unit", "household", "hukou_unit", "entered_by")
    return get_in_scope_or_404(queryset, user, "unit", pk=pk)


SEX_LABELS = dict(Sex.choices)
STATUS_LABELS = dict(PersonStatus.choices)

EXPORT_COLUMNS: list[tuple[str, float]] = [
    ("姓名", 12),
    ("身份证号", 21),
    ("性别", 6),
    ("出生日期", 12),
    ("民族", 8),
    ("村(居)代码", 14),
    ("村(居)", 14),
    ("户号", 18),
    ("状态", 10),
]


def export_rows(people: QuerySet[Person], *, full_ids: bool) -> Iterator[tuple]:
    """Rows for the people export: one query (the village and household joined),
    streamed in chunks; ID numbers masked unless `full_ids`."""
    rows = (
        people.order_by("unit_id", "name", "id")
        .values_list(
            "name",
            "id_number",
            "sex",
            "birth_date",
            "ethnicity",
            "unit_id",
            "unit__name",
            "household__number",
            "status",
        )
        .iterator(chunk_size=5000)
    )
    for name, id_number, sex, born, ethnicity, unit_id, unit_name, hh, status in rows:
        yield (
            name,
            id_for_export(id_number, full_ids),
            SEX_LABELS.get(sex, sex),
            born,
            ethnicity,
            unit_id,
            unit_name,
            hh,
            STATUS_LABELS.get(status, status),
        )
