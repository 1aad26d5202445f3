"""Writes of birth registrations: submit, register, return for correction, link the birth.

A service, never an approval: the number of children is recorded and never refused.
Each function is atomic, checks the registration's state (a wrong state is refused
with a Chinese message) and writes its audit row in the same transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from famplan.audit.services import audit_log, audit_log_rows
from famplan.common.bulk import chunked
from famplan.common.dates import today
from famplan.common.errors import DomainError
from famplan.common.idnumbers import InvalidIdNumber, normalize, parse_id_number
from famplan.common.text import InvalidText, clean_text
from famplan.orgunits.jurisdiction import unit_in_scope
from famplan.orgunits.models import Level, OrgUnit
from famplan.registration.models import (
    SPOUSE_LABELS,
    SPOUSES,
    BirthBundleRecord,
    BirthRegistration,
    BundleItem,
    CertificateSequence,
    Channel,
    ChildRelation,
    ChildSource,
    RegistrationChild,
    Status,
)
from famplan.registry.models import Birth, Marriage, Person, Sex
from famplan.registry.services.births import BirthWritten
from famplan.registry.services.people import FieldError

# A birth matches a registration's expected date when it comes up to this many days
# before it (a preterm birth) or after it (a late one).
EARLY_DAYS = 120
LATE_DAYS = 45
# Without an expected date: a birth from this long before the application on.
NO_DATE_LOOKBACK_DAYS = 300
# The expected date may lie at most this far ahead (registration before pregnancy
# names no date at all).
MAX_AHEAD_DAYS = 366

# Receipt numbers: no 0/O, 1/I/L, so a number read over the phone is typed right.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECEIPT_LENGTH = 12


class StateError(DomainError):
    """The registration is not in a state that allows this step."""


@dataclass
class SpouseData:
    name: str
    id_number: str
    hukou_unit_id: str | None = None
    hukou_address: str = ""
    residence_unit_id: str | None = None
    residence_address: str = ""


@dataclass
class ChildData:
    name: str
    sex: str
    born_on: date
    relation: str


@dataclass
class RegistrationData:
    """What the form hands over: both spouses, the marriage, the expected date, the
    couple's children the applicant declares."""

    township_id: str
    applicant: str
    wife: SpouseData
    husband: SpouseData
    married_on: date
    expected_on: date | None = None
    phone: str = ""
    children: list[ChildData] = field(default_factory=list)


def normalize_receipt(raw: str) -> str:
    """What a person typed as a receipt number: spaces and dashes dropped, upper case."""
    return "".join(ch for ch in raw.upper() if ch not in " -\t\u3000")


def new_receipt_number() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


def _text(value: str, field: str, label: str) -> str:
    try:
        return clean_text(value or "")
    except InvalidText as exc:
        raise FieldError(field, f"{label}{exc}") from None


def _check(data: RegistrationData, channel: str) -> None:
    """Refuse bad input with a message naming the field. Never the number of children."""
    township = OrgUnit.objects.filter(code=data.township_id, level=Level.TOWNSHIP).first()
    if township is None:
        raise FieldError("township", "办理乡镇应为乡镇(街道)")
    for prefix, sex in (("wife", Sex.FEMALE), ("husband", Sex.MALE)):
        spouse: SpouseData = getattr(data, prefix)
        label = SPOUSE_LABELS[prefix]
        spouse.name = _text(spouse.name, f"{prefix}_name", f"{label}姓名")
        spouse.hukou_address = _text(
            spouse.hukou_address, f"{prefix}_hukou_address", f"{label}户籍地址"
        )
        spouse.residence_address = _text(
            spouse.residence_address, f"{prefix}_residence_address", f"{label}现居住地址"
        )
        if not spouse.name:
            raise FieldError(f"{prefix}_name", f"请填写{label}姓名")
        spouse.id_number = normalize(spouse.id_number or "")
        try:
            facts = parse_id_number(spouse.id_number)
        except InvalidIdNumber as exc:
            raise FieldError(f"{prefix}_id_number", f"{label}{exc}") from None
        if facts.sex != sex:
            raise FieldError(
                f"{prefix}_id_number",
                f"{label}身份证号的性别为{Sex(facts.sex).label}（第17位奇数为男，偶数为女）",
            )
        for kind in ("hukou", "residence"):
            unit_id = getattr(spouse, f"{kind}_unit_id")
            if unit_id and not OrgUnit.objects.filter(code=unit_id, level=Level.VILLAGE).exists():
                raise FieldError(f"{prefix}_{kind}_unit", f"{label}所选村(居)不存在")
    if data.married_on > today():
        raise FieldError("married_on", "结婚日期不能晚于今天")
    if data.expected_on and data.expected_on > today() + timedelta(days=MAX_AHEAD_DAYS):
        raise FieldError("expected_on", "预产期不能晚于一年以后")
    for i, child in enumerate(data.children, start=1):
        child.name = _text(child.name, "children", f"第{i}个子女姓名")
        if not child.name:
            raise FieldError("children", f"第{i}个子女：请填写姓名")
        if child.born_on > today():
            raise FieldError("children", f"第{i}个子女：出生日期不能晚于今天")
    if channel == Channel.ONLINE:
        # Online nothing of the registry is consulted for this rule (it would tell a
        # stranger where a person lives): the typed places must name the township.
        for prefix in SPOUSES:
            spouse = getattr(data, prefix)
            for kind, word in (("hukou", "户籍地"), ("residence", "现居住地")):
                if (
                    not getattr(spouse, f"{kind}_unit_id")
                    and not getattr(spouse, f"{kind}_address").strip()
                ):
                    raise FieldError(
                        f"{prefix}_{kind}_address", f"请填写{SPOUSE_LABELS[prefix]}{word}"
                    )


