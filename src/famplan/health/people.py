"""Finding the people a health record is about: by ID number, or by name and village,
always within the actor's jurisdiction. One lookup for one form and for a whole file
(two queries a chunk), so the form and the import find the same person."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from famplan.common.bulk import chunked
from famplan.common.idnumbers import normalize
from famplan.orgunits.jurisdiction import scope
from famplan.registry.models import ON_REGISTER, Marriage, Person
from famplan.registry.services.errors import FieldError

NOT_FOUND = "在人口库中不存在或不在您的管辖范围内"


@dataclass(frozen=True)
class PersonRef:
    """How a person was named: an ID number, else a name and a village code."""

    id_number: str = ""
    name: str = ""
    village: str = ""

    @property
    def blank(self) -> bool:
        return not (self.id_number or self.name or self.village)

    def normalized(self) -> PersonRef:
        return PersonRef(normalize(self.id_number or ""), (self.name or "").strip(), self.village)


@dataclass
class PeopleLookup:
    """People of the actor's subtree on the register, by ID number and by (name, village);
    and the current husbands of the women among them."""

    by_id: dict[str, Person] = field(default_factory=dict)
    by_name: dict[tuple[str, str], list[Person]] = field(default_factory=dict)
    husbands: dict[int, Person] = field(default_factory=dict)


def people_lookup(actor: Any, refs: Iterable[PersonRef], *, husbands: bool = False) -> PeopleLookup:
    refs = [r.normalized() for r in refs if not r.blank]
    ids = sorted({r.id_number for r in refs if r.id_number})
    named = sorted({(r.name, r.village) for r in refs if not r.id_number and r.name and r.village})
    people = scope(Person.objects.filter(status__in=ON_REGISTER), actor, "unit").select_related(
        "unit"
    )
    found = PeopleLookup()
    for chunk in chunked(ids):
        for p in people.filter(id_number__in=chunk):
            found.by_id[p.id_number] = p
    for chunk in chunked(named):
        names = {n for n, _ in chunk}
        villages = {v for _, v in chunk}
        for p in people.filter(name__in=names, unit_id__in=villages).order_by("pk"):
            found.by_name.setdefault((p.name, p.unit_id), []).append(p)
    if husbands:
        women = sorted({p.pk for p in found.by_id.values()} | _pks(found.by_name))
        for chunk in chunked(women):
            marriages = Marriage.objects.filter(wife_id__in=chunk, ended_on__isnull=True)
            for m in marriages.select_related("husband", "husband__unit"):
                found.husbands[m.wife_id] = m.husband
    return found


def _pks(by_name: dict[tuple[str, str], list[Person]]) -> set[int]:
    return {p.pk for group in by_name.values() for p in group}


def pick(lookup: PeopleLookup, ref: PersonRef, *, field: str, label: str) -> Person:
    """The one person `ref` names, or FieldError on `field` saying why not."""
    ref = ref.normalized()
    if ref.id_number:
        person = lookup.by_id.get(ref.id_number)
        if person is None:
            raise FieldError(field, f"{label}身份证号{NOT_FOUND}")
        return person
    if not (ref.name and ref.village):
        raise FieldError(field, f"请填写{label}身份证号，或{label}姓名和所在村(居)")
    found = lookup.by_name.get((ref.name, ref.village), [])
    if not found:
        raise FieldError(field, f"{label}“{ref.name}”{NOT_FOUND}")
    if len(found) > 1:
        raise FieldError(
            field, f"该村(居)有 {len(found)} 人名为“{ref.name}”，请填写{label}身份证号"
        )
    return found[0]


def pick_husband(lookup: PeopleLookup, wife: Person, ref: PersonRef) -> Person:
    """The husband `ref` names; blank: the wife's current husband in the registry. He may
    live outside the actor's jurisdiction when he is her husband in the registry."""
    ref = ref.normalized()
    current = lookup.husbands.get(wife.pk)
    if ref.blank:
        if current is None:
            raise FieldError("husband", "人口库中没有女方的在婚配偶，请填写男方身份证号")
        return current
    if current is not None and (
        (ref.id_number and ref.id_number == current.id_number)
        or (not ref.id_number and ref.name == current.name and ref.village == current.unit_id)
    ):
        return current
    return pick(lookup, ref, field="husband", label="男方")
