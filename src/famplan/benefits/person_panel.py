"""The person page's benefits panel: the person's places on the programs' yearly lists
(with the roster's amount and payment where frozen), their applications as the person
or as the applicant, and the account payments go to, masked. Read within the viewer's
jurisdiction, shown only where there is something, audited (`benefits.person.viewed`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from famplan.accounts.roles import Cap
from famplan.audit.services import audit_log
from famplan.benefits.models import Application, BankAccount, Entry
from famplan.orgunits.jurisdiction import scope
from famplan.registry.models import Person
from famplan.registry.panels import PersonPanel

SHOWN = 20  # the latest cycles; a long-time beneficiary has one entry a year


def benefit_records(user: Any, person: Person) -> dict[str, Any]:
    """Three queries whatever their number."""
    entries = list(
        scope(Entry.objects.filter(person=person), user, "unit")
        .select_related("cycle__program", "roster_row")
        .order_by("-cycle__year", "-pk")[:SHOWN]
    )
    applications = list(
        scope(Application.objects.filter(Q(person=person) | Q(applicant=person)), user, "unit")
        .select_related("program", "person", "applicant")
        .order_by("-applied_on", "-pk")
    )
    account = scope(BankAccount.objects.filter(person=person, active=True), user, "unit").first()
    return {"entries": entries, "applications": applications, "account": account}


def panel_context(user: Any, person: Person) -> dict[str, Any] | None:
    records = benefit_records(user, person)
    if not (records["entries"] or records["applications"] or records["account"]):
        return None
    audit_log(
        actor=user,
        action="benefits.person.viewed",
        target=person,
        org_unit_id=person.unit_id,
        detail={
            "entries": len(records["entries"]),
            "applications": len(records["applications"]),
            "account": records["account"] is not None,
        },
    )
    return {**records, "person": person, "can_review": user.can(Cap.BENEFITS_REVIEW)}


PANEL = PersonPanel(
    key="benefits",
    capability=Cap.BENEFITS_VIEW,
    template="benefits/_person_panel.html",
    context=panel_context,
)
