"""Special-family candidates from the registry's facts: a couple whose only child died
(失独), or whose only child is disabled at grade 1-3 (伤残), with a parent still on the
register. Read in a few grouped queries (never a query per family); the township
confirms each (services.family_confirm).

Read here, not from the benefits app's eligibility (domain apps do not import each
other): that module judges a program's criteria (ages, hukou), this one only who the
family is."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q

from famplan.care.models import FamilyKind, FamilyStatus, SpecialFamily
from famplan.common.bulk import chunked
from famplan.orgunits.jurisdiction import jurisdiction_code
from famplan.registry.models import ON_REGISTER, Birth, Person, PersonStatus

SPECIAL_GRADES = (1, 2, 3)
PERSON_FIELDS = (
    "pk",
    "name",
    "id_number",
    "unit_id",
    "status",
    "phone",
    "one_child_certificate_on",
    "disability_grade",
    "left_on",
)


@dataclass(frozen=True)
class Candidate:
    child: dict
    mother: dict | None
    father: dict | None
    kind: str

    @property
    def unit_id(self) -> str:
        """The family's village: the mother's while she is on the register, else the
        father's."""
        for parent in (self.mother, self.father):
            if parent and parent["status"] in ON_REGISTER:
                return parent["unit_id"]
        return (self.mother or self.father)["unit_id"]

    @property
    def name(self) -> str:
        return "、".join(p["name"] for p in (self.father, self.mother) if p)

    @property
    def phone(self) -> str:
        return next((p["phone"] for p in (self.mother, self.father) if p and p["phone"]), "")

    @property
    def kind_label(self) -> str:
        return FamilyKind(self.kind).label

    @property
    def certificate(self) -> date | None:
        held = [p["one_child_certificate_on"] for p in (self.mother, self.father) if p]
        return next((d for d in held if d), None)


def candidates(prefix: str | None, *, child_ids: list[int] | None = None) -> list[Candidate]:
    """Candidates whose family village lies under `prefix` (None: anywhere), not yet in
    the special-family table (their child in any status, a parent on the register),
    ordered by village and name."""
    children = Person.objects.filter(
        Q(status=PersonStatus.DECEASED) | Q(disability_grade__in=SPECIAL_GRADES)
    )
    if child_ids is not None:
        children = children.filter(pk__in=child_ids)
    # A family on the register already (confirmed or closed), by its child or, for one
    # entered by hand without its child, by a parent, is not offered again.
    listed = SpecialFamily.objects.exclude(status=FamilyStatus.DISMISSED)
    births = list(
        Birth.objects.filter(child_id__in=children.values("pk"))
        .exclude(child_id__in=SpecialFamily.objects.filter(child__isnull=False).values("child_id"))
        .exclude(mother_id__in=listed.filter(mother__isnull=False).values("mother_id"))
        .exclude(father_id__in=listed.filter(father__isnull=False).values("father_id"))
        .values_list("child_id", "mother_id", "father_id")
    )
    if not births:
        return []
    mothers = {m for _, m, _ in births}
    fathers = {f for _, _, f in births if f}
    # Every child of each parent, with any spouse: one grouped query per side.
    counts: Counter = Counter()
    for column, keys in (("mother_id", mothers), ("father_id", fathers)):
        for chunk in chunked(sorted(keys)):
            rows = (
                Birth.objects.filter(**{f"{column}__in": chunk})
                .order_by()
                .values_list(column)
                .annotate(n=Count("pk"))
            )
            counts.update({(column, key): n for key, n in rows})
    people: dict[int, dict] = {}
    wanted = sorted(mothers | fathers | {c for c, _, _ in births})
    for chunk in chunked(wanted):
        for row in Person.objects.filter(pk__in=chunk).values(*PERSON_FIELDS):
            people[row["pk"]] = row
    found = []
    for child_id, mother_id, father_id in births:
        if counts[("mother_id", mother_id)] != 1:
            continue
        if father_id and counts[("father_id", father_id)] != 1:
            continue
        mother, father = people.get(mother_id), people.get(father_id) if father_id else None
        if not any(p and p["status"] in ON_REGISTER for p in (mother, father)):
            continue
        child = people[child_id]
        if child["status"] == PersonStatus.DECEASED:
            kind = FamilyKind.CHILD_DIED
        elif child["disability_grade"] in SPECIAL_GRADES:
            kind = FamilyKind.CHILD_DISABLED
        else:
            continue
        candidate = Candidate(child, mother, father, kind)
        if prefix is None or candidate.unit_id.startswith(prefix):
            found.append(candidate)
    found.sort(key=lambda c: (c.unit_id, c.name, c.child["pk"]))
    return found


def candidates_for_user(user: Any) -> list[Candidate]:
    code = jurisdiction_code(user)
    return [] if code is None else candidates(code)