def _place_units(registration: BirthRegistration, *, typed_only: bool) -> list[str]:
    codes = []
    for prefix in SPOUSES:
        person: Person | None = getattr(registration, f"{prefix}_person")
        if person is not None and not typed_only:
            codes += [person.unit_id, person.hukou_unit_id]
        codes += [
            getattr(registration, f"{prefix}_hukou_unit_id"),
            getattr(registration, f"{prefix}_residence_unit_id"),
        ]
    return [c for c in codes if c]


def _check_place(registration: BirthRegistration, *, typed_only: bool) -> None:
    """21号: registered at the township of either spouse's hukou or residence."""
    township = registration.township_id
    if not any(
        code.startswith(township) for code in _place_units(registration, typed_only=typed_only)
    ):
        raise FieldError(
            "township",
            "应在夫妻一方户籍地或现居住地的乡镇(街道)办理，请核对办理乡镇和户籍地、现居住地",
        )


def _resolve(registration: BirthRegistration, declared: list[ChildData] | None) -> None:
    """Read the registry for the spouses, their marriage and their children; record why
    the form does not match it. Sets fields and rewrites the children rows."""
    reasons: list[str] = []
    for prefix in SPOUSES:
        label = SPOUSE_LABELS[prefix]
        id_number = getattr(registration, f"{prefix}_id_number")
        person = Person.objects.filter(id_number=id_number).first()
        setattr(registration, f"{prefix}_person", person)
        if person is None:
            reasons.append(f"{label}不在人口信息库中")
            village = getattr(registration, f"{prefix}_residence_unit_id")
        else:
            if person.name != getattr(registration, f"{prefix}_name"):
                reasons.append(f"{label}姓名与人口信息库不一致")
            village = person.unit_id
        setattr(registration, f"{prefix}_village_id", village)
    wife, husband = registration.wife_person, registration.husband_person
    registration.marriage = None
    if wife is not None and husband is not None:
        registration.marriage = (
            Marriage.objects.filter(wife=wife, husband=husband, ended_on__isnull=True)
            .order_by("-married_on")
            .first()
        )
        if registration.marriage is None:
            reasons.append("人口信息库中没有二人的在婚记录")
    registration.mismatch_reasons = reasons

    # Children: the registry's where the spouses are found, then those declared that
    # the registry does not hold (same birth date and sex counts as the same child).
    kept_declared = [
        ChildData(c.name, c.sex, c.born_on, c.relation)
        for c in (
            declared
            if declared is not None
            else registration.children.filter(source=ChildSource.DECLARED)
        )
    ]
    rows: list[RegistrationChild] = []
    # Registered after the birth: the child this registration is for is not one of the
    # children before it.
    this_child = {registration.birth_id} | {b.pk for b in _births_fitting_expected(registration)}
    condition = Q(pk__in=[])
    if wife is not None:
        condition |= Q(mother=wife)
    if husband is not None:
        condition |= Q(father=husband)
    births = Birth.objects.filter(condition).exclude(pk__in=[p for p in this_child if p])
    for birth in births.select_related("child").order_by("born_on"):
        if wife is not None and husband is not None and birth.mother_id == wife.pk:
            relation = ChildRelation.JOINT if birth.father_id == husband.pk else ChildRelation.WIFE
        elif wife is not None and birth.mother_id == wife.pk:
            relation = ChildRelation.WIFE
        else:
            relation = ChildRelation.HUSBAND
        declared_same = next(
            (c for c in kept_declared if c.born_on == birth.born_on and c.sex == birth.sex), None
        )
        if declared_same is not None:
            kept_declared.remove(declared_same)
            if wife is None or husband is None:
                # One spouse is not in the registry: whether the child is joint is
                # what the applicant says.
                relation = declared_same.relation
        rows.append(
            RegistrationChild(
                name=birth.child.name,
                sex=birth.sex,
                born_on=birth.born_on,
                relation=relation,
                source=ChildSource.REGISTRY,
                birth=birth,
            )
        )
    rows += [
        RegistrationChild(
            name=c.name,
            sex=c.sex,
            born_on=c.born_on,
            relation=c.relation,
            source=ChildSource.DECLARED,
        )
        for c in kept_declared
    ]
    if registration.pk:
        registration.children.all().delete()
    registration._pending_children = rows  # saved by _save_children once the row has a pk
    registration.joint_children = sum(1 for r in rows if r.relation == ChildRelation.JOINT)
    registration.birth_order = registration.joint_children + 1


