"""Reads of the delivery records, facilities and tokens, always cut to the user: a
facility user sees their facility's deliveries (of mothers in their jurisdiction), a
county admin the facilities of their subtree."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from famplan.common.idnumbers import normalize
from famplan.deliveries.models import DeliveryRecord, Facility, FacilityMember, FacilityToken
from famplan.orgunits.jurisdiction import code_prefix_filter, get_in_scope_or_404, scope

EXPORT_COLUMNS: list[tuple[str, float]] = [
    ("机构病案号", 16),
    ("分娩日期", 12),
    ("母亲姓名", 10),
    ("母亲身份证号", 22),
    ("婴儿姓名", 12),
    ("婴儿性别", 8),
    ("出生体重(克)", 12),
    ("出生医学证明编号", 16),
    ("父亲姓名", 10),
    ("分娩地点", 10),
    ("孩次", 6),
    ("状态", 16),
    ("录入方式", 10),
    ("母亲所属村(居)", 20),
    ("录入时间", 20),
]


def facility_of(user: Any) -> Facility | None:
    """The facility the user works for (FacilityMember), or None."""
    member = (
        FacilityMember.objects.select_related("facility")
        .filter(user_id=getattr(user, "pk", None), facility__active=True)
        .first()
    )
    return member.facility if member else None


def deliveries_for_user(
    user: Any,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    status: str | None = None,
    via: str | None = None,
    q: str | None = None,
) -> QuerySet[DeliveryRecord]:
    facility = facility_of(user)
    if facility is None:
        return DeliveryRecord.objects.none()
    rows = scope(DeliveryRecord.objects.filter(facility=facility), user, "unit")
    if date_from:
        rows = rows.filter(delivered_on__gte=date_from)
    if date_to:
        rows = rows.filter(delivered_on__lte=date_to)
    if status:
        rows = rows.filter(status=status)
    if via:
        rows = rows.filter(via=via)
    if q:
        rows = rows.filter(
            Q(record_id=q) | Q(mother_id_number=normalize(q)) | Q(mother__name__startswith=q)
        )
    return rows.select_related("mother", "father", "birth", "unit").order_by("-delivered_on", "-pk")


AREA_EXPORT_COLUMNS: list[tuple[str, float]] = [*EXPORT_COLUMNS, ("分娩机构", 24)]


def deliveries_in_area(
    user: Any,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    status: str | None = None,
    via: str | None = None,
    q: str | None = None,
    unit: str | None = None,
    facility: int | None = None,
) -> QuerySet[DeliveryRecord]:
    """Deliveries of mothers in the user's jurisdiction (the record's `unit`, the
    mother's village), whichever facility reported them: the township's and the county's
    view. Served by the (unit, delivered_on) index."""
    rows = scope(DeliveryRecord.objects.all(), user, "unit")
    if unit:
        rows = rows.filter(**code_prefix_filter("unit_id", unit))
    if facility:
        rows = rows.filter(facility_id=facility)
    if date_from:
        rows = rows.filter(delivered_on__gte=date_from)
    if date_to:
        rows = rows.filter(delivered_on__lte=date_to)
    if status:
        rows = rows.filter(status=status)
    if via:
        rows = rows.filter(via=via)
    if q:
        rows = rows.filter(
            Q(record_id=q) | Q(mother_id_number=normalize(q)) | Q(mother__name__startswith=q)
        )
    return rows.select_related("mother", "father", "birth", "unit", "facility").order_by(
        "-delivered_on", "-pk"
    )


def facilities_of_county(user: Any) -> QuerySet[Facility]:
    """The facilities of the user's county, for the filter: names of institutions only,
    so a township sees the county hospital it does not administer."""
    county = (getattr(user, "org_unit_id", None) or "")[:6]
    if not county:
        return Facility.objects.none()
    return Facility.objects.filter(**code_prefix_filter("unit_id", county)).order_by("code")


def export_rows(rows: QuerySet[DeliveryRecord], *, full_ids: bool, with_facility: bool = False):
    from famplan.common.idnumbers import mask_id_number
    from famplan.deliveries.models import DeliveryStatus, Via
    from famplan.registry.models import BirthPlace, Sex

    status, via = dict(DeliveryStatus.choices), dict(Via.choices)
    place, sex = dict(BirthPlace.choices), dict(Sex.choices)
    values = rows.values_list(
        "record_id", "delivered_on", "mother__name", "mother_id_number", "child_name", "sex",
        "weight_g", "medical_certificate_number", "father__name", "place", "birth__birth_order",
        "status", "via", "unit__name", "entered_at",
        *(("facility__name",) if with_facility else ()),
    )  # fmt: skip
    for r in values.iterator(chunk_size=2000):
        yield (
            r[0], r[1], r[2], r[3] if full_ids else mask_id_number(r[3]), r[4], sex.get(r[5]),
            r[6], r[7], r[8], place.get(r[9]), r[10], status.get(r[11]), via.get(r[12]), r[13],
            r[14], *r[15:],
        )  # fmt: skip


def facilities_for_user(user: Any) -> QuerySet[Facility]:
    return scope(Facility.objects.all(), user, "unit").select_related("unit").order_by("code")


def get_facility_for_user(user: Any, pk: Any) -> Facility:
    return get_in_scope_or_404(Facility.objects.select_related("unit"), user, "unit", pk=pk)


def get_token_for_user(user: Any, pk: Any) -> FacilityToken:
    return get_in_scope_or_404(
        FacilityToken.objects.select_related("facility"), user, "facility__unit", pk=pk
    )
