"""A person's life events, oldest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Q

from famplan.registry.models import (
    Birth,
    Death,
    Direction,
    HouseholdChange,
    Marriage,
    MarriageEnd,
    Migration,
    Person,
    ResidenceChange,
)


@dataclass(frozen=True)
class TimelineEntry:
    day: date
    kind: str
    text: str
    # Another person the event links to (a child, a spouse, a parent), if any.
    other: Person | None = None


def person_timeline(person: Person) -> list[TimelineEntry]:
    """The person's life events, oldest first: one query per event table (six in all,
    whatever the number of events)."""
    pk = person.pk
    entries: list[TimelineEntry] = []

    births = Birth.objects.filter(Q(child_id=pk) | Q(mother_id=pk) | Q(father_id=pk))
    for birth in births.select_related("child", "mother", "father"):
        if birth.child_id == pk:
            parents = "、".join(p.name for p in (birth.mother, birth.father) if p)
            entries.append(
                TimelineEntry(birth.born_on, "出生", f"出生，父母：{parents}", birth.mother)
            )
        else:
            role = "母亲" if birth.mother_id == pk else "父亲"
            entries.append(
                TimelineEntry(
                    birth.born_on,
                    "生育",
                    f"第{birth.birth_order}孩出生（{birth.get_sex_display()}）：{birth.child.name}"
                    f"，本人为{role}",
                    birth.child,
                )
            )

    deaths = list(Death.objects.filter(person_id=pk))
    for death in deaths:
        text = "死亡" + (f"，原因：{death.cause}" if death.cause else "")
        entries.append(TimelineEntry(death.died_on, "死亡", text))

    marriages = Marriage.objects.filter(Q(husband_id=pk) | Q(wife_id=pk))
    for marriage in marriages.select_related("husband", "wife"):
        spouse = marriage.wife if marriage.husband_id == pk else marriage.husband
        entries.append(
            TimelineEntry(
                marriage.married_on,
                "结婚",
                f"{marriage.get_kind_display()}，配偶：{spouse.name}",
                spouse,
            )
        )
        # A marriage ended by this person's own death is told by the death entry.
        own_death = marriage.end_cause == MarriageEnd.DEATH and any(
            d.died_on == marriage.ended_on for d in deaths
        )
        if marriage.ended_on and not own_death:
            cause = marriage.get_end_cause_display() or "婚姻终止"
            entries.append(
                TimelineEntry(
                    marriage.ended_on, cause, f"与{spouse.name}的婚姻终止（{cause}）", spouse
                )
            )

    for migration in Migration.objects.filter(person_id=pk):
        where = "流入，来自" if migration.direction == Direction.IN else "流出，前往"
        label = migration.get_direction_display()
        entries.append(TimelineEntry(migration.moved_on, label, where + migration.place))
        if migration.returned_on:
            entries.append(TimelineEntry(migration.returned_on, "返回", "流动结束（返回）"))

    units = {person.unit_id}
    changes = ResidenceChange.objects.filter(person_id=pk).select_related("from_unit", "unit")
    for change in changes:
        units.update((change.unit_id, change.from_unit_id))
        if change.place and change.unit_id == change.from_unit_id:
            entries.append(TimelineEntry(change.moved_on, "迁出", f"户口迁出，迁往{change.place}"))
        else:
            entries.append(
                TimelineEntry(
                    change.moved_on,
                    "居住地变更",
                    f"由{change.from_unit.name}迁至{change.unit.name}",
                )
            )

    entries.extend(_household_change_entries(person, units))
    entries.sort(key=lambda e: e.day)
    return entries


def _household_change_entries(person: Person, units: set[str]) -> list[TimelineEntry]:
    """Splits and merges that moved the person. They list the people they moved (a JSON
    array): PostgreSQL finds them with the array's containment; elsewhere, the changes
    of the villages the person lived in are read in one query and filtered here."""
    changes = HouseholdChange.objects.filter(unit_id__in=units, changed_on__gte=person.birth_date)
    if connection.features.supports_json_field_contains:
        changes = changes.filter(person_ids__contains=[person.pk])
    entries = []
    for change in changes.select_related("from_household", "to_household"):
        if person.pk in (change.person_ids or []):
            kind = change.get_kind_display()
            entries.append(
                TimelineEntry(
                    change.changed_on,
                    kind,
                    f"{kind}：由户{change.from_household.number}到户{change.to_household.number}",
                )
            )
    return entries