def _save_children(registration: BirthRegistration) -> None:
    rows = getattr(registration, "_pending_children", [])
    for row in rows:
        row.registration = registration
    RegistrationChild.objects.bulk_create(rows)
    registration._pending_children = []


def _next_certificate_number(registration: BirthRegistration, on: date) -> str:
    county = registration.county_code
    CertificateSequence.objects.get_or_create(county_code=county, year=on.year)
    # Row lock: two clerks registering at once must not take the same number.
    seq = CertificateSequence.objects.select_for_update().get(county_code=county, year=on.year)
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"{county}-{on.year}-{seq.last:06d}"


def _mark_registered(registration: BirthRegistration, actor: Any) -> None:
    on = today()
    registration.status = Status.REGISTERED
    registration.registered_on = on
    registration.certificate_number = _next_certificate_number(registration, on)
    registration.handled_at = timezone.now()
    registration.handled_by = actor if getattr(actor, "pk", None) else None


@transaction.atomic
def registration_submit(
    *, actor: Any | None, data: RegistrationData, channel: str
) -> BirthRegistration:
    """A spouse applies. At the counter a form that matches the registry (both spouses
    found under their names, a current marriage between them) is registered at once;
    anything else, and every online application, waits in the township's queue."""
    _check(data, channel)
    if channel == Channel.COUNTER and not unit_in_scope(actor, data.township_id):
        raise FieldError("township", "办理乡镇不在您的管辖范围内")
    registration = BirthRegistration(
        status=Status.PENDING,
        channel=channel,
        township_id=data.township_id,
        applicant=data.applicant,
        phone=data.phone.strip(),
        married_on=data.married_on,
        expected_on=data.expected_on,
        submitted_by=actor if channel == Channel.COUNTER else None,
        birth_order=1,
    )
    for prefix in SPOUSES:
        spouse: SpouseData = getattr(data, prefix)
        setattr(registration, f"{prefix}_name", spouse.name)
        setattr(registration, f"{prefix}_id_number", spouse.id_number)
        setattr(registration, f"{prefix}_hukou_unit_id", spouse.hukou_unit_id or None)
        setattr(registration, f"{prefix}_hukou_address", spouse.hukou_address.strip())
        setattr(registration, f"{prefix}_residence_unit_id", spouse.residence_unit_id or None)
        setattr(registration, f"{prefix}_residence_address", spouse.residence_address.strip())
    _resolve(registration, data.children)
    _check_place(registration, typed_only=channel == Channel.ONLINE)
    if channel == Channel.COUNTER:
        for prefix in SPOUSES:
            if getattr(registration, f"{prefix}_person") is None:
                spouse = getattr(data, prefix)
                for kind, word in (("hukou", "户籍地"), ("residence", "现居住地")):
                    if (
                        not getattr(spouse, f"{kind}_unit_id")
                        and not getattr(spouse, f"{kind}_address").strip()
                    ):
                        raise FieldError(
                            f"{prefix}_{kind}_address",
                            f"{SPOUSE_LABELS[prefix]}不在人口信息库中，请填写{word}",
                        )
    matched = channel == Channel.COUNTER and not registration.mismatch_reasons
    if matched:
        _mark_registered(registration, actor)
    for _attempt in range(5):
        registration.receipt_number = new_receipt_number()
        try:
            with transaction.atomic():
                registration.save()
            break
        except IntegrityError:
            # A receipt collision (31^12 numbers: practically never); draw again.
            registration.pk = None
            continue
    else:  # pragma: no cover
        raise DomainError("生成回执号失败，请重试")
    _save_children(registration)
    audit_log(
        actor=actor,
        action="registration.registration.submitted",
        target=registration,
        org_unit_id=registration.township_id,
        detail={
            "channel": channel,
            "status": registration.status,
            "reasons": registration.mismatch_reasons,
            "birth_order": registration.birth_order,
        },
    )
    if matched:
        _audit_registered(actor, registration, at_once=True)
        _auto_link(actor, registration)
    return registration


