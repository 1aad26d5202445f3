"""Writes of the hospital delivery records: facilities, their staff and API tokens, and
the deliveries themselves.

A delivery becomes a registry Birth through the registry's own rules and writer
(registry.services.births: birth_problems, recorded_births, births_write), never a
copy of them: the API, the facility's form and the registry's birth form refuse the
same births with the same messages and write the same records (tests/deliveries
parity test). What is the facility's own: its record id (idempotent per facility), the
facts it posts (ID number, date, sex, weight, place), and matching a Birth the village
already entered instead of refusing it as a duplicate.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from famplan.accounts.roles import Role
from famplan.audit.services import audit_log, audit_log_rows
from famplan.common.bulk import chunked, insert_records
from famplan.common.errors import DomainError
from famplan.common.idnumbers import InvalidIdNumber, normalize, parse_id_number
from famplan.common.text import InvalidText, clean_text
from famplan.deliveries.models import (
    DeliveryRecord,
    DeliveryStatus,
    Facility,
    FacilityMember,
    FacilityToken,
    Via,
)
from famplan.orgunits.jurisdiction import code_prefix_filter, unit_in_scope
from famplan.orgunits.models import Level, OrgUnit
from famplan.registry.models import Birth, BirthPlace, Person, Sex
from famplan.registry.services.births import (
    BirthCompletion,
    BirthData,
    NewBirth,
    RecordedBirth,
    birth_problems,
    births_complete,
    births_write,
    normalize_certificate_number,
    recorded_births,
    taken_certificate_numbers,
)
from famplan.registry.services.people import FACT_FIELDS, FieldError

MAX_BATCH = 1000
TOKEN_PREFIX = "fpd_"
# How often a token's last use is written: not on every call of a busy hospital.
LAST_USED_EVERY = timedelta(minutes=5)
# The registry's field names (birth_problems) -> the delivery's.
FIELDS = {
    "born_on": "delivered_on",
    "mother": "mother_id_number",
    "child_name": "child_name",
    "multiple": "multiple",
    "weight_g": "weight_g",
    "sex": "sex",
    "father": "father_id_number",
    "medical_certificate_number": "medical_certificate_number",
}
# The form's message for an ID number found nowhere in the user's reach (registry
# forms.find_person_by_id_number): outside the facility's area reads the same.
NOT_FOUND = "未找到身份证号为{}的人员"
# The father's refusals name him: the hospital's form and body carry two ID numbers.
FATHER_NOT_FOUND = "未找到父亲身份证号为{}的人员"
FIELD_LABELS = {
    "record_id": "机构病案号",
    "mother_id_number": "母亲身份证号",
    "delivered_on": "分娩日期",
    "sex": "婴儿性别",
    "weight_g": "出生体重(克)",
    "place": "分娩地点",
    "child_name": "婴儿姓名",
    "multiple": "多胞胎",
    "father_id_number": "父亲身份证号",
    "medical_certificate_number": "出生医学证明编号",
}


# What hospital systems send for sex and place besides the API's own codes: the Chinese
# words, and GB/T 2261.1's 1 (male) and 2 (female).
SEX_ALIASES = {"M": Sex.MALE, "F": Sex.FEMALE, "男": Sex.MALE, "女": Sex.FEMALE,
               "1": Sex.MALE, "2": Sex.FEMALE}  # fmt: skip
PLACE_ALIASES = {value: value for value in BirthPlace.values} | {
    label: value for value, label in BirthPlace.choices
}


class DeliveryConflict(FieldError):
    """The delivery contradicts what is recorded (the API's 409): its record id is
    registered with other facts, or the birth it matches carries another certificate
    number or father."""


# --- facilities, staff, tokens ------------------------------------------------------


def _check_facility_unit(actor: Any, unit_id: str) -> None:
    if not unit_in_scope(actor, unit_id):
        raise FieldError("unit", "所选服务区域不在您的管辖范围内")
    if not OrgUnit.objects.filter(
        code=unit_id, level__in=[Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE]
    ).exists():
        raise FieldError("unit", "服务区域应为县、乡镇(街道)或村(居)")


@transaction.atomic
def facility_create(*, actor: Any, code: str, name: str, unit_id: str) -> Facility:
    """A facility and its API account (a Role.FACILITY user without a usable password:
    the actor of what its tokens post)."""
    try:
        code, name = clean_text(code), clean_text(name)
    except InvalidText as exc:
        raise FieldError("name", f"机构名称或代码{exc}") from None
    if not code:
        raise FieldError("code", "请填写机构代码")
    if not name:
        raise FieldError("name", "请填写机构名称")
    if Facility.objects.filter(code=code).exists():
        raise FieldError("code", f"机构代码{code}已存在")
    _check_facility_unit(actor, unit_id)
    user_model = get_user_model()
    username = f"facility-api-{code}"[:150]
    if user_model.objects.filter(username=username).exists():
        raise FieldError("code", f"机构代码{code}已存在")
    account = user_model(
        username=username, full_name=f"{name}（接口）"[:50], role=Role.FACILITY,
        org_unit_id=unit_id,
    )  # fmt: skip
    account.set_unusable_password()
    account.save()
    facility = Facility.objects.create(
        code=code, name=name, unit_id=unit_id, account=account, created_by=actor
    )
    audit_log(
        actor=actor,
        action="deliveries.facility.created",
        target=facility,
        org_unit_id=unit_id,
        detail={"code": code},
    )
    return facility


@transaction.atomic
def facility_member_add(*, actor: Any, facility: Facility, username: str) -> FacilityMember:
    """A facility user (role 医疗卫生机构, in the actor's jurisdiction) works for the facility."""
    user = (
        get_user_model()
        .objects.filter(username=username.strip(), role=Role.FACILITY, is_active=True)
        .exclude(api_facility__isnull=False)
        .first()
    )
    if user is None or not unit_in_scope(actor, user.org_unit_id):
        raise FieldError("username", "未找到该用户名的医疗卫生机构用户")
    if FacilityMember.objects.filter(user=user).exists():
        raise FieldError("username", f"用户{user.username}已属于一个机构")
    member = FacilityMember.objects.create(user=user, facility=facility)
    audit_log(
        actor=actor,
        action="deliveries.member.added",
        target=facility,
        org_unit_id=facility.unit_id,
        detail={"user": user.username},
    )
    return member


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(*, actor: Any, facility: Facility, name: str) -> tuple[FacilityToken, str]:
    """A new API token of the facility. Returns the row and the token itself, which is
    never stored and is shown once."""
    try:
        name = clean_text(name)
    except InvalidText as exc:
        raise FieldError("name", f"用途说明{exc}") from None
    if not name:
        raise FieldError("name", "请填写用途说明")
    if not facility.active:
        raise DomainError("该机构已停用，不能创建令牌")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = FacilityToken.objects.create(
        facility=facility, name=name[:50], prefix=raw[:12], digest=token_digest(raw),
        created_by=actor,
    )  # fmt: skip
    audit_log(
        actor=actor,
        action="deliveries.token.created",
        target=token,
        org_unit_id=facility.unit_id,
        detail={"facility": facility.code, "prefix": token.prefix},
    )
    return token, raw


@transaction.atomic
def token_revoke(*, actor: Any, token: FacilityToken) -> FacilityToken:
    token = FacilityToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise DomainError("该令牌已吊销")
    token.revoked_at = timezone.now()
    token.revoked_by = actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit_log(
        actor=actor,
        action="deliveries.token.revoked",
        target=token,
        org_unit_id=token.facility.unit_id,
        detail={"facility": token.facility.code, "prefix": token.prefix},
    )
    return token


def token_authenticate(raw: str) -> FacilityToken | None:
    """The active token of an active facility with this value, or None."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = (
        FacilityToken.objects.select_related("facility__account")
        .filter(digest=token_digest(raw), revoked_at__isnull=True, facility__active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
        FacilityToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


# --- deliveries -------------------------------------------------------------------------


@dataclass
class DeliveryData:
    """One delivery as a facility reports it (API body, form)."""

    record_id: str
    mother_id_number: str
    delivered_on: date
    sex: str
    weight_g: int | None = None
    place: str = BirthPlace.HOSPITAL
    # Usually not named yet at the hospital: then "<mother>之子/之女", which the
    # village worker corrects when the hukou is registered.
    child_name: str = ""
    multiple: bool = False
    father_id_number: str | None = None
    medical_certificate_number: str | None = None

    def digest(self) -> str:
        facts = [
            self.mother_id_number, self.delivered_on.isoformat(), self.sex, self.weight_g,
            self.place, self.child_name, self.multiple,
        ]  # fmt: skip
        # Appended only when given: a delivery recorded before these fields existed
        # posted again is still a replay of itself.
        if self.father_id_number or self.medical_certificate_number:
            facts += [self.father_id_number, self.medical_certificate_number]
        return hashlib.sha256(json.dumps(facts, ensure_ascii=False).encode()).hexdigest()


@dataclass
class DeliveryResult:
    """What became of one delivery of a call: created, matched, replayed (the same
    record id and facts again: the earlier result), or refused (errors; conflict when
    the record id is taken with other facts)."""

    index: int
    record_id: str
    status: str = ""
    delivery: DeliveryRecord | None = None
    errors: list[FieldError] = field(default_factory=list)
    replayed: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def conflict(self) -> bool:
        return any(isinstance(e, DeliveryConflict) for e in self.errors)


class DeliveriesRefused(DomainError):
    """At least one delivery of the call was refused: nothing was written."""

    def __init__(self, results: list[DeliveryResult]) -> None:
        refused = sum(1 for r in results if not r.ok)
        super().__init__(f"共{len(results)}条，其中{refused}条有误，均未保存")
        self.results = results


def child_name_for(data: DeliveryData, mother_name: str) -> str:
    if data.child_name:
        return data.child_name
    return f"{mother_name}之{'子' if data.sex == Sex.MALE else '女'}"


def _clean(data: DeliveryData) -> list[FieldError]:
    """The delivery's own facts, before the registry's rules: text, choices, the ID
    number (normalised in `data`)."""
    problems: list[FieldError] = []
    for name in ("record_id", "child_name"):
        try:
            setattr(data, name, clean_text(getattr(data, name) or ""))
        except InvalidText as exc:
            problems.append(FieldError(name, f"{FIELD_LABELS[name]}{exc}"))
    if not data.record_id and not any(p.field == "record_id" for p in problems):
        problems.append(FieldError("record_id", "请填写机构病案号"))
    elif len(data.record_id) > 64:
        problems.append(FieldError("record_id", "机构病案号最多64个字符"))
    if len(data.child_name) > 50:
        problems.append(FieldError("child_name", "婴儿姓名最多50个字"))
    data.sex = SEX_ALIASES.get(str(data.sex).strip().upper(), data.sex)
    data.place = PLACE_ALIASES.get(str(data.place).strip().lower(), data.place)
    if data.sex not in Sex.values:
        problems.append(FieldError("sex", "婴儿性别应为“M”（男）或“F”（女）"))
    if data.place not in BirthPlace.values:
        problems.append(
            FieldError("place", "分娩地点应为 hospital（医院）、home（家中）或 other（其他）")
        )
    data.mother_id_number = normalize(data.mother_id_number or "")
    if not data.mother_id_number:
        problems.append(FieldError("mother_id_number", "请填写母亲身份证号"))
    else:
        try:
            data.mother_id_number = parse_id_number(data.mother_id_number).number
        except InvalidIdNumber as exc:
            problems.append(FieldError("mother_id_number", str(exc)))
    data.father_id_number = normalize(data.father_id_number or "") or None
    if data.father_id_number:
        try:
            data.father_id_number = parse_id_number(data.father_id_number).number
        except InvalidIdNumber as exc:
            problems.append(FieldError("father_id_number", _fathers(str(exc))))
    # The registry's normalisation; its shape and uniqueness are birth_problems' to check.
    data.medical_certificate_number = normalize_certificate_number(data.medical_certificate_number)
    return problems


def _fathers(message: str) -> str:
    """idnumbers' message about "身份证号" said of the father's."""
    if message.startswith("身份证号"):
        return f"父亲{message}"
    return f"父亲身份证号有误：{message}"


def _people(facility: Facility, id_numbers: Sequence[str]) -> dict[str, dict]:
    """Mothers and fathers on the register of the facility's area by ID number, as the
    registry's facts rows, locked for the transaction (the registry services' row
    locks)."""
    people = Person.objects.filter(**code_prefix_filter("unit_id", facility.unit_id))
    found: dict[str, dict] = {}
    for chunk in chunked(sorted(set(id_numbers))):
        rows = people.select_for_update().filter(id_number__in=chunk).values(*FACT_FIELDS)
        found.update((row["id_number"], row) for row in rows)
    return found


@dataclass
class _Checked:
    result: DeliveryResult
    data: DeliveryData
    mother: dict | None = None
    father: dict | None = None
    birth: BirthData | None = None
    matched: RecordedBirth | None = None
    # What the matched birth lacks and the delivery brings.
    completion: BirthCompletion | None = None
    # The birth of that day and sex whose other certificate number the delivery
    # contradicts (its conflict says so; the duplicate rule need not repeat it).
    contradicted: RecordedBirth | None = None


def deliveries_check(facility: Facility, items: Sequence[DeliveryData]) -> list[_Checked]:
    """Every refusal of every delivery (validate all before writing any): the
    delivery's facts, the record id (a replay, a conflict, twice in the call), then the
    registry's birth rules over the mother's facts, as birth_record applies them."""
    checked = [_Checked(DeliveryResult(i, str(d.record_id or "")), d) for i, d in enumerate(items)]
    for c in checked:
        c.result.errors.extend(_clean(c.data))
        c.result.record_id = c.data.record_id
    # The mothers are locked first: a second post of the same delivery at the same
    # moment waits here, then finds the first one's record and is a replay.
    people = _people(
        facility,
        [n for c in checked for n in (c.data.mother_id_number, c.data.father_id_number) if n],
    )
    ids = [c.data.record_id for c in checked if c.data.record_id]
    existing: dict[str, DeliveryRecord] = {}
    for chunk in chunked(sorted(set(ids))):
        existing.update(
            (d.record_id, d)
            for d in DeliveryRecord.objects.filter(facility=facility, record_id__in=chunk)
        )
    first_seen: dict[str, int] = {}
    # Refused for its record id alone (twice in the call, taken with other facts): the
    # birth rules have nothing to say about it.
    settled: set[int] = set()
    for c in checked:
        rid = c.data.record_id
        if not rid or any(e.field == "record_id" for e in c.result.errors):
            continue
        if rid in first_seen:
            c.result.errors.append(
                FieldError("record_id", f"机构病案号与第{first_seen[rid] + 1}条重复")
            )
            settled.add(c.result.index)
            continue
        first_seen[rid] = c.result.index
        earlier = existing.get(rid)
        if earlier is None or c.result.errors:
            continue  # new, or malformed anyway (its own errors say why)
        if earlier.payload_digest == c.data.digest():
            c.result.delivery, c.result.status, c.result.replayed = earlier, earlier.status, True
        else:
            settled.add(c.result.index)
            c.result.errors.append(
                DeliveryConflict(
                    "record_id",
                    f"机构病案号{rid}已于{timezone.localtime(earlier.entered_at):%Y-%m-%d %H:%M}"
                    "登记，本次提交的内容与之不同；如需更正请联系乡镇(街道)专干",
                )
            )
    todo = [c for c in checked if not c.result.replayed and c.result.index not in settled]
    for c in todo:
        if c.data.mother_id_number and not any(
            e.field == "mother_id_number" for e in c.result.errors
        ):
            c.mother = people.get(c.data.mother_id_number)
            if c.mother is None:
                c.result.errors.append(
                    FieldError("mother_id_number", NOT_FOUND.format(c.data.mother_id_number))
                )
        if c.data.father_id_number and not any(
            e.field == "father_id_number" for e in c.result.errors
        ):
            c.father = people.get(c.data.father_id_number)
            if c.father is None:
                c.result.errors.append(
                    FieldError("father_id_number", FATHER_NOT_FOUND.format(c.data.father_id_number))
                )
    siblings = recorded_births(c.mother["pk"] for c in todo if c.mother)
    known = [b.pk for births in siblings.values() for b in births]
    taken: set[int] = set()
    certificates: dict[int, str] = {}
    for chunk in chunked(known):
        taken.update(
            DeliveryRecord.objects.filter(birth_id__in=chunk).values_list("birth_id", flat=True)
        )
        certificates.update(
            Birth.objects.filter(pk__in=chunk, medical_certificate_number__isnull=False)
            .values_list("pk", "medical_certificate_number")
        )  # fmt: skip
    numbers_taken = taken_certificate_numbers(c.data.medical_certificate_number for c in todo)
    # A certificate number is one child's: the first delivery of the call with it.
    numbers_seen: dict[str, int] = {}
    for c in todo:
        if c.data.sex not in Sex.values or c.data.place not in BirthPlace.values:
            continue  # the registry's rules need a sex and a place to speak of
        mother = c.mother
        c.birth = BirthData(
            child_name=child_name_for(c.data, mother["name"] if mother else "婴儿"),
            sex=c.data.sex,
            born_on=c.data.delivered_on,
            place_type=c.data.place,
            facility=facility.name,
            weight_g=c.data.weight_g,
            medical_certificate_number=c.data.medical_certificate_number,
            multiple=c.data.multiple,
        )
        number = c.data.medical_certificate_number
        if number and number in numbers_seen:
            c.result.errors.append(
                FieldError(
                    "medical_certificate_number",
                    f"出生医学证明编号与第{numbers_seen[number] + 1}条重复",
                )
            )
        elif number:
            numbers_seen[number] = c.result.index
        mine = siblings.setdefault(mother["pk"], []) if mother else []
        c.matched = _match(c, mine, taken, certificates)
        others = [b for b in mine if b is not c.matched and b is not c.contradicted]
        # The matched birth's own number is not "taken" by another birth.
        mine_number = certificates.get(c.matched.pk) if c.matched else None
        problems = birth_problems(
            c.birth, mother=mother, father=c.father, siblings=others,
            certificates_taken=numbers_taken - {mine_number},
        )  # fmt: skip
        c.result.errors.extend(
            FieldError(FIELDS.get(p.field, p.field), p.message)
            for p in problems
            if not any(e.field == FIELDS.get(p.field, p.field) for e in c.result.errors)
        )
        if mother is None or c.result.errors:
            continue
        if c.matched is not None:
            taken.add(c.matched.pk)
            c.completion = _completion(c, certificates)
        else:
            # Later deliveries of the call see this one as recorded (twins, duplicates).
            mine.append(
                RecordedBirth(None, mother["pk"], c.father["pk"] if c.father else None,
                              c.birth.born_on, 0, c.birth.child_name, c.birth.sex,
                              row=c.result.index + 1)
            )  # fmt: skip
    return checked


def _match(
    c: _Checked, mine: list[RecordedBirth], taken: set[int], certificates: dict[int, str]
) -> RecordedBirth | None:
    """The birth the village already entered that this delivery is: the mother's birth
    of that day and sex that no delivery has claimed, the one with the delivery's
    certificate number first, then one without a number. A birth with another number
    is another child: a twin when the delivery says so (no match, a new birth), else
    a conflict. A conflict (another father, another number) is added to the result."""
    same = [
        b
        for b in sorted(mine, key=lambda b: b.birth_order)
        if b.pk is not None
        and b.born_on == c.data.delivered_on
        and b.sex == c.data.sex
        and b.pk not in taken
    ]
    number = c.data.medical_certificate_number
    if number:
        fitting = [b for b in same if certificates.get(b.pk) == number] or [
            b for b in same if b.pk not in certificates
        ]
        if not fitting and same and not c.data.multiple:
            other = c.contradicted = same[0]
            c.result.errors.append(
                DeliveryConflict(
                    "medical_certificate_number",
                    f"该母亲{other.born_on:%Y-%m-%d}出生的{other.child_name}"
                    f"（{Sex(other.sex).label}）已登记出生医学证明编号"
                    f"{certificates[other.pk]}，与本次提交的{number}不一致；"
                    "请核对，如需更正请联系乡镇(街道)专干",
                )
            )
            return None
        same = fitting
    matched = same[0] if same else None
    if (
        matched is not None
        and c.father is not None
        and matched.father_id is not None
        and matched.father_id != c.father["pk"]
    ):
        c.result.errors.append(
            DeliveryConflict(
                "father_id_number",
                f"该母亲{matched.born_on:%Y-%m-%d}出生的{matched.child_name}"
                f"（{Sex(matched.sex).label}）已登记的父亲与本次提交的父亲身份证号不一致；"
                "请核对，如需更正请联系乡镇(街道)专干",
            )
        )
    return matched


def _completion(c: _Checked, certificates: dict[int, str]) -> BirthCompletion | None:
    """What the delivery fills in on the birth it matched (none of what it has)."""
    matched = c.matched
    number = c.data.medical_certificate_number
    fill_number = number if number and matched.pk not in certificates else None
    fill_father = c.father["pk"] if c.father and matched.father_id is None else None
    if fill_number is None and fill_father is None:
        return None
    return BirthCompletion(matched.pk, fill_number, fill_father)


@transaction.atomic
def deliveries_validate(
    *, facility: Facility, items: Sequence[DeliveryData]
) -> list[DeliveryResult]:
    """The results deliveries_record would give, writing nothing (a batch with items
    refused before the rules could run still gets every other item checked)."""
    return [c.result for c in deliveries_check(facility, items)]


def _audit_detail(via: str, facility: Facility, token: FacilityToken | None) -> dict:
    detail = {
        "via": "delivery_api" if via == Via.API else "delivery_form",
        "facility": facility.code,
    }
    if token is not None:
        detail["token"] = token.prefix
    return detail


@transaction.atomic
def deliveries_record(
    *,
    actor: Any,
    facility: Facility,
    items: Sequence[DeliveryData],
    via: str,
    token: FacilityToken | None = None,
) -> list[DeliveryResult]:
    """Record deliveries of one facility, all or none: every one is checked first;
    if any is refused, DeliveriesRefused carries every result and nothing is written.
    Replays return the earlier result. New births go through births_write (children,
    orders, audit rows, the registration link), matched ones are linked as they are."""
    if len(items) > MAX_BATCH:
        raise DomainError(f"每次最多提交{MAX_BATCH}条")
    checked = deliveries_check(facility, items)
    results = [c.result for c in checked]
    if any(not r.ok for r in results):
        raise DeliveriesRefused(results)
    detail = _audit_detail(via, facility, token)
    new = [c for c in checked if not c.result.replayed and c.matched is None]
    created = {id(c) for c in new}
    try:
        with transaction.atomic():
            # Matched births first: a twin of the call then counts its sibling's father
            # in its birth order.
            births_complete(
                actor=actor,
                completions=[c.completion for c in checked if c.completion is not None],
                detail={"cause": "delivery_matched", **detail},
            )
            birth_ids = births_write(
                actor=actor,
                births=[NewBirth(c.birth, c.mother, c.father) for c in new],
                detail=detail,
            )
            for c, pk in zip(new, birth_ids, strict=True):
                c.matched = RecordedBirth(pk, c.mother["pk"], None, c.birth.born_on, 0, "", "")
            written = [c for c in checked if not c.result.replayed]
            records = [
                {
                    "facility_id": facility.pk,
                    "record_id": c.data.record_id,
                    "unit_id": c.mother["unit_id"],
                    "mother_id": c.mother["pk"],
                    "mother_id_number": c.data.mother_id_number,
                    "father_id": c.father["pk"] if c.father else None,
                    "father_id_number": c.data.father_id_number,
                    "medical_certificate_number": c.data.medical_certificate_number,
                    "delivered_on": c.data.delivered_on,
                    "sex": c.data.sex,
                    "weight_g": c.data.weight_g,
                    "place": c.data.place,
                    "child_name": c.birth.child_name,
                    "multiple": c.data.multiple,
                    "birth_id": c.matched.pk,
                    "status": (
                        DeliveryStatus.CREATED if id(c) in created else DeliveryStatus.MATCHED
                    ),
                    "via": via,
                    "token_id": token.pk if token else None,
                    "entered_by_id": actor.pk,
                    "payload_digest": c.data.digest(),
                }
                for c in written
            ]
            insert_records(DeliveryRecord, records)
    except IntegrityError:  # the same record id or certificate number at the same moment
        raise DomainError("该机构病案号或出生医学证明编号刚被提交，请核对后重试") from None
    for status in {r["status"] for r in records}:
        audit_log_rows(
            actor=actor,
            action="deliveries.delivery.recorded",
            target_type=DeliveryRecord._meta.label_lower,
            rows=(
                (r["unit_id"], r["id"], f"分娩 {r['record_id']}")
                for r in records
                if r["status"] == status
            ),
            detail={"status": status, **detail},
        )
    # Every result's record with its birth and child (what a caller shows), one query.
    for c, r in zip(written, records, strict=True):
        c.result.status = r["status"]
        c.result.delivery = DeliveryRecord(pk=r["id"])
    by_pk = DeliveryRecord.objects.select_related("birth__child", "birth__registration").in_bulk(
        [r.delivery.pk for r in results]
    )
    for r in results:
        r.delivery = by_pk[r.delivery.pk]
    return results


def delivery_record(
    *,
    actor: Any,
    facility: Facility,
    data: DeliveryData,
    via: str,
    token: FacilityToken | None = None,
) -> DeliveryResult:
    """One delivery (the form, the API's single call): its first refusal raised, like
    the registry's services; a replay gives the earlier result."""
    try:
        (result,) = deliveries_record(
            actor=actor, facility=facility, items=[data], via=via, token=token
        )
    except DeliveriesRefused as refused:
        (result,) = refused.results
        raise result.errors[0] from None
    return result
