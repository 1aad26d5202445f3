"""本月录入: the month's entry work and last month's deadline (the 5th) for the user's area."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from famplan.accounts.permissions import capability_required
from famplan.accounts.roles import Cap
from famplan.audit.services import audit_log
from famplan.common import dates
from famplan.registry import selectors


@require_GET
@capability_required(Cap.REGISTRY_EDIT)
def this_month(request: HttpRequest) -> HttpResponse:
    # Through the module, so a test sets the day the page reports on by patching dates.today.
    today = dates.today()
    report = selectors.month_report(request.user, today)
    events = selectors.events_entered(request.user, today)
    audit_log(
        actor=request.user, action="registry.events.listed", detail={"month": f"{today:%Y-%m}"}
    )
    return render(
        request,
        "registry/this_month.html",
        {
            "report": report,
            "events": events,
            "kinds": [label for _, _, label in selectors.EVENT_KINDS],
            "event_limit": 500,
        },
    )
