"""本月录入: this month's entries and last month's deadline, for the user's own area."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from famplan.registry.models import Birth, Death
from famplan.registry.services import birth_record, death_record
from famplan.registry.views import month
from tests.conftest import client_for
from tests.registry.factories import person

URL = reverse("registry:this_month")
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def march_15th(monkeypatch):
    monkeypatch.setattr(month, "_today", lambda: date(2025, 3, 15))


@pytest.fixture
def events(county_admin):
    """A February birth in 东关社区 entered on time, a February death in 南嘴村 entered
    late, and a February death in 郭城驿镇 entered in March."""
    mother = person(county_admin, name="刘梅", sex="F", born=date(1995, 1, 1))
    birth_record(
        actor=county_admin,
        mother=mother,
        father=None,
        child_name="刘宝",
        sex="F",
        born_on=date(2025, 2, 10),
        place_type="hospital",
    )
    elder = person(county_admin, name="陈老", born=date(1930, 1, 1), unit="620422100201")
    death_record(actor=county_admin, person=elder, died_on=date(2025, 2, 20))
    outsider = person(county_admin, name="郭老", born=date(1931, 1, 1), unit="620422101201")
    death_record(actor=county_admin, person=outsider, died_on=date(2025, 2, 21))
    Birth.objects.update(entered_at=datetime(2025, 3, 4, 10, tzinfo=SHANGHAI))
    Death.objects.update(entered_at=datetime(2025, 3, 9, 10, tzinfo=SHANGHAI))


@pytest.mark.jurisdiction("registry:this_month")
@pytest.mark.usefixtures("march_15th", "events")
def test_it_shows_only_the_users_own_area(other_client):
    response = other_client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "郭老" in page
    assert "刘宝" not in page and "陈老" not in page
    assert [e.text for e in response.context["events"]] == ["郭老"]
    assert response.context["report"].verdict == "有1条上月事件在5日后录入"


@pytest.mark.usefixtures("march_15th", "events")
def test_it_gives_a_township_its_villages_and_a_verdict(clerk_client):
    response = clerk_client.get(URL)
    page = response.content.decode()
    assert "有1条上月事件在5日后录入" in page
    rows = {r.unit.name: (r.on_time, r.late) for r in response.context["report"].rows}
    assert rows == {"东关社区": (1, 0), "南嘴村": (0, 1)}
    assert "刘宝（母亲刘梅）" in page and "陈老" in page


@pytest.mark.usefixtures("march_15th", "events")
def test_it_tells_a_village_worker_their_own_verdict(village_client):
    response = village_client.get(URL)
    assert "上月事件已于5日前全部录入（共1条）" in response.content.decode()
    assert response.context["report"].rows == []


@pytest.mark.usefixtures("events")
def test_it_counts_down_to_the_5th(clerk_client, monkeypatch):
    monkeypatch.setattr(month, "_today", lambda: date(2025, 3, 2))
    Birth.objects.update(entered_at=datetime(2025, 3, 1, 10, tzinfo=SHANGHAI))
    Death.objects.update(entered_at=datetime(2025, 3, 2, 10, tzinfo=SHANGHAI))
    page = clerk_client.get(URL).content.decode()
    assert "2月事件须于3月5日前录入，还剩4天（含今天）；已录入2条" in page


def test_it_is_for_those_who_enter_records(auditor, clerk_client, county_client):
    assert client_for(auditor).get(URL).status_code == 403
    assert clerk_client.get(URL).status_code == 200
    assert county_client.get(URL).status_code == 200
