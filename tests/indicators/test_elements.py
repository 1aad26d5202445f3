"""Manual data elements (publicity, surveys): entered per village and month, refused when
negative, over their denominator or for a future month, summed upwards at once."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from famplan.audit.models import AuditEntry
from famplan.common import dates
from famplan.indicators.elements import ELEMENTS, ElementError, parse_count
from famplan.indicators.models import MeasureValue
from famplan.indicators.periods import year_period
from famplan.indicators.selectors import indicator_rows
from famplan.indicators.services import (
    TargetError,
    check_target,
    elements_record,
    values_refresh,
)
from famplan.orgunits.models import OrgUnit
from famplan.registry.models import Household

from .conftest import COUNTY, T1, V1, V2

URL = reverse("indicators:elements")
MAY = date(2024, 5, 1)


@pytest.fixture
def households(county2024) -> None:
    for unit, count in ((V1, 5), (V2, 3)):
        for i in range(count):
            Household.objects.create(number=f"{unit}-{i}", unit_id=unit)


def stored(unit: str, period_type: str = "month", start: date = MAY) -> dict[str, int]:
    return dict(
        MeasureValue.objects.filter(
            unit_id=unit, period_type=period_type, period_start=start, measure__in=list(ELEMENTS)
        ).values_list("measure", "value")
    )


def record(actor, unit: str = V1, month: date = MAY, **values):
    return elements_record(
        actor=actor, unit=OrgUnit.objects.get(code=unit), month=month, values=values
    )


def test_it_stores_the_figures_and_sums_them_up(households, county_admin):
    record(county_admin, publicity_households="4", awareness_surveyed="50", awareness_aware="45")
    record(
        county_admin, V2, publicity_households="3", awareness_surveyed="20", awareness_aware="10"
    )
    record(county_admin, V1, date(2024, 6, 1), awareness_surveyed="10", awareness_aware="10")
    assert stored(V1) == {
        "publicity_households": 4,
        "awareness_surveyed": 50,
        "awareness_aware": 45,
    }
    assert stored(T1) == {
        "publicity_households": 7,
        "awareness_surveyed": 70,
        "awareness_aware": 55,
    }
    q2 = stored(COUNTY, "quarter", date(2024, 4, 1))
    assert q2 == {"publicity_households": 7, "awareness_surveyed": 80, "awareness_aware": 65}
    assert stored(COUNTY, "year", date(2024, 1, 1)) == q2
    # A correction moves the sums by the difference; a blank clears the figure.
    record(county_admin, publicity_households="2", awareness_surveyed="50", awareness_aware="40")
    record(county_admin, V2, awareness_surveyed="20", awareness_aware="10")
    assert stored(T1) == {
        "publicity_households": 2,
        "awareness_surveyed": 70,
        "awareness_aware": 50,
    }
    assert (
        MeasureValue.objects.get(
            unit_id=V1, period_type="month", period_start=MAY, measure="awareness_aware"
        ).run_id
        is None
    )


def test_it_keeps_the_figures_through_a_refresh_and_reports_the_rate(households, county_admin):
    record(
        county_admin,
        awareness_surveyed="50",
        awareness_aware="45",
        satisfaction_surveyed="40",
        satisfaction_satisfied="30",
    )
    values_refresh(actor=county_admin, first_year=2024, last_year=2024)
    assert stored(V1)["awareness_aware"] == 45
    units = list(OrgUnit.objects.filter(code__in=[V1, COUNTY]).order_by("code"))
    rows = indicator_rows(units, year_period(2024), MeasureValue.objects.all())
    cells = {c.indicator.code: c for c in rows[1].cells}
    assert rows[1].unit.code == V1
    assert cells["awareness_rate"].estimate.value == pytest.approx(90.0)
    assert cells["satisfaction_rate"].estimate.value == pytest.approx(75.0)
    assert rows[1].values["population_end"] == 15  # the computed counts are back too


@pytest.mark.parametrize(
    ("values", "month", "field", "message"),
    [
        ({"publicity_households": "-3"}, MAY, "publicity_households", "宣传入户数不能为负数"),
        ({"awareness_surveyed": "abc"}, MAY, "awareness_surveyed", "政策知晓率调查人数应为整数"),
        (
            {"awareness_surveyed": "100", "awareness_aware": "120"},
            MAY,
            "awareness_aware",
            "知晓人数（120）不能多于政策知晓率调查人数（100）",
        ),
        (
            {"satisfaction_satisfied": "5"},
            MAY,
            "satisfaction_satisfied",
            "请同时填写满意度调查人数",
        ),
        (
            {"publicity_households": "6"},
            MAY,
            "publicity_households",
            "不能多于东关社区在册户数（5）",
        ),
        ({"awareness_surveyed": "5"}, date(2099, 1, 1), "month", "不能填报未来月份（2099年1月）"),
    ],
)
def test_it_refuses_an_impossible_figure_and_writes_nothing(
    households, county_admin, values, month, field, message
):
    audits = AuditEntry.objects.count()
    with pytest.raises(ElementError) as refused:
        record(county_admin, V1, month, **values)
    assert refused.value.field == field
    assert message in refused.value.message
    assert not MeasureValue.objects.filter(measure__in=list(ELEMENTS)).exists()
    assert AuditEntry.objects.count() == audits


def test_it_takes_figures_for_villages_only(households, county_admin):
    with pytest.raises(ElementError, match="按村（社区）填写"):
        record(county_admin, T1, awareness_surveyed="5")


def test_it_takes_this_month(households, county_admin):
    this_month = dates.today().replace(day=1)
    record(county_admin, V1, this_month, awareness_surveyed="5")
    assert stored(V1, start=this_month) == {"awareness_surveyed": 5}


@given(st.integers(min_value=0, max_value=1_000_000))
def test_it_parses_any_count_as_typed(number):
    assert parse_count("awareness_surveyed", str(number)) == number
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in str(number))
    assert parse_count("awareness_surveyed", f" {full_width} ") == number
    assert parse_count("awareness_surveyed", f"{number:,}") == number


@given(st.text(max_size=12))
def test_it_refuses_any_other_text_in_chinese(text):
    try:
        value = parse_count("awareness_surveyed", text)
    except ElementError as exc:
        assert exc.field == "awareness_surveyed" and "政策知晓率调查人数" in exc.message
    else:
        assert value is None or 0 <= value <= 1_000_000


def test_it_refuses_a_target_with_an_impossible_range():
    with pytest.raises(TargetError, match="目标范围不可能：下限90不低于上限80"):
        check_target("awareness_rate", 2024, "between", "90", "80")
    with pytest.raises(TargetError, match="政策知晓率的目标应在0至100%之间"):
        check_target("awareness_rate", 2024, "ge", "120", "")
    with pytest.raises(TargetError, match="下限应为数字"):
        check_target("awareness_rate", 2024, "ge", "nan", "")
    assert check_target("awareness_rate", 2024, "ge", "95", "") == (95.0, None)


@pytest.mark.jurisdiction("indicators:elements")
def test_it_enters_figures_through_the_form_within_the_jurisdiction(
    households, village_client, clerk_client, other_client
):
    month = {"unit": V1, "month": "2024-05"}
    assert other_client.get(URL, month).status_code == 404
    denied = other_client.post(URL, {**month, "awareness_surveyed": "5"})
    assert denied.status_code == 404
    assert not MeasureValue.objects.filter(measure__in=list(ELEMENTS)).exists()
    response = village_client.post(
        URL, {**month, "awareness_surveyed": "50", "awareness_aware": "45"}
    )
    assert response.status_code == 302
    assert stored(V1) == {"awareness_surveyed": 50, "awareness_aware": 45}
    entry = AuditEntry.objects.filter(action="indicators.elements.recorded").get()
    assert entry.detail["values"]["awareness_aware"] == 45
    page = village_client.get(URL, month)
    assert 'value="45"' in page.content.decode()
    # The township sees its villages' figures; not the other township's.
    listing = clerk_client.get(URL, {"unit": T1, "month": "2024-05"})
    assert [u.code for u, _ in listing.context["rows"]] == [V1, V2]
    assert other_client.get(URL, {"unit": T1, "month": "2024-05"}).status_code == 404


def test_it_shows_the_refusal_on_the_form(households, village_client):
    response = village_client.post(
        URL, {"unit": V1, "month": "2024-05", "awareness_surveyed": "10", "awareness_aware": "12"}
    )
    assert response.status_code == 400
    assert "知晓人数（12）不能多于政策知晓率调查人数（10）" in response.content.decode()
    assert 'value="12"' in response.content.decode()  # what was typed stays
    future = village_client.post(URL, {"unit": V1, "month": "2099-01", "awareness_surveyed": "1"})
    assert "不能填报未来月份" in future.content.decode()


def test_it_refuses_users_without_the_capability(households, facility_user):
    from tests.conftest import client_for

    assert client_for(facility_user).get(URL).status_code == 403


def test_it_lists_the_villages_figures_in_a_fixed_number_of_queries(
    households, county_admin, county_client, clerk_client, django_assert_max_num_queries
):
    record(county_admin, V1, awareness_surveyed="50", awareness_aware="45")
    record(county_admin, V2, awareness_surveyed="20", awareness_aware="10")
    with django_assert_max_num_queries(12) as county:
        response = county_client.get(URL, {"month": "2024-05"})
    assert dict((u.code, v) for u, v in response.context["rows"])[V2][1:3] == [20, 10]
    with django_assert_max_num_queries(12) as township:
        clerk_client.get(URL, {"unit": T1, "month": "2024-05"})
    assert len(township.captured_queries) <= len(county.captured_queries)
