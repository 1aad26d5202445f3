"""Reads of the population registry, always cut to the user's jurisdiction.

One module per sub-domain (people, households, events, the timeline, the monthly
entry page); this package re-exports their public names, so callers write
`selectors.search_people` or `from famplan.registry.selectors import search_people`
without knowing which module holds it.
"""

from famplan.registry.selectors.events import (
    BIRTH_COLUMNS,
    DEATH_COLUMNS,
    MARRIAGE_COLUMNS,
    MIGRATION_COLUMNS,
    add_ages_at_death,
    birth_export_rows,
    death_export_rows,
    get_marriage_for_user,
    get_migration_for_user,
    marriage_export_rows,
    migration_export_rows,
    search_births,
    search_deaths,
    search_marriages,
    search_migrations,
)
from famplan.registry.selectors.households import (
    HOUSEHOLD_COLUMNS,
    get_household_for_user,
    household_export_rows,
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
    EXPORT_COLUMNS,
    SEX_LABELS,
    STATUS_LABELS,
    export_rows,
    get_person_for_user,
    people_for_user,
    search_people,
)
from famplan.registry.selectors.scoping import NAME_CEILING, village_equality
from famplan.registry.selectors.timeline import TimelineEntry, person_timeline

__all__ = [
    "BIRTH_COLUMNS",
    "COUNT_CAP",
    "DEADLINE_DAY",
    "DEATH_COLUMNS",
    "EVENT_KINDS",
    "EXPORT_COLUMNS",
    "HOUSEHOLD_COLUMNS",
    "MARRIAGE_COLUMNS",
    "MIGRATION_COLUMNS",
    "NAME_CEILING",
    "SEX_LABELS",
    "STATUS_LABELS",
    "CappedPaginator",
    "EnteredEvent",
    "MonthReport",
    "TimelineEntry",
    "Timeliness",
    "add_ages_at_death",
    "birth_export_rows",
    "death_export_rows",
    "events_entered",
    "export_rows",
    "get_household_for_user",
    "get_marriage_for_user",
    "get_migration_for_user",
    "get_person_for_user",
    "household_export_rows",
    "household_members",
    "households_for_user",
    "id_for_export",
    "living_members",
    "local_midnight",
    "marriage_export_rows",
    "member_counts",
    "migration_export_rows",
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
