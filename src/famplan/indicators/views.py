"""Indicator pages: the report by unit with drill-down and export, refresh, targets."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from famplan.accounts.permissions import capability_required
from famplan.accounts.roles import Cap
from famplan.audit.services import audit_log
from famplan.common import dates
from famplan.common.errors import DomainError
from famplan.common.xlsx import write_xlsx, xlsx_response
from famplan.indicators.elements import ELEMENTS, ElementError
from famplan.indicators.indicators import INDICATORS
from famplan.indicators.models import Direction
from famplan.indicators.selectors import (
    REPORT_TABLES,
    TABLES_BY_CODE,
    Report,
    ReportTable,
    effective_targets,
    elements_for_user,
    measure_labels,
    report_for_user,
    sex_ratio_funnel_for_user,
    targets_for_user,
    trend_for_user,
)
from famplan.indicators.services import (
    FIRST_YEAR,
    TargetError,
    elements_record,
    rebuild_years,
    target_set,
    targets_copy_down,
    values_refresh_start,
)
from famplan.orgunits.models import Level, OrgUnit
from famplan.orgunits.selectors import breadcrumb_for_user, get_unit_for_user


def _year(raw: str | None, ahead: int = 0) -> int:
    """The year asked for, or this year; at most `ahead` years after this one."""
    this_year = dates.today().year
    try:
        year = int(raw or this_year)
    except ValueError:
        return this_year
    return year if FIRST_YEAR <= year <= this_year + ahead else this_year


def _table(raw: str | None) -> ReportTable:
    """The standard table asked for; the overview for none or an unknown one."""
    return TABLES_BY_CODE.get(raw or "", REPORT_TABLES[0])


def _unit(request: HttpRequest, raw: str | None) -> OrgUnit:
    return get_unit_for_user(request.user, raw or request.user.org_unit_id)


def _breadcrumb(request: HttpRequest, unit: OrgUnit, year: int, name: str = "report") -> list:
    url = reverse(f"indicators:{name}")
    return [
        {"label": u.name, "url": f"{url}?unit={u.code}&year={year}"}
        for u in breadcrumb_for_user(request.user, unit)
    ]


@capability_required(Cap.INDICATORS_VIEW)
def report(request: HttpRequest) -> HttpResponse:
    year = _year(request.GET.get("year"))
    unit = _unit(request, request.GET.get("unit"))
    table = _table(request.GET.get("table"))
    this_year = dates.today().year
    return render(
        request,
        "indicators/report.html",
        {
            "unit": unit,
            "year": year,
            "years": list(range(this_year, max(FIRST_YEAR, this_year - 15) - 1, -1)),
            "report": report_for_user(request.user, unit, year, table),
            "tables": REPORT_TABLES,
            "table": table,
            "measure_labels": measure_labels(table),
            "can_refresh": request.user.can(Cap.INDICATORS_REFRESH),
            "breadcrumb": _breadcrumb(request, unit, year),
        },
    )


def _number_cell(value: float | None) -> object:
    if value is None:
        return None
    return "∞" if value == float("inf") else round(value, 4)


def _unit_of_account(report: Report) -> str:
    return f"{report.unit.name}（{report.unit.code}）"


def export_rows(report: Report) -> list[list[object]]:
    """The report as rows of an official-looking form: one row a unit, then the total,
    then the form's particulars (unit of account, period, freshness, formulas)."""
    rows: list[list[object]] = []
    village = bool(report.rows) and report.rows[0] is report.total
    for row in report.rows if village else [*report.rows, report.total]:
        cells: list[object] = [
            "合计" if row is report.total and not village else row.unit.name,
            row.unit.code,
            *row.counts,
        ]
        for cell in row.cells:
            cells += [
                _number_cell(cell.estimate.value),
                cell.interval_text,
                cell.target.text if cell.target else "",
                cell.verdict_label,
            ]
        rows.append(cells)
    run = report.run
    fresh = timezone.localtime(run.finished_at).strftime("%Y-%m-%d %H:%M") if run else "尚未计算"
    rows += [
        [],
        ["填报单位", _unit_of_account(report)],
        ["统计期", report.period.label],
        ["数据更新时间", fresh],
        [
            "说明",
            "区间为95%置信区间；区间完全满足目标为达标，完全不满足为未达标，否则为数据太少，无法判断。",
        ],
        *[["", f"{i.label}：{i.formula}"] for i in report.indicators],
    ]
    return rows