def _audit_registered(actor: Any, registration: BirthRegistration, *, at_once: bool) -> None:
    audit_log(
        actor=actor,
        action="registration.registration.registered",
        target=registration,
        org_unit_id=registration.township_id,
        detail={
            "certificate": registration.certificate_number,
            "at_once": at_once,
            "birth_order": registration.birth_order,
        },
    )


def _locked(registration: BirthRegistration) -> BirthRegistration:
    # Re-read under a row lock: two clerks working the same queue item at once must
    # not both pass the state check.
    return BirthRegistration.objects.select_for_update().get(pk=registration.pk)


def _require_handler(actor: Any, registration: BirthRegistration) -> None:
    if not unit_in_scope(actor, registration.township_id):
        raise StateError("该生育登记由其他乡镇办理，您不能办理")


@transaction.atomic
def registration_register(*, actor: Any, registration: BirthRegistration) -> BirthRegistration:
    """The township has verified a queued application (papers seen): it is registered,
    with the registry read again for the spouses, marriage and children."""
    registration = _locked(registration)
    _require_handler(actor, registration)
    if registration.status != Status.PENDING:
        raise StateError(
            f"该申请当前为“{registration.get_status_display()}”，只有待核实的申请可以登记"
        )
    _resolve(registration, None)
    _save_children(registration)
    _mark_registered(registration, actor)
    registration.version += 1
    registration.save()
    _audit_registered(actor, registration, at_once=False)
    _auto_link(actor, registration)
    return registration


@transaction.atomic
def registration_return(
    *, actor: Any, registration: BirthRegistration, reason: str
) -> BirthRegistration:
    """The township cannot verify the application: back to the applicant for correction."""
    reason = _text(reason, "reason", "退回原因")
    if not reason:
        raise FieldError("reason", "请填写退回原因")
    if len(reason) > 200:
        raise FieldError("reason", "退回原因最多200个字")
    registration = _locked(registration)
    _require_handler(actor, registration)
    if registration.status != Status.PENDING:
        raise StateError(
            f"该申请当前为“{registration.get_status_display()}”，只有待核实的申请可以退回"
        )
    registration.status = Status.RETURNED
    registration.return_reason = reason
    registration.handled_at = timezone.now()
    registration.handled_by = actor
    registration.version += 1
    registration.save(
        update_fields=["status", "return_reason", "handled_at", "handled_by", "version"]
    )
    audit_log(
        actor=actor,
        action="registration.registration.returned",
        target=registration,
        org_unit_id=registration.township_id,
        detail={"reason": reason},
    )
    return registration


def is_wife(registration: BirthRegistration, mother: Person) -> bool:
    """The mother is the registration's wife: the registry person it found, or the
    person with her ID number (she may have joined the registry after applying)."""
    if registration.wife_person_id is not None:
        return mother.pk == registration.wife_person_id
    return bool(mother.id_number) and mother.id_number == registration.wife_id_number


def birth_matches(registration: BirthRegistration, birth: Birth) -> bool:
    """The mother is the registration's wife and the date fits the expected date."""
    return is_wife(registration, birth.mother) and date_fits(registration, birth.born_on)


def date_fits(registration: BirthRegistration, born_on: date) -> bool:
    """A birth on this day can be the one the registration expects."""
    if registration.expected_on is None:
        since = registration.submitted_at.date() - timedelta(days=NO_DATE_LOOKBACK_DAYS)
        return born_on >= since
    return (
        registration.expected_on - timedelta(days=EARLY_DAYS)
        <= born_on
        <= registration.expected_on + timedelta(days=LATE_DAYS)
    )


