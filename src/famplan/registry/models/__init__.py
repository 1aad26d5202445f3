"""The population registry's records, split by sub-domain (people, events)."""

from famplan.registry.models.choices import *  # noqa: F403
from famplan.registry.models.events import (
    Birth,
    Death,
    HouseholdChange,
    Marriage,
    Migration,
    ResidenceChange,
)
from famplan.registry.models.people import Household, Person

__all__ = [
    "Birth",
    "Death",
    "Household",
    "HouseholdChange",
    "Marriage",
    "Migration",
    "Person",
    "ResidenceChange",
]
