"""Every measure of the tiny county against the figures counted by hand (conftest.py)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from famplan.indicators.models import MeasureValue, ValuesRun
from famplan.indicators.services import values_refresh

from .conftest import COUNTY, T1, T2, V1, V2, V3, V4


def values(unit: str, period_type: str = "year", start: date = date(2024, 1, 1)) -> dict[str, int]:
    return dict(
        MeasureValue.objects.filter(
            unit_id=unit, period_type=period_type, period_start=start
        ).values_list("measure", "value")
    )


@pytest.fixture
def refreshed(county2024, county_admin) -> ValuesRun:
    return values_refresh(actor=county_admin, first_year=2024, last_year=2024)


def test_it_counts_the_population_at_the_start_and_end_of_the_year(refreshed):
    expected = {V1: (12, 15), V2: (4, 4), V3: (5, 4), T1: (16, 19), T2: (5, 4), COUNTY: (21, 23)}
    for unit, (start, end) in expected.items():
        found = values(unit)
        assert (found.get("population_start"), found.get("population_end")) == (start, end), unit
    assert values(V4) == {}  # nobody lives there: no rows, read as 0


def test_it_follows_a_person_who_moved_between_villages(refreshed):
    # R lived in V2 until 9 Sep 2024, then in V1 (his record now says V1).
    aug, sep = date(2024, 8, 1), date(2024, 9, 1)
    assert values(V2, "month", aug)["population_end"] == 4
    assert values(V2, "month", sep)["population_end"] == 3
    assert values(V1, "month", aug)["population_end"] == 14
    assert values(V1, "month", sep)["population_end"] == 15


def test_it_counts_the_months_and_quarters(refreshed):
    q1 = values(V1, "quarter", date(2024, 1, 1))
    assert (q1["population_start"], q1["births"], q1["deaths"], q1["population_end"]) == (
        12,
        1,
        1,
        12,
    )
    feb = values(V1, "month", date(2024, 2, 1))
    assert (feb["population_start"], feb["population_end"], feb["births_male"]) == (12, 13, 1)
    h2 = values(V1, "half", date(2024, 7, 1))
    assert (
        h2["population_start"],
        h2["population_end"],
        h2["migrants_in"],
        h2["migrants_out"],
    ) == (
        13,
        15,
        1,
        1,
    )


def test_it_counts_births_by_sex_order_and_place(refreshed):
    county = values(COUNTY)
    assert county["births"] == 4
    assert (county["births_male"], county["births_female"]) == (2, 2)
    assert (
        county.get("births_order_1"),
        county.get("births_order_2", 0),
        county["births_order_3plus"],
    ) == (
        3,
        0,
        1,
    )
    assert county["births_hospital"] == 3
    assert values(V2)["births_female"] == 1
    # B's earlier children, born 2019 and 2021, are not 2024's births.
    assert values(V1)["births"] == 3


def test_it_counts_deaths_marriages_and_migrants(refreshed):
    county = values(COUNTY)
    assert (
        county["deaths"],
        county["marriages"],
        county["migrants_in"],
        county["migrants_out"],
    ) == (2, 1, 1, 1)
    assert values(T2)["deaths"] == 1


def test_it_counts_events_entered_by_the_fifth_of_the_next_month(refreshed):
    # V1: 3 births, a death, a marriage, 2 migrations, 2 changes of residence; V2: a
    # birth; V3: a death. Only A's birth (entered 5 Mar 23:59 Beijing) was on time.
    assert (values(V1)["events_due"], values(V1)["events_on_time"]) == (9, 1)
    assert (values(COUNTY)["events_due"], values(COUNTY)["events_on_time"]) == (11, 1)
    assert values(V1, "month", date(2024, 5, 1)).get("events_on_time", 0) == 0  # 6 Jun 00:01: late


def test_it_reruns_a_year_without_adding_twice(refreshed, county_admin):
    before = sorted(
        MeasureValue.objects.values_list(
            "unit_id", "period_type", "period_start", "measure", "value"
        )
    )
    again = values_refresh(actor=county_admin, first_year=2024, last_year=2024)
    after = sorted(
        MeasureValue.objects.values_list(
            "unit_id", "period_type", "period_start", "measure", "value"
        )
    )
    assert before == after
    assert again.rows == refreshed.rows == len(after)
    assert not MeasureValue.objects.filter(run=refreshed).exists()
    assert ValuesRun.objects.count() == 2 and again.finished_at is not None


def test_it_refreshes_from_the_command_line(county2024):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("refresh_indicators", "--year", "2024", stdout=out)
    assert "计算完成：2024—2024年" in out.getvalue()
    assert values(COUNTY)["births"] == 4
    assert ValuesRun.objects.get().started_by is None


def test_it_counts_the_same_population_whatever_the_range(county2024, county_admin):
    # The population query folds changes before the range into an opening balance and
    # leaves out those after it (R's move of Sep 2024, the 2024 births and deaths): a
    # refresh of 2023 alone, then of 2023-2024, give the same figures as 2024 alone.
    values_refresh(actor=county_admin, first_year=2023, last_year=2023)
    end_2023 = {u: values(u, "year", date(2023, 1, 1)).get("population_end") for u in (V1, V2, V3)}
    assert end_2023 == {V1: 12, V2: 4, V3: 5}
    values_refresh(actor=county_admin, first_year=2024, last_year=2024)
    alone = {u: values(u) for u in (V1, V2, V3, T1, COUNTY)}
    values_refresh(actor=county_admin, first_year=2023, last_year=2024)
    assert {u: values(u) for u in (V1, V2, V3, T1, COUNTY)} == alone
    assert values(V2, "year", date(2023, 1, 1))["population_end"] == 4


def test_it_rewrites_the_table_for_a_large_refresh_keeping_what_it_does_not_replace(
    refreshed, county_admin, monkeypatch
):
    # On PostgreSQL a refresh writing most of the table rewrites it (TRUNCATE, COPY, the
    # key rebuilt): other years' values and manual data elements must survive it.
    from famplan.indicators import services
    from famplan.indicators.models import MeasureValue
    from famplan.orgunits.models import OrgUnit

    values_refresh(actor=county_admin, first_year=2023, last_year=2023)
    services.elements_record(
        actor=county_admin,
        unit=OrgUnit.objects.get(code=V1),
        month=date(2024, 5, 1),
        values={"awareness_surveyed": "10", "awareness_aware": "9"},
    )
    before = set(
        MeasureValue.objects.values_list(
            "unit_id", "period_type", "period_start", "measure", "value"
        )
    )
    monkeypatch.setattr(services, "BULK_ROWS", 1)
    rewrites, rewrite = [], services._rewrite_postgres
    monkeypatch.setattr(
        services, "_rewrite_postgres", lambda *args: (rewrites.append(1), rewrite(*args))
    )
    values_refresh(actor=county_admin, first_year=2024, last_year=2024)
    assert len(rewrites) == (1 if connection.vendor == "postgresql" else 0)
    after = set(
        MeasureValue.objects.values_list(
            "unit_id", "period_type", "period_start", "measure", "value"
        )
    )
    assert after == before
    assert values(V1, "month", date(2024, 5, 1))["awareness_aware"] == 9
    assert values(V1, "year", date(2023, 1, 1))["population_end"] == 12
