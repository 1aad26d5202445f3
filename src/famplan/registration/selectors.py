"""Reads of birth registrations, always cut to the user's jurisdiction.

Jurisdiction (docs/decisions.md): a registration belongs to the township where it was
made (or chosen online), and is also seen under either spouse's village in the
registry (or the typed residence village). Only the handling township works it
(register, return, link the birth): `get_registration_to_handle`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from famplan.common.dates import today
from famplan.common.idnumbers import normalize
from famplan.orgunits.jurisdiction import (
    code_prefix_filter,
    get_in_scope_or_404,
    jurisdiction_code,
    scope,
)
from famplan.registration.models import BirthRegistration, BundleItem, Status
from famplan.registry.models import Birth
from famplan.registry.selectors import id_for_export


def registrations_for_user(user: Any) -> QuerySet[BirthRegistration]:
    code = jurisdiction_code(user)
    if code is None:
        return BirthRegistration.objects.none()
    return BirthRegistration.objects.filter(
        Q(**code_prefix_filter("township_id", code))
        | Q(**code_prefix_filter("wife_village_id", code))
        | Q(**code_prefix_filter("husband_village_id", code))
    )


def get_registration_for_user(user: Any, pk: Any) -> BirthRegistration:
    """One registration in the user's jurisdiction, else 404 (absent and "not yours" alike)."""
    try:
        return (
            registrations_for_user(user)
            .select_related(
                "township",
                "wife_village",
                "husband_village",
                "birth",
                "handled_by",
                "submitted_by",
                "wife_hukou_unit",
                "wife_residence_unit",
                "husband_hukou_unit",
                "husband_residence_unit",
            )
            .get(pk=pk)
        )
    except (BirthRegistration.DoesNotExist, ValueError, TypeError):
        raise Http404("记录不存在") from None


def get_registration_to_handle(user: Any, pk: Any) -> BirthRegistration:
    """A registration the user's unit handles (its township in their subtree), else 404."""
    return get_in_scope_or_404(
        BirthRegistration.objects.select_related("township"), user, "township", pk=pk
    )


def registrations_to_handle(user: Any) -> QuerySet[BirthRegistration]:
    """The registrations the user's unit works: their township in the user's subtree."""
    return scope(BirthRegistration.objects.all(), user, "township")


def can_handle(user: Any, registration: BirthRegistration) -> bool:
    return scope(BirthRegistration.objects.filter(pk=registration.pk), user, "township").exists()


