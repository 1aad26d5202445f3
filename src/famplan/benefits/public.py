"""The citizen pages of 育儿补贴 (no account): a parent applies online, and later checks
the status with their ID number and the receipt number; and the bundle's line of the
subsidy application ("出生一件事", registered into registration from apps.py).

The application is the app's own: `application_submit` (parent of the child by the
birth record, no second application, the date) and `bank_account_set` /
`check_account` (the account in the applicant's name), called as the county's online
account (`online_account`: no password, no role, so no capabilities; the actor the
services need and the "entered by" the township sees). The pages show nothing of the
registry: any mismatch (an ID number not on file, a name that differs, a child not the
applicant's, an application already made) gets the same answer, and both pages are
rate-limited like the birth registration's (registration/ratelimit.py).

The receipt number is not stored: it is a keyed hash of the application's id (12
characters of the registration receipts' alphabet), checked against the applications
of the ID number typed (docs/decisions.md).
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.crypto import salted_hmac
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from famplan.audit.middleware import client_ip
from famplan.audit.models import Result
from famplan.audit.services import audit_log
from famplan.benefits.models import (
    Application,
    ApplicationStatus,
    BankAccount,
    Entry,
    EntryStatus,
    Program,
    mask_account,
)
from famplan.benefits.selectors import person_by_key
from famplan.benefits.services import application_submit, bank_account_set, check_account
from famplan.benefits.services.payments import AccountError
from famplan.common import dates
from famplan.common.errors import DomainError
from famplan.common.forms import show_refusal
from famplan.common.idnumbers import InvalidIdNumber, normalize, parse_id_number
from famplan.common.text import validate_text
from famplan.registration import ratelimit
from famplan.registration.selectors import SUBSIDY_LABEL, BundleLine
from famplan.registration.services import RECEIPT_ALPHABET, RECEIPT_LENGTH, normalize_receipt
from famplan.registry.forms import IdNumberField
from famplan.registry.forms.filters import _style
from famplan.registry.models import Birth, Person

PROGRAM_CODE = "childcare_subsidy"
APPLY_PER_IP = ratelimit.APPLY_PER_IP
NOT_MATCHED = (
    "未能核对申请信息：请核对申请人姓名、身份证号和婴幼儿的身份证号（或出生医学证明编号）。"
    "如已申请过，请凭回执号查询办理进度；如仍有疑问，请到婴幼儿户籍所在乡镇(街道)窗口办理。"
)
NOT_OPEN = "育儿补贴暂未开放网上申请，请到乡镇(街道)窗口办理。"


class NotMatched(DomainError):
    """The typed facts do not make an application; the citizen is told no more."""

    def __init__(self) -> None:
        super().__init__(NOT_MATCHED)


# --- receipts --------------------------------------------------------------------------


def _receipt_with(application_id: int, secret: str) -> str:
    digest = salted_hmac("famplan.benefits.public.receipt", str(application_id), secret=secret)
    n = int.from_bytes(digest.digest(), "big")
    chars = []
    for _ in range(RECEIPT_LENGTH):
        n, i = divmod(n, len(RECEIPT_ALPHABET))
        chars.append(RECEIPT_ALPHABET[i])
    return "".join(chars)


def receipt_number(application_id: int) -> str:
    return _receipt_with(application_id, settings.SECRET_KEY)


def receipt_display(application_id: int) -> str:
    r = receipt_number(application_id)
    return f"{r[:4]}-{r[4:8]}-{r[8:]}"


def _receipt_matches(application_id: int, typed: str) -> bool:
    # Old keys too, so a rotated SECRET_KEY (kept in SECRET_KEY_FALLBACKS) keeps receipts.
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(hmac.compare_digest(_receipt_with(application_id, s), typed) for s in secrets)


# --- the service -----------------------------------------------------------------------


def online_account(county_code: str) -> Any:
    """The county's online-service account: the actor of what citizens submit. It has
    no usable password and no role, so it holds no capability and never logs in."""
    user_model = get_user_model()
    account, _ = user_model.objects.get_or_create(
        username=f"online-{county_code}",
        defaults={"full_name": "网上申请", "org_unit_id": county_code, "role": ""},
    )
    if account.has_usable_password():
        account.set_unusable_password()
        account.save(update_fields=["password"])
    return account


@dataclass(frozen=True)
class PublicApplicationData:
    parent_id_number: str
    parent_name: str
    child_key: str  # the child's ID number or birth medical certificate number
    payee_name: str
    bank_name: str
    account_number: str


@transaction.atomic
def public_application_submit(*, data: PublicApplicationData) -> Application:
    """A parent's online application for a child, with the account it is paid to.
    AccountError names the account field; anything else that does not match is
    NotMatched, with nothing written."""
    # The account's own check first, against the typed name (the registry's must equal it).
    check_account(
        holder_name=data.parent_name,
        payee_name=data.payee_name,
        account_number=data.account_number,
        bank_name=data.bank_name,
    )
    program = Program.objects.filter(code=PROGRAM_CODE, active=True).first()
    if program is None:
        raise DomainError(NOT_OPEN)
    parent = Person.objects.filter(id_number=data.parent_id_number).first()
    child = person_by_key(Person.objects.all(), data.child_key)
    if parent is None or parent.name != data.parent_name.strip() or child is None:
        raise NotMatched
    actor = online_account(child.unit_id[:6])
    try:
        application = application_submit(
            actor=actor, program=program, person=child, applicant=parent, applied_on=dates.today()
        )
    except DomainError:
        raise NotMatched from None
    current = BankAccount.objects.filter(person=parent, active=True).first()
    if current is None:
        bank_account_set(
            actor=actor,
            person=parent,
            payee_name=data.payee_name,
            bank_name=data.bank_name,
            account_number=data.account_number,
        )
        account = "created"
    else:
        # An account on file is never replaced from a page without a login: the
        # township checks a different one with the parent (the flag below).
        digits = check_account(
            holder_name=parent.name,
            payee_name=data.payee_name,
            account_number=data.account_number,
            bank_name=data.bank_name,
        )
        same = current.account_number == digits and current.bank_name == data.bank_name.strip()
        account = "kept" if same else "differs"
        if not same:
            application.account_to_check = f"{data.bank_name.strip()[:100]} {mask_account(digits)}"
            application.save(update_fields=["account_to_check"])
    audit_log(
        actor=actor,
        action="benefits.application.online_submitted",
        target=application,
        org_unit_id=child.unit_id,
        detail={"program": program.code, "account": account},
    )
    return application


def find_for_status_check(id_number: str, receipt: str) -> Application | None:
    """The applicant's 育儿补贴 application this receipt belongs to, or None."""
    candidates = Application.objects.filter(
        program__code=PROGRAM_CODE, applicant__id_number=id_number
    ).order_by("pk")
    for application in candidates.only("pk", "status", "unit_id"):
        if _receipt_matches(application.pk, receipt):
            return application
    return None