def _wife_births(registration: BirthRegistration) -> QuerySet[Birth]:
    births = Birth.objects.filter(registration__isnull=True).select_related("mother")
    if registration.wife_person_id is not None:
        return births.filter(mother_id=registration.wife_person_id)
    return births.filter(mother__id_number=registration.wife_id_number)


def _births_fitting_expected(registration: BirthRegistration) -> list[Birth]:
    """The wife's unlinked births around the expected date (none without a date)."""
    if registration.wife_person_id is None or registration.expected_on is None:
        return []
    return list(
        _wife_births(registration).filter(
            born_on__gte=registration.expected_on - timedelta(days=EARLY_DAYS),
            born_on__lte=registration.expected_on + timedelta(days=LATE_DAYS),
        )
    )


def candidate_births(registration: BirthRegistration) -> list[Birth]:
    """The wife's births not linked to any registration that fit the expected date."""
    return [
        b for b in _wife_births(registration).order_by("born_on") if birth_matches(registration, b)
    ]


@transaction.atomic
def registration_link_birth(
    *, actor: Any, registration: BirthRegistration, birth: Birth
) -> BirthRegistration:
    """The child is born: link the registry's Birth to the registration."""
    registration = _locked(registration)
    if registration.status != Status.REGISTERED:
        raise StateError("只有已登记的生育登记可以关联出生")
    if registration.birth_id is not None:
        raise StateError("该生育登记已关联出生记录")
    birth = Birth.objects.select_for_update().select_related("mother").get(pk=birth.pk)
    if BirthRegistration.objects.filter(birth=birth).exists():
        raise StateError("该出生记录已关联其他生育登记")
    if not birth_matches(registration, birth):
        raise StateError("该出生记录的母亲或出生日期与本生育登记不符")
    registration.birth = birth
    registration.birth_linked_at = timezone.now()
    registration.wife_person = birth.mother  # found now, if she joined the registry later
    registration.version += 1
    registration.save(update_fields=["birth", "birth_linked_at", "wife_person", "version"])
    audit_log(
        actor=actor,
        action="registration.registration.birth_linked",
        target=registration,
        org_unit_id=registration.township_id,
        detail={"birth": birth.pk, "born_on": birth.born_on.isoformat()},
    )
    return registration


def _auto_link(actor: Any, registration: BirthRegistration) -> None:
    """Registered after the birth: link it now if exactly one birth fits."""
    found = candidate_births(registration)
    if len(found) == 1:
        linked = registration_link_birth(actor=actor, registration=registration, birth=found[0])
        registration.birth = linked.birth
        registration.birth_linked_at = linked.birth_linked_at
        registration.version = linked.version


@transaction.atomic
def registration_link_on_birth(*, actor: Any, birth: Birth) -> BirthRegistration | None:
    """A birth was recorded: link it to the mother's registered, unlinked registration
    whose expected date fits (the nearest, if several). None when there is none.

    Births link as they are written (registrations_link_recorded, on the registry's
    births_recorded signal); this is the manual retry of the 出生一件事 page, for a
    birth whose registration was not registered or not fitting at the time."""
    if BirthRegistration.objects.filter(birth=birth).exists():
        return None
    mother = birth.mother
    by_wife = Q(wife_person_id=mother.pk)
    if mother.id_number:
        by_wife |= Q(wife_person__isnull=True, wife_id_number=mother.id_number)
    waiting = BirthRegistration.objects.filter(
        by_wife, status=Status.REGISTERED, birth__isnull=True
    )
    fits = [r for r in waiting if birth_matches(r, birth)]
    if not fits:
        return None
    fits.sort(key=lambda r: abs(((r.expected_on or birth.born_on) - birth.born_on).days))
    return registration_link_birth(actor=actor, registration=fits[0], birth=birth)


