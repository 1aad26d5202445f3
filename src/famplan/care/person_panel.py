"""The person page's care panel: the special family (失独/伤残) the person belongs to as
mother, father or only child, with its two contacts and the last visit. Read within the
viewer's jurisdiction, shown only for a member of such a family, audited
(`care.person.viewed`): that a family lost its only child is sensitive."""

from __future__ import annotations

from typing import Any

from famplan.accounts.roles import Cap
from famplan.audit.services import audit_log
from famplan.care.selectors import families_of_person
from famplan.registry.models import Person
from famplan.registry.panels import PersonPanel


def panel_context(user: Any, person: Person) -> dict[str, Any] | None:
    families = families_of_person(user, person)
    if not families:
        return None
    audit_log(
        actor=user,
        action="care.person.viewed",
        target=person,
        org_unit_id=person.unit_id,
        detail={"families": [f.pk for f in families]},
    )
    return {"families": families}


PANEL = PersonPanel(
    key="care",
    capability=Cap.CARE_VIEW,
    template="care/_person_panel.html",
    context=panel_context,
)
