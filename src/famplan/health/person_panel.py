"""The person page's health panel: the person's pre-pregnancy checks (as wife or
husband) with their follow-ups, and folic acid issues with their follow-ups, read within
the viewer's jurisdiction. Health data is sensitive (PIPL art. 28): every showing is an
audited read, `health.person.viewed`, with what was shown counted."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q

from famplan.accounts.roles import Cap
from famplan.audit.services import audit_log
from famplan.common.dates import today
from famplan.health.models import FolicAcidFollowUp, FolicAcidIssue, FollowUp, PrePregnancyCheck
from famplan.health.selectors import STATE_LABELS, followup_state
from famplan.orgunits.jurisdiction import scope
from famplan.registry.models import Person
from famplan.registry.panels import PersonPanel


def health_records(user: Any, person: Person) -> dict[str, Any]:
    """The person's checks and folic acid issues in the user's jurisdiction: four
    queries whatever their number."""
    followups = scope(FollowUp.objects.all(), user, "unit").order_by("opens_on")
    checks = (
        scope(PrePregnancyCheck.objects.filter(Q(wife=person) | Q(husband=person)), user, "unit")
        .select_related("wife", "husband")
        .prefetch_related(Prefetch("followups", queryset=followups))
        .order_by("-checked_on", "-pk")
    )
    visits = scope(FolicAcidFollowUp.objects.all(), user, "unit").order_by("visited_on")
    issues = (
        scope(FolicAcidIssue.objects.filter(woman=person), user, "unit")
        .prefetch_related(Prefetch("followups", queryset=visits))
        .order_by("-issued_on", "-pk")
    )
    on = today()
    checks = list(checks)
    for check in checks:
        for f in check.followups.all():
            f.state_label = STATE_LABELS.get(followup_state(f, on), "")
    return {"checks": checks, "issues": list(issues)}


def panel_context(user: Any, person: Person) -> dict[str, Any]:
    records = health_records(user, person)
    followups = sum(len(c.followups.all()) for c in records["checks"])
    audit_log(
        actor=user,
        action="health.person.viewed",
        target=person,
        org_unit_id=person.unit_id,
        detail={
            "checks": len(records["checks"]),
            "followups": followups,
            "folic_issues": len(records["issues"]),
        },
    )
    return records


PANEL = PersonPanel(
    key="health",
    capability=Cap.HEALTH_VIEW,
    template="health/_person_panel.html",
    context=panel_context,
)