def export_columns(report: Report) -> list[tuple[str, float]]:
    columns: list[tuple[str, float]] = [("单位", 16), ("区划代码", 14)]
    columns += [(label, 9) for label in measure_labels(report.table)]
    for i in report.indicators:
        suffix = f"({i.unit_label})" if i.unit_label else ""
        columns += [
            (f"{i.label}{suffix}", 10),
            (f"{i.label}95%区间", 14),
            (f"{i.label}目标", 8),
            (f"{i.label}评价", 14),
        ]
    return columns


@capability_required(Cap.INDICATORS_VIEW)
def report_export(request: HttpRequest, code: str) -> HttpResponse:
    year = _year(request.GET.get("year"))
    unit = get_unit_for_user(request.user, code)
    table = _table(request.GET.get("table"))
    data = report_for_user(request.user, unit, year, table)
    title = f"{data.period.label}{table.title}"
    content = write_xlsx(export_columns(data), export_rows(data), sheet_name=title)
    audit_log(
        actor=request.user,
        action="indicators.report.exported",
        target=unit,
        org_unit_id=unit.code,
        detail={"year": year, "table": table.code, "rows": len(data.rows)},
    )
    return xlsx_response(f"{title}_{unit.name}_{dates.today():%Y%m%d}", content)


@capability_required(Cap.INDICATORS_REFRESH)
@require_POST
def refresh(request: HttpRequest) -> HttpResponse:
    if request.POST.get("scope") == "all":
        first_year, last_year = rebuild_years()
    else:
        first_year = last_year = _year(request.POST.get("year"))
    try:
        job = values_refresh_start(user=request.user, first_year=first_year, last_year=last_year)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("indicators:report")
    return redirect("jobs:detail", pk=job.pk)


@capability_required(Cap.INDICATORS_VIEW)
def targets(request: HttpRequest) -> HttpResponse:
    year = _year(request.GET.get("year"), ahead=1)
    unit = _unit(request, request.GET.get("unit"))
    return _targets_page(request, unit, year)


def _targets_page(
    request: HttpRequest,
    unit: OrgUnit,
    year: int,
    error: TargetError | None = None,
    status: int = 200,
) -> HttpResponse:
    found = effective_targets([unit.code], year)[unit.code]
    own = {t.indicator: t for t in targets_for_user(request.user).filter(unit=unit, year=year)}
    rows = [(spec, found[code], own.get(code)) for code, spec in INDICATORS.items()]
    this_year = dates.today().year
    return render(
        request,
        "indicators/targets.html",
        {
            "unit": unit,
            "year": year,
            "years": list(range(this_year + 1, max(FIRST_YEAR, this_year - 10) - 1, -1)),
            "rows": rows,
            "indicators": list(INDICATORS.values()),
            "directions": Direction.choices,
            "can_set": request.user.can(Cap.TARGETS_SET),
            "error": error,
            "posted": request.POST if error else None,
            "breadcrumb": _breadcrumb(request, unit, year, "targets"),
        },
        status=status,
    )


def _post_year(raw: str | None) -> int | None:
    try:
        return int(raw or "")
    except ValueError:
        return None


@capability_required(Cap.TARGETS_SET)
@require_POST
def target_set_view(request: HttpRequest) -> HttpResponse:
    unit = _unit(request, request.POST.get("unit"))
    year = _post_year(request.POST.get("year"))
    try:
        target_set(
            actor=request.user,
            unit=unit,
            indicator=request.POST.get("indicator", ""),
            year=year,
            direction=request.POST.get("direction", ""),
            low=request.POST.get("low"),
            high=request.POST.get("high"),
        )
    except TargetError as exc:
        return _targets_page(request, unit, year or dates.today().year, exc, status=400)
    messages.success(request, "目标已保存。")
    return redirect(f"{reverse('indicators:targets')}?unit={unit.code}&year={year}")


