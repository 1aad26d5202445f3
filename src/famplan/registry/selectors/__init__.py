"""Reads of the population registry, always cut to the user's jurisdiction.

One module per sub-domain (people, households, events, the timeline, the monthly
entry page); this package re-exports their public names, so callers write
`selectors.search_people` or `from famplan.registry.selectors import search_people`
without knowing which module holds it.
"""

from famplan.registry.selectors.events import (
    add_ages_at_death,
    get_marriage_for_user,
    get_migration_for_user,
    search_births,
    search_deaths,
    search_marriages,
    search_migrations,
)
from famplan.registry.selectors.households import (
    get_household_for_user,
    household_members,
    households_for_user,
    living_members,
    member_counts,
    search_households,
)
from famplan.registry.selectors.ids import id_for_export
from famplan.registry.selectors.month import (
    DEADLINE_DAY,
    EVENT_KINDS,
    EnteredEvent,
    MonthReport,
    Timeliness,
    events_entered,
    local_midnight,
    month_report,
    month_start,
    next_month_start,
    previous_month_start,
)
from famplan.registry.selectors.paging import COUNT_CAP, CappedPaginator
from famplan.registry.selectors.people import (
    get_person_for_user,
    people_for_user,
    search_people,
)
from famplan.registry.selectors.scoping import NAME_CEILING, village_equality
from famplan.registry.selectors.timeline import TimelineEntry, person_timeline

__all__ = [
    "COUNT_CAP",
    "DEADLINE_DAY",
    "EVENT_KINDS",
    "NAME_CEILING",
    "CappedPaginator",
    "EnteredEvent",
    "MonthReport",
    "TimelineEntry",
    "Timeliness",
    "add_ages_at_death",
    "events_entered",
    "get_household_for_user",
    "get_marriage_for_user",
    "get_migration_for_user",
    "get_person_for_user",
    "household_members",
    "households_for_user",
    "id_for_export",
    "living_members",
    "local_midnight",
    "member_counts",
    "month_report",
    "month_start",
    "next_month_start",
    "people_for_user",
    "person_timeline",
    "previous_month_start",
    "search_births",
    "search_deaths",
    "search_households",
    "search_marriages",
    "search_migrations",
    "search_people",
    "village_equality",
]
