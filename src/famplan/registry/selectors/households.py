"""Reads of households, cut to the user's jurisdiction, and the household export."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from famplan.orgunits.jurisdiction import code_prefix_filter, get_in_scope_or_404, scope
from famplan.registry.models import (
    ON_REGISTER,
    Household,
    Person,
)
from famplan.registry.selectors.ids import id_for_export
from famplan.registry.selectors.scoping import NAME_CEILING, village_equality

EXPORT_CHUNK = 5000


def households_for_user(user: Any) -> QuerySet[Household]:
    return village_equality(scope(Household.objects.all(), user, "unit"), user.org_unit_id)


def search_households(
    user: Any,
    *,
    number: str | None = None,
    unit: str | None = None,
    head_name: str | None = None,
    include_dissolved: bool = False,
) -> QuerySet[Household]:
    households = households_for_user(user)
    if number:
        number = number.strip()
        households = households.filter(number__gte=number, number__lt=number + NAME_CEILING)
    if unit:
        households = village_equality(
            households.filter(**code_prefix_filter("unit_id", unit)), unit
        )
    if head_name:
        head_name = head_name.strip()
        households = households.filter(
            head__name__gte=head_name, head__name__lt=head_name + NAME_CEILING
        )
    if not include_dissolved:
        households = households.filter(dissolved_on__isnull=True)
    # Villages by prefetch, not a join: see search_people. Household numbers start
    # with the village code, so number order is village order too.
    return households.select_related("head").prefetch_related("unit").order_by("number")


def member_counts(household_ids: list[int]) -> dict[int, int]:
    """Living members on the register per household for one page of a list (the dead
    and those who moved away are not counted): one grouped query."""
    rows = (
        Person.objects.filter(household_id__in=household_ids, status__in=ON_REGISTER)
        .values("household_id")
        .annotate(n=Count("id"))
    )
    return {row["household_id"]: row["n"] for row in rows}


def get_household_for_user(user: Any, pk: int) -> Household:
    queryset = Household.objects.select_related("unit", "head")
    return get_in_scope_or_404(queryset, user, "unit", pk=pk)


def household_members(household: Household) -> list[Person]:
    """Members, the head first, then by birth date; those no longer on the register
    (dead, moved away) still belong to the household's record, so they come last."""
    members = list(household.members.select_related("unit").order_by("birth_date", "id"))
    members.sort(key=lambda p: (p.status not in ON_REGISTER, p.pk != household.head_id))
    return members


def living_members(members: list[Person]) -> list[Person]:
    """The members a household counts: on the register (not dead, not moved away)."""
    return [m for m in members if m.status in ON_REGISTER]


HOUSEHOLD_COLUMNS: list[tuple[str, float]] = [
    ("户号", 18),
    ("户主", 12),
    ("户主身份证号", 21),
    ("人数", 6),
    ("村(居)代码", 14),
    ("村(居)", 14),
    ("住址", 24),
    ("状态", 8),
    ("撤销日期", 12),
]


def household_export_rows(households: QuerySet[Household], *, full_ids: bool) -> Iterator[tuple]:
    """Rows for the household export (a queryset from selectors.search_households):
    one streamed query, member counts as a correlated count, not a query per row."""
    members = (
        Person.objects.filter(household_id=OuterRef("pk"), status__in=ON_REGISTER)
        .order_by()
        .values("household_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    rows = (
        households.prefetch_related(None)
        .annotate(member_count=Coalesce(Subquery(members, output_field=IntegerField()), 0))
        .values_list(
            "number",
            "head__name",
            "head__id_number",
            "member_count",
            "unit_id",
            "unit__name",
            "address",
            "dissolved_on",
        )
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    for number, head, head_id, count, unit_id, unit_name, address, dissolved in rows:
        yield (
            number,
            head,
            id_for_export(head_id, full_ids),
            count,
            unit_id,
            unit_name,
            address,
            "已撤销" if dissolved else "在册",
            dissolved,
        )