@capability_required(Cap.TARGETS_SET)
@require_POST
def targets_copy(request: HttpRequest) -> HttpResponse:
    unit = _unit(request, request.POST.get("unit"))
    year = _year(request.POST.get("year"), ahead=1)
    written = targets_copy_down(actor=request.user, unit=unit, year=year)
    messages.success(request, f"已将{unit.name}{year}年的目标下达到下级单位（共 {written} 条）。")
    return redirect(f"{reverse('indicators:targets')}?unit={unit.code}&year={year}")


@capability_required(Cap.INDICATORS_VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    year = _year(request.GET.get("year"))
    unit = _unit(request, request.GET.get("unit"))
    this_year = dates.today().year
    return render(
        request,
        "indicators/dashboard.html",
        {
            "unit": unit,
            "year": year,
            "years": list(range(this_year, max(FIRST_YEAR, this_year - 15) - 1, -1)),
            "data_url": f"{reverse('indicators:dashboard_data')}?unit={unit.code}&year={year}",
            "breadcrumb": _breadcrumb(request, unit, year, "dashboard"),
        },
    )


@capability_required(Cap.INDICATORS_VIEW)
def dashboard_data(request: HttpRequest) -> JsonResponse:
    """The dashboard's charts as JSON (the page's script draws them: no inline script)."""
    year = _year(request.GET.get("year"))
    unit = _unit(request, request.GET.get("unit"))
    years = list(range(year - 9, year + 1))
    return JsonResponse(
        {
            "trend": trend_for_user(request.user, unit, years),
            "funnel": sex_ratio_funnel_for_user(request.user, unit, year),
        }
    )


def _month(raw: str | None) -> date | None:
    """A month typed as 2026-05 (the month input's format), or None."""
    try:
        year, month = (int(part) for part in (raw or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return None


@capability_required(Cap.ELEMENTS_ENTER)
def elements(request: HttpRequest) -> HttpResponse:
    """Manual data elements of one month: a unit's villages with their figures, and for
    one village the form that enters them (POST)."""
    source = request.POST if request.method == "POST" else request.GET
    unit = _unit(request, source.get("unit"))
    month = _month(source.get("month"))
    error: ElementError | None = None
    posted = None
    if request.method == "POST":
        try:
            if month is None:
                raise ElementError("month", "请填写月份，例如 2026-05")
            elements_record(
                actor=request.user,
                unit=unit,
                month=month,
                values={code: request.POST.get(code) for code in ELEMENTS},
            )
        except ElementError as exc:
            error, posted = exc, request.POST
        else:
            messages.success(request, f"已保存{unit.name}{month.year}年{month.month}月的填报数据。")
            return redirect(
                f"{reverse('indicators:elements')}?unit={unit.code}&month={month:%Y-%m}"
            )
    today = dates.today()
    month = month or today.replace(day=1)
    rows = elements_for_user(request.user, unit, month)
    shown = [(row.unit, [row.values.get(code, "") for code in ELEMENTS]) for row in rows]
    stored = rows[0].values if rows and unit.level == Level.VILLAGE else {}
    fields = [
        (e, posted.get(e.code, "") if posted is not None else stored.get(e.code, ""))
        for e in ELEMENTS.values()
    ]
    return render(
        request,
        "indicators/elements.html",
        {
            "unit": unit,
            "month": month,
            "max_month": f"{today:%Y-%m}",
            "elements": list(ELEMENTS.values()),
            "rows": shown,
            "fields": fields,
            "is_village": unit.level == Level.VILLAGE,
            "error": error,
            "posted": posted,
            "breadcrumb": [
                {
                    "label": u.name,
                    "url": f"{reverse('indicators:elements')}?unit={u.code}&month={month:%Y-%m}",
                }
                for u in breadcrumb_for_user(request.user, unit)
            ],
        },
        status=400 if error else 200,
    )
