"""本月录入: this month's entries and last month's deadline, for the user's own area."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from famplan.common import dates
from famplan.registry.models import Birth, Death
from famplan.registry.services import birth_record, death_record
from tests.conftest import client_for
from tests.registry.factories import person

URL = reverse("registry:this_month")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def set_today(monkeypatch, day: date) -> None:
    """The day the page reports on: every path asks famplan.common.dates.today()."""
    monkeypatch.setattr(dates, "today", lambda: day)


@pytest.fixture
def march_15th(monkeypatch):
    set_today(monkeypatch, date(2025, 3, 15))


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
    set_today(monkeypatch, date(2025, 3, 2))
    Birth.objects.update(entered_at=datetime(2025, 3, 1, 10, tzinfo=SHANGHAI))
    Death.objects.update(entered_at=datetime(2025, 3, 2, 10, tzinfo=SHANGHAI))
    page = clerk_client.get(URL).content.decode()
    assert "2月事件须于3月5日前录入，还剩4天（含今天）；已录入2条" in page


def test_it_is_for_those_who_enter_records(auditor, clerk_client, county_client):
    assert client_for(auditor).get(URL).status_code == 403
    assert clerk_client.get(URL).status_code == 200
    assert county_client.get(URL).status_code == 200


def _death(actor, name: str, died_on: date, entered_at: datetime) -> None:
    someone = person(actor, name=name, born=date(1930, 1, 1), unit="620422100201")
    death_record(actor=actor, person=someone, died_on=died_on)
    Death.objects.filter(person=someone).update(entered_at=entered_at)


@pytest.fixture
def several_months(county_admin):
    """Deaths in 南嘴村 of four months, entered at different times:
    February, entered 4 March (on time); February, entered 9 March (late);
    January, entered 2 March and December, entered 3 March (both late: due 5 Feb and 5 Jan);
    March, entered 10 March (not due yet); January, entered 3 February (on time, and not
    this month's work at all)."""
    at = lambda month, day: datetime(2025, month, day, 10, tzinfo=SHANGHAI)  # noqa: E731
    _death(county_admin, "二月准时", date(2025, 2, 10), at(3, 4))
    _death(county_admin, "二月逾期", date(2025, 2, 20), at(3, 9))
    _death(county_admin, "一月补录", date(2025, 1, 15), at(3, 2))
    _death(county_admin, "腊月补录", date(2024, 12, 28), at(3, 3))
    _death(county_admin, "三月新事", date(2025, 3, 1), at(3, 10))
    _death(county_admin, "一月准时", date(2025, 1, 10), at(2, 3))


def _tags(page: str, name: str) -> str:
    """The date cell of the event row naming `name`."""
    row = next(r for r in page.split("<tr>") if name in r)
    return row.split("<td>")[2]


@pytest.mark.usefixtures("march_15th", "several_months")
def test_it_counts_events_of_earlier_months_entered_late(clerk_client):
    response = clerk_client.get(URL)
    report = response.context["report"]
    total = report.total
    assert (total.entered_this_month, total.on_time) == (5, 1)
    assert (total.late_last_month, total.late_earlier, total.late) == (1, 2, 3)
    rows = {r.unit.name: (r.on_time, r.late) for r in report.rows}
    assert rows["南嘴村"] == (1, 3)
    assert report.verdict == "有1条上月事件在5日后录入，2条更早月份的事件本月补录（已逾期）"
    page = response.content.decode()
    assert 'data-testid="late-count">3<' in page
    assert "alert-warning" in page

    # "上月" marks February's events only; earlier months show their month; late ones say so.
    assert "上月" in _tags(page, "二月准时") and "逾期" not in _tags(page, "二月准时")
    assert "上月" in _tags(page, "二月逾期") and "逾期" in _tags(page, "二月逾期")
    january = _tags(page, "一月补录")
    assert "上月" not in january and "2025年1月" in january and "逾期" in january
    december = _tags(page, "腊月补录")
    assert "上月" not in december and "2024年12月" in december and "逾期" in december
    march = _tags(page, "三月新事")
    assert "上月" not in march and "逾期" not in march
    assert "一月准时" not in page
    assert [(e.text, e.late) for e in response.context["events"]] == [
        ("三月新事", False),
        ("二月逾期", True),
        ("二月准时", False),
        ("腊月补录", True),
        ("一月补录", True),
    ]


@pytest.mark.usefixtures("several_months")
def test_it_warns_of_earlier_months_before_the_5th(clerk_client, monkeypatch):
    set_today(monkeypatch, date(2025, 3, 3))
    # As on that day: what was entered later is not in yet.
    Death.objects.filter(entered_at__gte=datetime(2025, 3, 4, tzinfo=SHANGHAI)).delete()
    response = clerk_client.get(URL)
    report = response.context["report"]
    # By the 3rd only the January and December deaths are in; both were already late.
    assert (report.total.on_time, report.total.late_earlier, report.total.late) == (0, 2, 2)
    assert report.verdict == (
        "2月事件须于3月5日前录入，还剩3天（含今天）；已录入0条；"
        "另有2条更早月份的事件本月补录（已逾期）"
    )
    assert "alert-warning" in response.content.decode()
