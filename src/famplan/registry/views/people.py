"""People: the searchable list, its Excel export, and the person page (audited)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from famplan.accounts.permissions import capability_required
from famplan.accounts.roles import Cap
from famplan.audit.services import audit_log
from famplan.common.dates import today
from famplan.registry import exports, selectors
from famplan.registry.forms.filters import PersonFilterForm, filters_for_audit
from famplan.registry.models import Person, PersonStatus, Sex
from famplan.registry.panels import panels_for
from famplan.registry.services.births import MIN_MOTHER_AGE
from famplan.registry.services.marriages import LEGAL_MARRIAGE_AGE
from famplan.registry.views import (
    PER_PAGE,
    edit_links,
    export_response,
    querystring_without_page,
)

# Event forms of the person page: (label, URL name, who it applies to, and the query
# parameter naming the person for forms without the person in their path, else None).
EVENT_LINKS: list[tuple[str, str, str, str | None]] = [
    ("修改信息", "registry:person_edit", "any", None),
    ("登记生育", "registry:birth_create", "mother", "mother"),
    ("登记结婚", "registry:marriage_create", "marriageable", "person"),
    ("登记流出", "registry:migration_out_create", "active", None),
    ("居住地变更", "registry:residence_change", "on_register", None),
    ("户口迁出", "registry:move_away", "on_register", None),
    ("登记死亡", "registry:death_create", "alive", None),
]

# Entry pages for new records, shown above the list.
LIST_LINKS = [
    ("新增人员", "registry:person_create"),
    ("登记出生", "registry:birth_create"),
    ("登记结婚", "registry:marriage_create"),
    ("登记流入", "registry:migration_in_create"),
]

DETAIL_FIELDS = [
    "name",
    "sex",
    "birth_date",
    "ethnicity",
    "hukou_type",
    "hukou_unit",
    "unit",
    "relation_to_head",
    "marital_status",
    "phone",
    "disability_grade",
    "one_child_certificate_on",
    "registered_on",
    "left_on",
    "status",
    "entered_at",
    "entered_by",
    "updated_at",
]


def _person_filter(request: HttpRequest) -> tuple[PersonFilterForm, dict | None]:
    """The bound filter form and its filters; None when the form is invalid (a list
    then shows nothing, never everything)."""
    form = PersonFilterForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        return form, None
    return form, form.filters()


@require_GET
@capability_required(Cap.REGISTRY_VIEW)
def person_list(request: HttpRequest) -> HttpResponse:
    form, filters = _person_filter(request)
    people = (
        selectors.search_people(request.user, **filters)
        if filters is not None
        else Person.objects.none()
    )
    paginator = selectors.CappedPaginator(people, PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    if form.is_bound and filters is not None:
        # A search shows people's names: who looked for whom belongs in the log.
        audit_log(
            actor=request.user,
            action="registry.person.searched",
            detail={"filter": filters_for_audit(filters), "page": page.number},
        )
    elif not form.is_bound:
        # The unfiltered list shows names too: an audited read, like the household list.
        audit_log(actor=request.user, action="registry.person.listed", detail={"page": page.number})
    return render(
        request,
        "registry/person_list.html",
        {
            "form": form,
            "page_obj": page,
            "querystring_without_page": querystring_without_page(request),
            "export_query": querystring_without_page(request).rstrip("&"),
            "can_export": request.user.can(Cap.REGISTRY_EXPORT),
            "can_unmask": request.user.can(Cap.ID_UNMASK),
            "can_edit": request.user.can(Cap.REGISTRY_EDIT),
            "create_links": edit_links(request.user, LIST_LINKS),
        },
    )


@require_GET
@capability_required(Cap.REGISTRY_EXPORT)
def person_export(request: HttpRequest) -> HttpResponse:
    _form, filters = _person_filter(request)
    if filters is None:
        # Show the list with the same parameters: its form explains what is wrong.
        return redirect(f"{reverse('registry:person_list')}?{request.GET.urlencode()}")
    return export_response(
        request,
        export=exports.PEOPLE,
        queryset=selectors.search_people(request.user, **filters),
        filters=filters,
    )


def _event_links(person: Person) -> list[tuple[str, str]]:
    alive = person.status != PersonStatus.DECEASED
    on_register = person.status in (PersonStatus.ACTIVE, PersonStatus.AWAY)
    age = person.age_on(today())
    applies = {
        "any": True,
        "alive": alive,
        "on_register": on_register,
        "active": person.status == PersonStatus.ACTIVE,
        # Only where the event can happen: no "record a marriage" on a baby's page.
        "mother": on_register and person.sex == Sex.FEMALE and age >= MIN_MOTHER_AGE,
        "marriageable": on_register and age >= LEGAL_MARRIAGE_AGE[person.sex],
    }
    links = []
    for label, name, rule, query_name in EVENT_LINKS:
        if not applies[rule]:
            continue
        if query_name:
            url = f"{reverse(name)}?{query_name}={person.pk}"
        else:
            url = reverse(name, args=[person.pk])
        links.append((label, url))
    return links


def _detail_rows(person: Person) -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = []
    for name in DETAIL_FIELDS:
        field = Person._meta.get_field(name)
        display = getattr(person, f"get_{name}_display", None)
        value = display() if display and getattr(person, name) else getattr(person, name)
        rows.append((str(field.verbose_name), value))
    return rows


@require_http_methods(["GET", "POST"])
@capability_required(Cap.REGISTRY_VIEW)
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.get_person_for_user(request.user, pk)
    unmasked = False
    if request.method == "POST":
        # Showing the full ID number is a deliberate act with its own audit row; a POST,
        # so that no prefetch or shared link does it.
        if request.POST.get("action") != "unmask" or not request.user.can(Cap.ID_UNMASK):
            raise PermissionDenied("您没有查看完整身份证号的权限。")
        audit_log(
            actor=request.user,
            action="registry.person.id_unmasked",
            target=person,
            org_unit_id=person.unit_id,
        )
        unmasked = True
    audit_log(
        actor=request.user,
        action="registry.person.viewed",
        target=person,
        org_unit_id=person.unit_id,
    )
    return render(
        request,
        "registry/person_detail.html",
        {
            "person": person,
            "rows": _detail_rows(person),
            "id_display": (person.id_number if unmasked else person.id_masked) or "",
            "unmasked": unmasked,
            "can_unmask": request.user.can(Cap.ID_UNMASK) and bool(person.id_number),
            "timeline": selectors.person_timeline(person),
            "event_links": _event_links(person) if request.user.can(Cap.REGISTRY_EDIT) else [],
            # Other apps' panels (health records), each audited by its app.
            "panels": panels_for(request.user, person),
        },
    )