def registrations_link_recorded(
    *, actor: Any, births: Sequence[BirthWritten], detail: dict | None = None
) -> int:
    """Births were just recorded (births_write: the form, an import, the hospitals'
    API): link each to the mother's registered, unlinked registration whose expected
    date fits, the nearest if several, set-based for a whole import. Runs inside the
    births' transaction (the births_recorded signal), so a refused import links nothing.
    Twins share one registration: the first of them takes it. Returns how many linked."""
    if not births:
        return 0
    mother_ids = sorted({b.mother_id for b in births})
    id_numbers = {b.mother_id: b.mother_id_number for b in births if b.mother_id_number}
    by_mother: dict[int, list[BirthRegistration]] = {}
    by_number = {number: pk for pk, number in id_numbers.items()}
    waiting = BirthRegistration.objects.select_for_update().filter(
        status=Status.REGISTERED, birth__isnull=True
    )
    for chunk in chunked(mother_ids):
        numbers = [id_numbers[pk] for pk in chunk if pk in id_numbers]
        found = waiting.filter(
            Q(wife_person_id__in=chunk) | Q(wife_person__isnull=True, wife_id_number__in=numbers)
        )
        for registration in found:
            mother = registration.wife_person_id or by_number[registration.wife_id_number]
            by_mother.setdefault(mother, []).append(registration)
    if not by_mother:
        return 0
    now = timezone.now()
    linked: list[BirthRegistration] = []
    for birth in sorted(births, key=lambda b: (b.born_on, b.pk)):
        fits = [
            r
            for r in by_mother.get(birth.mother_id, ())
            if r.birth_id is None and date_fits(r, birth.born_on)
        ]
        if not fits:
            continue
        fits.sort(
            key=lambda r: (abs(((r.expected_on or birth.born_on) - birth.born_on).days), r.pk)
        )
        registration = fits[0]
        registration.birth_id = birth.pk
        registration.birth_linked_at = now
        registration.wife_person_id = birth.mother_id
        registration.version += 1
        linked.append(registration)
    BirthRegistration.objects.bulk_update(
        linked, ["birth", "birth_linked_at", "wife_person", "version"], batch_size=500
    )
    audit_log_rows(
        actor=actor,
        action="registration.registration.birth_linked",
        target_type=BirthRegistration._meta.label_lower,
        rows=((r.township_id, r.pk, str(r)) for r in linked),
        detail={"cause": "birth_recorded", **(detail or {})},
    )
    return len(linked)


def on_births_recorded(sender: Any, *, actor: Any, births: Sequence[BirthWritten],
                       detail: dict | None = None, **_: Any) -> None:  # fmt: skip
    """The receiver of registry.services.births.births_recorded (apps.py connects it)."""
    registrations_link_recorded(actor=actor, births=births, detail=detail)


@transaction.atomic
def registration_link_births(*, actor: Any, registrations: QuerySet[BirthRegistration]) -> int:
    """Link every registered, unlinked registration of `registrations` (the handler's
    own, from get_registration_to_handle's scope) for which exactly one birth fits.
    Returns how many were linked; several fitting births (twins) wait for a person."""
    linked = 0
    waiting = registrations.filter(status=Status.REGISTERED, birth__isnull=True)
    for registration in waiting.iterator():
        found = candidate_births(registration)
        if len(found) == 1:
            registration_link_birth(actor=actor, registration=registration, birth=found[0])
            linked += 1
    return linked


@transaction.atomic
def bundle_item_record(
    *, actor: Any, birth: Birth, item: str, number: str, done_on: date
) -> BirthBundleRecord:
    """An item of the "出生一件事" bundle is done (entered, or as the other office told):
    its number and date. Recording it again corrects it; the audit row keeps both."""
    if item not in BundleItem.values:
        raise FieldError("item", "事项无效")
    label = BundleItem(item).label
    number = _text(number, "number", f"{label}的编号")
    if not number:
        raise FieldError("number", f"请填写{label}的编号")
    if len(number) > 40:
        raise FieldError("number", f"{label}的编号最多40位")
    if done_on > today():
        raise FieldError("done_on", f"{label}的办理日期不能晚于今天")
    if done_on < birth.born_on:
        raise FieldError("done_on", f"{label}的办理日期不能早于出生日期")
    record = BirthBundleRecord.objects.select_for_update().filter(birth=birth, item=item).first()
    before = {"number": record.number, "done_on": record.done_on.isoformat()} if record else None
    if record is None:
        record = BirthBundleRecord(birth=birth, item=item, unit_id=birth.unit_id)
    record.number, record.done_on, record.recorded_by = number, done_on, actor
    record.save()
    audit_log(
        actor=actor,
        action="registration.bundle.recorded",
        target=record,
        org_unit_id=birth.unit_id,
        detail={"birth": birth.pk, "item": item, "before": before},
    )
    return record
