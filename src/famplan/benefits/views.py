"""Benefit pages: programs and parameters, eligibility explained, the cycle and its
review steps, the notice PDF, the roster with exits and entrants, payment file and
confirmations, bank accounts, applications and the report.

Thin: selectors read (cut to jurisdiction), services write and refuse in Chinese."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from famplan.accounts.permissions import capability_required
from famplan.accounts.roles import Cap
from famplan.audit.services import audit_log
from famplan.benefits import eligibility, selectors, services
from famplan.benefits.models import (
    BankLayout,
    CycleStatus,
    EntryStatus,
    ExitReason,
    PaymentStatus,
    Program,
)
from famplan.benefits.pdf import notice_pdf
from famplan.benefits.programs import CATEGORY_LABELS, RULES, parse_params, ym
from famplan.common import dates
from famplan.common.errors import DomainError
from famplan.common.idnumbers import mask_id_number
from famplan.common.xlsx import content_disposition, xlsx_response
from famplan.orgunits.jurisdiction import scope
from famplan.registry.forms import IdNumberField, find_person_by_id_number
from famplan.registry.models import Person
from famplan.registry.selectors import CappedPaginator, get_person_for_user
from famplan.registry.views import querystring_without_page
from famplan.transfer.exports import export_download

PER_PAGE = 50


def _refused(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, exc.message)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _month(value: str | None) -> date | None:
    try:
        return date.fromisoformat(f"{value}-01") if value else None
    except ValueError:
        return None


# --- programs --------------------------------------------------------------------------


ACCOUNTS_SHOWN = 50


@require_GET
@capability_required(Cap.BENEFITS_VIEW)
def home(request: HttpRequest) -> HttpResponse:
    programs = list(Program.objects.all())
    today = dates.today()
    to_check = []
    if request.user.can(Cap.BENEFITS_REVIEW):
        to_check = list(selectors.accounts_to_check(request.user)[:ACCOUNTS_SHOWN])
    if to_check:  # people's names and accounts: an audited read
        audit_log(
            actor=request.user,
            action="benefits.accounts_to_check.listed",
            detail={"applications": [a.pk for a in to_check]},
        )
    rows = [(p, eligibility.params_on(p, today), RULES[p.rule]) for p in programs]
    return render(
        request,
        "benefits/home.html",
        {
            "programs": [
                {"program": p, "params": [(x.label, params[x.key]) for x in rule.params]}
                for p, params, rule in rows
            ],
            "cycles": selectors.cycles_for_user(request.user),
            "can_manage": request.user.can(Cap.BENEFITS_MANAGE),
            "year": today.year,
            "to_check": to_check,
        },
    )


class ParametersForm(forms.Form):
    effective_from = forms.DateField(label="生效日期")
    note = forms.CharField(label="依据/说明", max_length=200, required=False)

    def __init__(self, *args, rule, initial_values, **kwargs):
        super().__init__(*args, **kwargs)
        self.rule = rule
        for p in rule.params:
            field: forms.Field
            if p.kind == "date":
                field = forms.DateField(label=p.label, help_text=p.help)
            elif p.kind == "int":
                field = forms.IntegerField(
                    label=p.label, min_value=0, max_value=150, help_text=p.help
                )
            else:
                field = forms.DecimalField(
                    label=p.label, min_value=0, max_digits=10, decimal_places=2, help_text=p.help
                )
            field.initial = initial_values.get(p.key)
            self.fields[f"p_{p.key}"] = field

    def values(self) -> dict:
        return {p.key: self.cleaned_data[f"p_{p.key}"] for p in self.rule.params}


class LocalProgramForm(forms.Form):
    name = forms.CharField(label="项目名称", max_length=100)
    rule = forms.ChoiceField(
        label="资格规则",
        choices=[(code, f"同{rule.label}") for code, rule in RULES.items()],
        help_text="地方项目沿用所选国家项目的资格条件，金额、年龄等参数另行设定",
    )
    effective_from = forms.DateField(label="生效日期")
    description = forms.CharField(
        label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.BENEFITS_MANAGE)
def program_create(request: HttpRequest) -> HttpResponse:
    form = LocalProgramForm(
        request.POST or None, initial={"effective_from": dates.today().replace(month=1, day=1)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            program = services.local_program_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "地方项目已设立，请按本地规定设定参数")
            return redirect("benefits:program", pk=program.pk)
    return render(request, "benefits/program_form.html", {"form": form})


class ProgramInfoForm(forms.Form):
    name = forms.CharField(label="项目名称", max_length=100)
    description = forms.CharField(
        label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    active = forms.BooleanField(label="启用", required=False)


@require_POST
@capability_required(Cap.BENEFITS_MANAGE)
def program_update(request: HttpRequest, pk: int) -> HttpResponse:
    program = selectors.get_program(pk)
    form = ProgramInfoForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("benefits:program", pk=program.pk)
    try:
        services.program_update(actor=request.user, program=program, **form.cleaned_data)
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "项目信息已保存")
    return redirect("benefits:program", pk=program.pk)


@require_http_methods(["GET", "POST"])
@capability_required(Cap.BENEFITS_VIEW)
def program_detail(request: HttpRequest, pk: int) -> HttpResponse:
    program = selectors.get_program(pk)
    rule = RULES[program.rule]
    history = [
        (row, [(p.label, parse_params(rule, row.values)[p.key]) for p in rule.params])
        for row in program.parameters.select_related("set_by").order_by("-effective_from")
    ]
    current = eligibility.params_on(program, dates.today())
    form = info_form = None
    if request.user.can(Cap.BENEFITS_MANAGE):
        info_form = ProgramInfoForm(
            initial={
                "name": program.name,
                "description": program.description,
                "active": program.active,
            }
        )
        form = ParametersForm(request.POST or None, rule=rule, initial_values=current)
        if request.method == "POST" and form.is_valid():
            try:
                services.parameters_set(
                    actor=request.user,
                    program=program,
                    effective_from=form.cleaned_data["effective_from"],
                    values=form.values(),
                    note=form.cleaned_data["note"],
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "参数已保存")
                return redirect("benefits:program", pk=program.pk)
    elif request.method == "POST":
        return HttpResponse(status=403)
    return render(
        request,
        "benefits/program.html",
        {
            "program": program,
            "rule": rule,
            "history": history,
            "form": form,
            "info_form": info_form,
        },
    )


@require_GET
@capability_required(Cap.BENEFITS_VIEW)
def explain(request: HttpRequest, pk: int) -> HttpResponse:
    """Why a person is or is not eligible for the program (person by registry pk)."""
    program = selectors.get_program(pk)
    person = None
    result = None
    person_pk = _int(request.GET.get("person"))
    year = _int(request.GET.get("year")) or dates.today().year
    cutoff = date(year, 12, 31)
    if person_pk:
        person = get_person_for_user(request.user, person_pk)
        result = eligibility.explain(program, person, cutoff)
        audit_log(
            actor=request.user,
            action="benefits.eligibility.viewed",
            target=person,
            org_unit_id=person.unit_id,
            detail={"program": program.code, "year": year},
        )
    return render(
        request,
        "benefits/explain.html",
        {
            "program": program,
            "person": person,
            "result": result,
            "cutoff": cutoff,
            "year": year,
            "category": CATEGORY_LABELS.get(result.award.category, "")
            if result and result.award
            else "",
        },
    )


# --- cycles ----------------------------------------------------------------------------


@require_POST
@capability_required(Cap.BENEFITS_MANAGE)
def cycle_open(request: HttpRequest) -> HttpResponse:
    program = selectors.get_program(_int(request.POST.get("program")) or 0)
    year = _int(request.POST.get("year")) or dates.today().year
    notice_days = _int(request.POST.get("notice_days")) or 7
    try:
        cycle = services.cycle_open(
            actor=request.user, program=program, year=year, notice_days=notice_days
        )
    except DomainError as exc:
        _refused(request, exc)
        return redirect("benefits:home")
    return redirect("benefits:cycle", pk=cycle.pk)


@require_GET
@capability_required(Cap.BENEFITS_VIEW)
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = selectors.get_cycle_for_user(request.user, pk)
    status = request.GET.get("status", "")
    if status not in EntryStatus.values:
        status = ""
    entries = selectors.entries_for_user(
        request.user,
        cycle,
        status=status,
        unit=request.GET.get("unit", "").strip(),
        name=request.GET.get("name", "").strip(),
    )
    page = CappedPaginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    audit_log(
        actor=request.user,
        action="benefits.cycle.viewed",
        target=cycle,
        detail={"status": status, "page": page.number},
    )
    counts = selectors.status_counts(request.user, cycle)
    level = len(request.user.org_unit_id or "")
    return render(
        request,
        "benefits/cycle.html",
        {
            "cycle": cycle,
            "page_obj": page,
            "querystring_without_page": querystring_without_page(request),
            "counts": [
                (label, counts.get(value, 0), value) for value, label in EntryStatus.choices
            ],
            "villages": selectors.villages_for_user(request.user, cycle),
            "status": status,
            "is_county": level == 6,
            "is_village": level == 12,
            "is_township": level == 9,
            "can_manage": request.user.can(Cap.BENEFITS_MANAGE),
            "can_review": request.user.can(Cap.BENEFITS_REVIEW),
            "can_pay": request.user.can(Cap.BENEFITS_PAY),
            "layouts": BankLayout.objects.all(),
            "statuses": EntryStatus.choices,
        },
    )


def _cycle_step(request: HttpRequest, pk: int, step, done: str) -> HttpResponse:
    cycle = selectors.get_cycle_for_user(request.user, pk)
    try:
        step(actor=request.user, cycle=cycle)
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, done)
    return redirect("benefits:cycle", pk=cycle.pk)


@require_POST
@capability_required(Cap.BENEFITS_MANAGE)
def cycle_candidates(request: HttpRequest, pk: int) -> HttpResponse:
    return _cycle_step(
        request, pk, services.cycle_list_candidates, "候选名单已生成，请各村(居)审核"
    )


@require_POST
@capability_required(Cap.BENEFITS_MANAGE)
def cycle_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _cycle_step(request, pk, services.cycle_approve, "已审批")


@require_POST
@capability_required(Cap.BENEFITS_MANAGE)
def cycle_freeze(request: HttpRequest, pk: int) -> HttpResponse:
    return _cycle_step(request, pk, services.roster_freeze, "花名册已冻结")


# --- entries and review ----------------------------------------------------------------


@require_GET
@capability_required(Cap.BENEFITS_VIEW)
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.get_entry_for_user(request.user, pk)
    audit_log(
        actor=request.user, action="benefits.entry.viewed", target=entry, org_unit_id=entry.unit_id
    )
    notice = selectors.Notice.objects.filter(cycle=entry.cycle, unit_id=entry.unit_id).first()
    level = len(request.user.org_unit_id or "")
    return render(
        request,
        "benefits/entry.html",
        {
            "entry": entry,
            "rule": RULES[entry.cycle.program.rule],
            "notice": notice,
            "objections": entry.objections.all().order_by("pk"),
            "is_village": level == 12,
            "is_township": level == 9,
            "notice_over": notice is not None and dates.today() > notice.ends_on,
            "village_open": notice is None
            and entry.status
            in (EntryStatus.CANDIDATE, EntryStatus.VILLAGE_APPROVED, EntryStatus.VILLAGE_REJECTED),
            "village_on_behalf": entry.village_by is not None
            and len(entry.village_by.org_unit_id or "") == 9,
            "can_review": request.user.can(Cap.BENEFITS_REVIEW),
            "category": CATEGORY_LABELS.get(entry.category, ""),
            "months": f"{ym(entry.from_month)} 至 {ym(entry.to_month)}",
        },
    )


def _entry_step(request: HttpRequest, pk: int, call, done: str) -> HttpResponse:
    entry = selectors.get_entry_for_user(request.user, pk)
    try:
        call(entry)
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, done)
    return redirect("benefits:entry", pk=entry.pk)


@require_POST
@capability_required(Cap.BENEFITS_REVIEW)
def entry_village(request: HttpRequest, pk: int) -> HttpResponse:
    p = request.POST
    return _entry_step(
        request,
        pk,
        lambda e: services.entry_village_review(
            actor=request.user,
            entry=e,
            approve=p.get("decision") == "approve",
            attested=p.get("attested") == "1",
            note=p.get("note", ""),
        ),
        "村级审核意见已保存",
    )


@require_POST
@capability_required(Cap.BENEFITS_REVIEW)
def entry_township(request: HttpRequest, pk: int) -> HttpResponse:
    p = request.POST
    return _entry_step(
        request,
        pk,
        lambda e: services.entry_township_review(
            actor=request.user,
            entry=e,
            approve=p.get("decision") == "approve",
            note=p.get("note", ""),
        ),
        "乡镇审核意见已保存",
    )


@require_POST
@capability_required(Cap.BENEFITS_REVIEW)
def entry_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    p = request.POST
    return _entry_step(
        request,
        pk,
        lambda e: services.duplicate_resolve(
            actor=request.user,
            entry=e,
            distinct=p.get("decision") == "distinct",
            note=p.get("note", ""),
        ),
        "核查结果已保存",
    )


@require_POST
@capability_required(Cap.BENEFITS_REVIEW)
def entry_objection(request: HttpRequest, pk: int) -> HttpResponse:
    p = request.POST

    def record(e):
        try:
            received = date.fromisoformat(p.get("received_on", ""))
        except ValueError:
            raise DomainError("请填写正确的收到日期") from None
        services.objection_record(
            actor=request.user,
            entry=e,
            received_on=received,
            content=p.get("content", ""),
            raised_by=p.get("raised_by", ""),
        )

    return _entry_step(request, pk, record, "异议已登记")


@require_POST
@capability_required(Cap.BENEFITS_REVIEW)
def objection_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    objection = selectors.get_objection_for_user(request.user, pk)
    try:
        services.objection_resolve(
            actor=request.user,
            objection=objection,
            upheld=request.POST.get("decision") == "upheld",
            resolution=request.POST.get("resolution", ""),
        )
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "异议已处理")
    return redirect("benefits:entry", pk=objection.entry_id)


# --- notice ----------------------------------------------------------------------------


@require_POST
@capability_required(Cap.BENEFITS_REVIEW)
def notice_publish(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = selectors.get_cycle_for_user(request.user, pk)
    try:
        # A township publishes for one of its villages (代录); a village for itself.
        unit_id = request.POST.get("unit", "") or request.user.org_unit_id
        notice = services.notice_publish(actor=request.user, cycle=cycle, unit_id=unit_id)
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request, f"已公示，公示期{notice.starts_on:%Y-%m-%d}至{notice.ends_on:%Y-%m-%d}"
        )
    return redirect("benefits:cycle", pk=cycle.pk)


@require_GET
@capability_required(Cap.BENEFITS_VIEW)
def notice_print(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = selectors.get_cycle_for_user(request.user, pk)
    unit = request.GET.get("unit", "")
    notice = (
        selectors.Notice.objects.filter(cycle=cycle, unit_id=unit).select_related("unit").first()
    )
    from famplan.orgunits.jurisdiction import unit_in_scope

    if notice is None or not unit_in_scope(request.user, unit):
        from django.http import Http404

        raise Http404("记录不存在")
    entries = selectors.notice_entries(cycle, unit)
    rows = [
        {
            "name": e.person.name,
            "sex": e.person.get_sex_display(),
            "id": mask_id_number(e.person.id_number),
            "category": CATEGORY_LABELS.get(e.category, ""),
            "amount": e.amount_due,
        }
        for e in entries
    ]
    audit_log(
        actor=request.user,
        action="benefits.notice.printed",
        target=cycle,
        org_unit_id=unit,
        detail={"rows": len(rows)},
    )
    content = notice_pdf({"cycle": cycle, "notice": notice, "rows": rows})
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        f"公示名单_{notice.unit.name}_{cycle.year}.pdf"
    )
    return response


# --- roster, exits, entrants -----------------------------------------------------------


def _roster_filters(request: HttpRequest) -> dict:
    status = request.GET.get("status", "")
    return {
        "unit": request.GET.get("unit", "").strip(),
        "status": status if status in PaymentStatus.values else "",
        "exited": request.GET.get("exited", ""),
    }


@require_GET
@capability_required(Cap.BENEFITS_VIEW)
def roster(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = selectors.get_cycle_for_user(request.user, pk)
    filters = _roster_filters(request)
    rows = selectors.roster_for_user(request.user, cycle, **filters)
    page = CappedPaginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    audit_log(
        actor=request.user,
        action="benefits.roster.listed",
        target=cycle,
        detail={"filter": filters, "page": page.number},
    )
    return render(
        request,
        "benefits/roster.html",
        {
            "cycle": cycle,
            "page_obj": page,
            "querystring_without_page": querystring_without_page(request),
            "filters": filters,
            "statuses": PaymentStatus.choices,
            "reasons": ExitReason.choices,
            "can_manage": request.user.can(Cap.BENEFITS_MANAGE)
            and len(request.user.org_unit_id or "") == 6,
            "can_export": request.user.can(Cap.BENEFITS_EXPORT),
            "frozen": cycle.status == CycleStatus.FROZEN,
            "proposals": selectors.exit_proposals(request.user, cycle)
            if cycle.status == CycleStatus.FROZEN
            else [],
        },
    )


ROSTER_COLUMNS = [
    ("村(居)代码", 14), ("村(居)", 14), ("姓名", 10), ("性别", 6), ("身份证号", 22),
    ("类别", 12), ("月标准", 10), ("起始月份", 10), ("截止月份", 10), ("应发金额", 12),
    ("开户银行", 20), ("账号", 22), ("新增", 6), ("退出月份", 10), ("退出原因", 14),
    ("发放状态", 12), ("实发金额", 12), ("失败原因", 20),
]  # fmt: skip


@require_GET
@capability_required(Cap.BENEFITS_EXPORT)
def roster_export(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = selectors.get_cycle_for_user(request.user, pk)
    filters = _roster_filters(request)
    statuses = dict(PaymentStatus.choices)
    reasons = dict(ExitReason.choices)
    rows = (
        (
            r.unit_id,
            r.unit.name,
            r.name,
            "男" if r.sex == "M" else "女",
            r.id_masked,
            CATEGORY_LABELS.get(r.category, ""),
            r.monthly_amount,
            ym(r.from_month),
            ym(r.to_month),
            r.amount_due,
            r.bank_name,
            r.account_masked,
            r.entrant,
            ym(r.exit_month) if r.exit_month else "",
            reasons.get(r.exit_reason, ""),
            statuses[r.payment_status],
            r.paid_amount,
            r.failure_reason,
        )
        for r in selectors.roster_for_user(request.user, cycle, **filters).iterator(chunk_size=2000)
    )
    return export_download(
        actor=request.user,
        action="benefits.roster.exported",
        sheet=f"{cycle.year}年{cycle.program.name}花名册"[:31],
        columns=ROSTER_COLUMNS,
        rows=rows,
        detail={"filter": filters, "cycle": cycle.pk},
        filename=f"发放花名册_{cycle.year}",
        target=cycle,
    )


@require_POST
@capability_required(Cap.BENEFITS_MANAGE)
def roster_exit(request: HttpRequest, pk: int) -> HttpResponse:
    row = selectors.get_roster_row_for_user(request.user, pk)
    month = _month(request.POST.get("month"))
    try:
        if month is None:
            raise DomainError("请填写退出月份（如 2026-05）")
        services.exit_record(
            actor=request.user, row=row, reason=request.POST.get("reason", ""), month=month
        )
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"{row.name}已登记退出")
    return redirect("benefits:roster", pk=row.cycle_id)


@require_POST
@capability_required(Cap.BENEFITS_MANAGE)
def entrant_add(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = selectors.get_cycle_for_user(request.user, pk)
    person = get_person_for_user(request.user, _int(request.POST.get("person")) or 0)
    month = _month(request.POST.get("month"))
    try:
        if month is None:
            raise DomainError("请填写起始月份（如 2026-05）")
        services.entrant_add(actor=request.user, cycle=cycle, person=person, from_month=month)
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"{person.name}已增补")
    return redirect("benefits:roster", pk=cycle.pk)


# --- payments --------------------------------------------------------------------------


@require_POST
@capability_required(Cap.BENEFITS_PAY)
def payment_file(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = selectors.get_cycle_for_user(request.user, pk)
    layout = BankLayout.objects.filter(pk=_int(request.POST.get("layout"))).first()
    try:
        if layout is None:
            raise DomainError("请选择代发格式")
        content, _rows, _total = services.payment_file(
            actor=request.user, cycle=cycle, layout=layout
        )
    except DomainError as exc:
        _refused(request, exc)
        return redirect("benefits:cycle", pk=cycle.pk)
    return xlsx_response(
        f"代发文件_{cycle.year}_{cycle.program.code}_{dates.today():%Y%m%d}.xlsx", content
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.BENEFITS_PAY)
def confirmations(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = selectors.get_cycle_for_user(request.user, pk)
    report = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise DomainError("请选择银行返回的发放结果文件")
            report = services.confirmations_import(
                actor=request.user, cycle=cycle, content=upload.read(), filename=upload.name
            )
        except DomainError as exc:
            _refused(request, exc)
        else:
            if report.ok:
                messages.success(request, f"已导入：成功 {report.paid} 人，失败 {report.failed} 人")
                return redirect("benefits:roster", pk=cycle.pk)
    return render(request, "benefits/confirmations.html", {"cycle": cycle, "report": report})


class AccountForm(forms.Form):
    payee_name = forms.CharField(label="户名", max_length=50)
    bank_name = forms.CharField(label="开户银行", max_length=100)
    account_number = forms.CharField(label="账号", max_length=40)


@require_http_methods(["GET", "POST"])
@capability_required(Cap.BENEFITS_REVIEW)
def account(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(request.user, pk)
    form = AccountForm(request.POST or None, initial={"payee_name": person.name})
    if request.method == "POST" and form.is_valid():
        try:
            services.bank_account_set(actor=request.user, person=person, **form.cleaned_data)
        except services.AccountError as exc:
            form.add_error(exc.field, exc.message)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "银行账户已保存")
            return redirect("benefits:account", pk=person.pk)
    audit_log(
        actor=request.user,
        action="benefits.account.viewed",
        target=person,
        org_unit_id=person.unit_id,
    )
    return render(
        request,
        "benefits/account.html",
        {
            "person": person,
            "form": form,
            "accounts": selectors.accounts_of(person.pk),
            "to_check": selectors.accounts_to_check(request.user, person.pk),
        },
    )


@require_POST
@capability_required(Cap.BENEFITS_REVIEW)
def account_kept(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(selectors.accounts_to_check(request.user), pk=pk)
    try:
        services.application_account_kept(
            actor=request.user, application=application, note=request.POST.get("note", "")
        )
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "已核实，保留原账户")
    return redirect("benefits:account", pk=application.applicant_id)


class ApplicationForm(forms.Form):
    program = forms.ModelChoiceField(label="项目", queryset=Program.objects.filter(active=True))
    person_key = forms.CharField(
        label="对象身份证号或出生医学证明编号",
        max_length=40,
        help_text="育儿补贴为婴幼儿本人",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    applicant_id_number = IdNumberField(
        label="申请人身份证号",
        required=False,
        help_text="育儿补贴为父亲或母亲（以出生登记为准）；其他项目留空，即对象本人",
    )
    applied_on = forms.DateField(label="申请日期")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict:
        data = super().clean()
        if "person_key" not in data:
            return data
        people = scope(Person.objects.select_related("birth"), self.user, "unit")
        person = selectors.person_by_key(people, data["person_key"])
        if person is None:
            self.add_error("person_key", "未找到该人员，或不在您的管辖范围内")
            return data
        data["person"] = person
        typed = data.get("applicant_id_number") or ""
        if not typed:
            data["applicant"] = person
            return data
        # The applicant is the person or a parent by the birth record: looked up among
        # those only, so the form cannot be used to find anybody else by ID number.
        birth = getattr(person, "birth", None)
        family = [person.pk, *((birth.mother_id, birth.father_id) if birth else ())]
        try:
            data["applicant"] = find_person_by_id_number(
                Person.objects.filter(pk__in=[pk for pk in family if pk]), typed
            )
        except forms.ValidationError as exc:
            if exc.code == "not_found":
                exc = forms.ValidationError(
                    "申请人须为对象本人，或婴幼儿的父亲或母亲（以出生登记为准）"
                )
            self.add_error("applicant_id_number", exc)
        return data


@require_http_methods(["GET", "POST"])
@capability_required(Cap.BENEFITS_REVIEW)
def application_create(request: HttpRequest) -> HttpResponse:
    form = ApplicationForm(
        request.POST or None, user=request.user, initial={"applied_on": dates.today()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.application_submit(
                actor=request.user,
                program=data["program"],
                person=data["person"],
                applicant=data["applicant"],
                applied_on=data["applied_on"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已受理{data['person'].name}的{data['program'].name}申请")
            return redirect("benefits:home")
    return render(request, "benefits/application_form.html", {"form": form})


# --- report ----------------------------------------------------------------------------

REPORT_COLUMNS = [
    ("单位代码", 14), ("单位", 16), ("对象人数", 10), ("退出人数", 10), ("应发金额", 14),
    ("实发金额", 14), ("兑现率(%)", 10), ("发放失败", 10),
]  # fmt: skip


def _report_level(request: HttpRequest) -> int:
    return 12 if request.GET.get("level") == "village" else 9


@require_GET
@capability_required(Cap.BENEFITS_VIEW)
def report(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = selectors.get_cycle_for_user(request.user, pk)
    level = _report_level(request)
    rows = selectors.report_by_unit(request.user, cycle, level)
    due = sum((r["due"] for r in rows), Decimal("0"))
    paid = sum((r["paid"] for r in rows), Decimal("0"))
    audit_log(actor=request.user, action="benefits.report.viewed", target=cycle)
    return render(
        request,
        "benefits/report.html",
        {
            "cycle": cycle,
            "rows": rows,
            "level": level,
            "total": {
                "people": sum(r["people"] for r in rows),
                "due": due,
                "paid": paid,
                "rate": (paid / due * 100).quantize(Decimal("0.1")) if due else None,
            },
            "exits": selectors.exits_by_reason(request.user, cycle),
            "can_export": request.user.can(Cap.BENEFITS_EXPORT),
        },
    )


@require_GET
@capability_required(Cap.BENEFITS_EXPORT)
def report_export(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = selectors.get_cycle_for_user(request.user, pk)
    level = _report_level(request)
    rows = [
        (
            r["code"],
            r["name"],
            r["people"],
            r["exited"],
            r["due"],
            r["paid"],
            r["rate"],
            r["failed"],
        )
        for r in selectors.report_by_unit(request.user, cycle, level)
    ]
    return export_download(
        actor=request.user,
        action="benefits.report.exported",
        sheet=f"{cycle.year}年{cycle.program.name}发放统计"[:31],
        columns=REPORT_COLUMNS,
        rows=rows,
        detail={"cycle": cycle.pk, "level": level},
        filename=f"发放统计_{cycle.year}",
        target=cycle,
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.BENEFITS_PAY)
def layouts(request: HttpRequest) -> HttpResponse:
    """The banks' payment-file layouts (county-wide settings, no personal data)."""
    from famplan.benefits.services.payments import LAYOUT_FIELDS

    error = None
    if request.method == "POST":
        try:
            services.bank_layout_save(
                actor=request.user,
                name=request.POST.get("name", ""),
                sheet_name=request.POST.get("sheet_name", ""),
                lines=request.POST.get("lines", ""),
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, "代发格式已保存")
            return redirect("benefits:layouts")
    return render(
        request,
        "benefits/layouts.html",
        {
            "layouts": BankLayout.objects.order_by("name"),
            "fields": LAYOUT_FIELDS.items(),
            "error": error,
            "posted": request.POST,
        },
    )