def search_registrations(
    user: Any,
    *,
    status: str | None = None,
    channel: str | None = None,
    unit: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    q: str | None = None,
) -> QuerySet[BirthRegistration]:
    """Registrations in the user's jurisdiction matching every given filter, newest first.

    `unit`: the township or village (handling township or a spouse's village); `q`: an
    ID number (either spouse), a certificate number or a name (either spouse)."""
    rows = registrations_for_user(user)
    if status:
        rows = rows.filter(status=status)
    if channel:
        rows = rows.filter(channel=channel)
    if unit:
        rows = rows.filter(
            Q(**code_prefix_filter("township_id", unit))
            | Q(**code_prefix_filter("wife_village_id", unit))
            | Q(**code_prefix_filter("husband_village_id", unit))
        )
    tz = timezone.get_current_timezone()
    if date_from:
        rows = rows.filter(submitted_at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        rows = rows.filter(submitted_at__lt=datetime.combine(date_to, time.max, tzinfo=tz))
    q = (q or "").strip()
    if q:
        value = normalize(q)
        if len(value) == 18 and value[:17].isdigit():
            rows = rows.filter(Q(wife_id_number=value) | Q(husband_id_number=value))
        elif value[:6].isdigit() and "-" in value:
            rows = rows.filter(certificate_number=value)
        else:
            rows = rows.filter(Q(wife_name=q) | Q(husband_name=q))
    return rows.select_related("township").order_by("-submitted_at", "-pk")


def pending_count(user: Any) -> int:
    """Applications waiting in the queue of the user's township(s)."""
    return scope(BirthRegistration.objects.filter(status=Status.PENDING), user, "township").count()


EXPORT_COLUMNS: list[tuple[str, float]] = [
    ("回执号", 16),
    ("登记证号", 22),
    ("状态", 10),
    ("办理渠道", 10),
    ("办理乡镇", 14),
    ("女方姓名", 10),
    ("女方身份证号", 22),
    ("男方姓名", 10),
    ("男方身份证号", 22),
    ("结婚日期", 12),
    ("预产期或出生日期", 14),
    ("夫妻共同子女数", 10),
    ("本次生育孩次", 10),
    ("申请时间", 20),
    ("登记日期", 12),
    ("退回原因", 30),
    ("已关联出生", 10),
]


def export_rows(queryset: QuerySet[BirthRegistration], *, full_ids: bool) -> Iterator[tuple]:
    for r in queryset.iterator(chunk_size=2000):
        yield (
            r.receipt_display,
            r.certificate_number or "",
            r.get_status_display(),
            r.get_channel_display(),
            r.township.name,
            r.wife_name,
            id_for_export(r.wife_id_number, full_ids),
            r.husband_name,
            id_for_export(r.husband_id_number, full_ids),
            r.married_on,
            r.expected_on,
            r.joint_children,
            r.birth_order,
            r.submitted_at,
            r.registered_on,
            r.return_reason,
            r.birth_id is not None,
        )


def find_for_status_check(id_number: str, receipt_number: str) -> BirthRegistration | None:
    """The registration with this receipt number whose wife or husband has this ID
    number: what the citizen page may show the status of. None for any other pairing."""
    value = normalize(id_number)
    return (
        BirthRegistration.objects.filter(receipt_number=receipt_number)
        .filter(Q(wife_id_number=value) | Q(husband_id_number=value))
        .only("pk", "status", "township_id", "receipt_number")
        .first()
    )


# --- the "出生一件事" bundle: a newborn's checklist and the village's worklist ---------

# Newborns the worklist shows by default: born in the last year.
BUNDLE_DEFAULT_DAYS = 366


@dataclass(frozen=True)
class BundleLine:
    label: str
    done: bool
    number: str = ""
    done_on: date | None = None
    by: str = ""
    item: str = ""  # a BundleItem code where famplan records it from the page
    note: str = ""


def newborns_for_user(
    user: Any,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    unit: str | None = None,
    missing_only: bool = False,
) -> QuerySet[Birth]:
    """Births in the user's jurisdiction (by the birth's village), newest first, with
    what the checklist needs fetched alongside (the page's rows only)."""
    births = scope(Birth.objects.all(), user, "unit")
    if unit:
        births = births.filter(**code_prefix_filter("unit_id", unit))
    births = births.filter(born_on__gte=date_from or today() - timedelta(days=BUNDLE_DEFAULT_DAYS))
    if date_to:
        births = births.filter(born_on__lte=date_to)
    if missing_only:
        births = births.annotate(done=Count("bundle")).filter(
            Q(done__lt=len(BundleItem.values))
            | Q(registration__isnull=True)
            | Q(medical_certificate_number__isnull=True)
            | Q(medical_certificate_number="")
            | reduce(or_, (missing() for missing in BUNDLE_MISSING.values()), Q(pk__in=[]))
        )
    return (
        births.select_related("child", "mother", "unit", "registration")
        .prefetch_related("bundle")
        .order_by("-born_on", "-pk")
    )


def get_birth_for_user(user: Any, pk: Any) -> Birth:
    return get_in_scope_or_404(
        Birth.objects.select_related("child", "mother", "father", "unit", "registration"),
        user,
        "unit",
        pk=pk,
    )


# Lines of the bundle another app owns (the childcare subsidy application: benefits).
# Registration never imports those apps; each registers a provider from its
# AppConfig.ready(): called once for a page (or an export chunk) of births, it answers
# {birth pk: line} (docs/decisions.md, "The bundle's subsidy line comes from a provider").
SUBSIDY_LABEL = "育儿补贴申请"
# With the provider, a condition on Birth for "this line is not done", so the worklist's
# "missing only" filter stays one query.
BundleProvider = Callable[[Sequence[Birth]], dict[int, BundleLine]]
BUNDLE_PROVIDERS: dict[str, BundleProvider] = {}
BUNDLE_MISSING: dict[str, Callable[[], Q]] = {}


def register_bundle_line(
    label: str, provider: BundleProvider, missing: Callable[[], Q] | None = None
) -> None:
    BUNDLE_PROVIDERS[label] = provider
    if missing is not None:
        BUNDLE_MISSING[label] = missing


def provided_lines(births: Sequence[Birth]) -> dict[int, dict[str, BundleLine]]:
    """The provided lines of these births: {birth pk: {label: line}}, one call per provider."""
    out: dict[int, dict[str, BundleLine]] = {b.pk: {} for b in births}
    if not births:
        return out
    for label, provider in BUNDLE_PROVIDERS.items():
        for pk, line in provider(births).items():
            out[pk][label] = line
    return out


def bundle_lines(birth: Birth, provided: dict[str, BundleLine] | None = None) -> list[BundleLine]:
    """The six items of the bundle for one birth, in the order a family goes through them.
    `provided`: this birth's lines from provided_lines() (looked up here if not given)."""
    if provided is None:
        provided = provided_lines([birth])[birth.pk]
    done = {r.item: r for r in birth.bundle.all()}

    def recorded(item: BundleItem) -> BundleLine:
        r = done.get(item.value)
        if r is None:
            return BundleLine(item.label, False, item=item.value)
        by = str(r.recorded_by) if r.recorded_by_id else ""
        return BundleLine(item.label, True, r.number, r.done_on, by, item=item.value)

    registration = getattr(birth, "registration", None)
    if registration is not None and registration.status == Status.REGISTERED:
        reg_line = BundleLine(
            "生育登记", True, registration.certificate_number or "", registration.registered_on
        )
    else:
        reg_line = BundleLine("生育登记", False, note="尚未关联生育登记")
    certificate = birth.medical_certificate_number or ""
    return [
        BundleLine("出生医学证明", bool(certificate), certificate),
        reg_line,
        recorded(BundleItem.HUKOU),
        recorded(BundleItem.MEDICAL_INSURANCE),
        recorded(BundleItem.SOCIAL_SECURITY_CARD),
        # The childcare subsidy application: the benefits app provides the line.
        provided.get(SUBSIDY_LABEL)
        or BundleLine(SUBSIDY_LABEL, False, note="待育儿补贴功能上线后显示"),
    ]


def missing_from(lines: list[BundleLine]) -> list[str]:
    return [line.label for line in lines if not line.done and not line.note.startswith("待")]


def missing_labels(birth: Birth, provided: dict[str, BundleLine] | None = None) -> list[str]:
    return missing_from(bundle_lines(birth, provided))