_REVIEWING = (EntryStatus.CANDIDATE, EntryStatus.DUPLICATE, EntryStatus.VILLAGE_APPROVED)
_REJECTED = (EntryStatus.VILLAGE_REJECTED, EntryStatus.TOWNSHIP_REJECTED)


def status_text(application: Application, entry_status: str | None) -> tuple[str, str]:
    """What the citizen is told: the state and what happens next, nothing more."""
    if application.status == ApplicationStatus.WITHDRAWN:
        return "已撤回", "该申请已撤回。如需申请，请重新提交或到乡镇(街道)窗口办理。"
    if entry_status is None:
        return "已受理", "您的申请已受理，将在本年度的审核中办理。"
    if entry_status in _REJECTED:
        return "未通过审核", "请到婴幼儿户籍所在乡镇(街道)咨询原因。"
    if entry_status == EntryStatus.APPROVED:
        return "已审批", "补贴将按月份发放至您登记的银行账户。"
    if entry_status in _REVIEWING or entry_status == EntryStatus.TOWNSHIP_APPROVED:
        return "审核中", "村(居)和乡镇(街道)正在审核，审核通过后将公示。"
    return "审核中", "正在审核。"


def _entry_statuses(application_ids: Sequence[int]) -> dict[int, str]:
    """The latest cycle's entry status of each application."""
    rows = (
        Entry.objects.filter(application_id__in=application_ids)
        .order_by("application_id", "cycle__year")
        .values_list("application_id", "status")
    )
    return dict(rows)  # later years last, so they win


# --- the bundle's line -----------------------------------------------------------------


def subsidy_lines(births: Sequence[Birth]) -> dict[int, BundleLine]:
    """The subsidy application's line for each birth: two queries for the whole page."""
    by_child = {b.child_id: b.pk for b in births}
    applications = (
        Application.objects.filter(program__code=PROGRAM_CODE, person_id__in=list(by_child))
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .select_related("entered_by")
        .order_by("pk")
    )
    applications = list(applications)
    entries = _entry_statuses([a.pk for a in applications])
    lines = {pk: BundleLine(SUBSIDY_LABEL, False) for pk in by_child.values()}
    for a in applications:
        state, _ = status_text(a, entries.get(a.pk))
        lines[by_child[a.person_id]] = BundleLine(
            SUBSIDY_LABEL,
            True,
            receipt_display(a.pk),
            a.applied_on,
            str(a.entered_by) if a.entered_by_id else "",
            note=state,
        )
    return lines


