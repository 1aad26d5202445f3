"""Panels other apps add to the person page (the health app's records of the person).

The registry never imports those apps: each registers a panel from its
AppConfig.ready(). The person page shows a panel to a user holding its capability; the
panel reads its records within the user's jurisdiction and writes its own audit row
(docs/decisions.md, "The person page's health records are a panel the health app adds").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from famplan.registry.models import Person


@dataclass(frozen=True)
class PersonPanel:
    key: str
    capability: str
    template: str
    # (user, person) -> the template's context, or None for nothing to show.
    context: Callable[[Any, Person], dict[str, Any] | None]


@dataclass(frozen=True)
class RenderedPanel:
    key: str
    template: str
    context: dict[str, Any]


PERSON_PANELS: dict[str, PersonPanel] = {}


def register_person_panel(panel: PersonPanel) -> None:
    PERSON_PANELS[panel.key] = panel


def panels_for(user: Any, person: Person) -> list[RenderedPanel]:
    shown = []
    for panel in PERSON_PANELS.values():
        if not user.can(panel.capability):
            continue
        context = panel.context(user, person)
        if context is not None:
            shown.append(RenderedPanel(panel.key, panel.template, context))
    return shown
