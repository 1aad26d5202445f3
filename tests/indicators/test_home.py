"""Each role's home page shows its own unit's figures, read from the values table."""

from __future__ import annotations

import pytest

from famplan.common.dates import today
from famplan.indicators.services import values_refresh
from tests.conftest import client_for


@pytest.fixture
def this_year(county2024, county_admin):
    return values_refresh(actor=county_admin, first_year=today().year, last_year=today().year)


def population(response) -> tuple[str, str]:
    rows = {label: (month, year) for label, month, year in response.context["figures"].rows}
    return rows["期末人口"]


def test_it_shows_each_user_their_own_units_population(
    this_year, village_client, clerk_client, other_client, county_client
):
    # Nobody came or went after 2024: this month's and this year's end are 2024's end.
    assert population(village_client.get("/")) == ("15", "15")
    assert population(clerk_client.get("/")) == ("19", "19")
    assert population(other_client.get("/")) == ("4", "4")
    assert population(county_client.get("/")) == ("23", "23")
    assert "数据更新于" in county_client.get("/").content.decode()


def test_it_shows_no_figures_to_a_role_without_them(this_year, facility_user):
    response = client_for(facility_user).get("/")
    assert response.status_code == 200 and response.context["figures"] is None


def test_it_reads_the_home_page_in_few_queries(
    this_year, village_client, django_assert_max_num_queries
):
    # Eight for the figures and the page, one for each line of the to-do list the village
    # worker gets (the campaigns' progress reports due added the fifth, the special
    # families due for a visit the sixth).
    with django_assert_max_num_queries(14):
        village_client.get("/")