def subsidy_missing() -> Q:
    """Births whose child has no (unwithdrawn) 育儿补贴 application: the worklist filter."""
    applied = Application.objects.filter(
        program__code=PROGRAM_CODE, person_id=OuterRef("child_id")
    ).exclude(status=ApplicationStatus.WITHDRAWN)
    return Q(~Exists(applied))


# --- forms -----------------------------------------------------------------------------


def _text(label: str, max_length: int) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        validators=[validate_text],
        error_messages={
            "required": f"请填写{label}。",
            "max_length": f"{label}最多{max_length}个字。",
        },
    )


def _id_number(value: str) -> str:
    value = normalize(value or "")
    try:
        parse_id_number(value)
    except InvalidIdNumber as exc:
        raise forms.ValidationError(str(exc)) from None
    return value


class PublicApplicationForm(forms.Form):
    parent_name = _text("申请人（父亲或母亲）姓名", 50)
    parent_id_number = IdNumberField(
        label="申请人身份证号", error_messages={"required": "请填写申请人身份证号。"}
    )
    child_key = _text("婴幼儿身份证号或出生医学证明编号", 30)
    payee_name = _text("银行账户户名", 50)
    bank_name = _text("开户银行", 100)
    account_number = _text("银行账号", 40)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)
        self.fields["payee_name"].help_text = "须为申请人本人的账户"
        for field in self.fields.values():
            field.widget.attrs["autocomplete"] = "off"

    def clean_parent_id_number(self) -> str:
        return _id_number(self.cleaned_data.get("parent_id_number") or "")

    def clean_child_key(self) -> str:
        return normalize(self.cleaned_data.get("child_key") or "").upper()

    def to_data(self) -> PublicApplicationData:
        return PublicApplicationData(**self.cleaned_data)


class PublicStatusForm(forms.Form):
    id_number = IdNumberField(
        label="申请人身份证号", error_messages={"required": "请填写申请人身份证号。"}
    )
    receipt_number = _text("回执号", 20)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)
        for field in self.fields.values():
            field.widget.attrs["autocomplete"] = "off"

    def clean_id_number(self) -> str:
        return _id_number(self.cleaned_data.get("id_number") or "")

    def clean_receipt_number(self) -> str:
        value = normalize_receipt(self.cleaned_data.get("receipt_number") or "")
        if len(value) != RECEIPT_LENGTH:
            raise forms.ValidationError(f"回执号应为{RECEIPT_LENGTH}位字母和数字。")
        return value


# --- views -----------------------------------------------------------------------------


def _limited(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "benefits/public_limited.html", {"message": message}, status=429)


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def public_apply(request: HttpRequest) -> HttpResponse:
    form = PublicApplicationForm(request.POST or None)
    if request.method == "POST":
        if not ratelimit.hit("subsidy-apply-ip", client_ip(request) or "unknown", APPLY_PER_IP):
            return _limited(request, ratelimit.APPLY_LIMITED_MESSAGE)
        if form.is_valid():
            try:
                application = public_application_submit(data=form.to_data())
            except AccountError as exc:
                show_refusal(form, exc)
            except DomainError as exc:
                audit_log(
                    actor=None,
                    action="benefits.application.online_refused",
                    result=Result.FAILED,
                )
                form.add_error(None, exc.message)
            else:
                # Shown here, not after a redirect: the receipt number is never in a URL.
                return render(
                    request,
                    "benefits/public_submitted.html",
                    {"receipt": receipt_display(application.pk)},
                )
    return render(request, "benefits/public_apply.html", {"form": form})


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def public_status(request: HttpRequest) -> HttpResponse:
    form = PublicStatusForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        id_number = form.cleaned_data["id_number"]
        ip = client_ip(request)
        by_ip = ratelimit.hit("subsidy-status-ip", ip or "unknown", ratelimit.STATUS_PER_IP)
        by_id = ratelimit.hit("subsidy-status-id", id_number, ratelimit.STATUS_PER_ID)
        if not (by_ip and by_id):
            return _limited(request, ratelimit.LIMITED_MESSAGE)
        found = find_for_status_check(id_number, form.cleaned_data["receipt_number"])
        audit_log(
            actor=None,
            action="benefits.application.status_checked",
            target=found,
            org_unit_id=found.unit_id if found else None,
            result=Result.OK if found else Result.FAILED,
        )
        if found is None:
            form.add_error(None, "未找到该申请，请核对身份证号和回执号。")
        else:
            result = status_text(found, _entry_statuses([found.pk]).get(found.pk))
    return render(request, "benefits/public_status.html", {"form": form, "result": result})
