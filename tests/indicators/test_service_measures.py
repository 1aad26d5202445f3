"""The service apps' measures and indicators (registration, health, supplies, deliveries,
benefits) on a tiny fixture worked out by hand, written straight with the ORM.

2024, in the fixture county (会师镇 T1: V1, V2; 郭城驿镇 T2: V3, V4):
- Check targets: T1 25 couples, T2 13. Married women aged 15-49 on the register on
  1 January 2024: V1 4 (born 1990, 1995, 2 Jan 1975, 1 Jan 2009; one born 1 Jan 1974 is
  50 and out, an unmarried one and a man are out), V2 1, V3 and V4 none. So V1 20, V2 5
  (4:1), V3 7, V4 6 (equal shares, the odd one to the lower code); each over the months
  in twelfths, the odd couples first: V1 2 a month January-August then 1, V2 1 a month
  January-May, V3 1 January-July, V4 1 January-June.
- Checks: V1 10 Feb (high risk), 5 Mar, 20 Mar (high risk); V2 1 Jun.
- Follow-ups: V1 due 10 Apr done 1 Apr (on time), due 5 May done 20 May (late), due
  10 Dec open; V2 due 1 Jul done 30 Jun (on time).
- Folic acid: issued V1 5 Jan and 6 Feb, V3 1 Mar; follow-ups V1 1 Feb (aware, taking,
  compliant), 1 Mar (aware, taking), 15 Mar (aware); V3 1 Apr (none of the three).
- Birth registrations registered: V1 1 May at the counter, 2 May online; V2 1 Jun
  online (the husband's village: the wife's is outside the registry); not counted: one
  pending in V1, one with neither village.
- Delivery records: V1 10 Feb and 30 Nov, V2 31 Dec; hospital births: the same three.
- Supply points: V1 open since 2020 holding every essential kind; V2 opened 15 Mar 2024
  with condoms only; V3 open since 2020, no stock, closed 10 May 2024.
- Benefits: the 2024 rural reward roster V1 two rows of 960.00 (one paid, one failed),
  V2 one of 960.50 (paid); the special assistance roster V3 one of 5,400 (paid).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from famplan.benefits.models import Cycle, Entry, PaymentStatus, Program, RosterRow
from famplan.common.dates import today
from famplan.deliveries.models import DeliveryRecord, Facility
from famplan.health.models import (
    CheckTarget,
    FolicAcidFollowUp,
    FolicAcidIssue,
    FollowUp,
    PrePregnancyCheck,
)
from famplan.health.services import married_women_by_township
from famplan.indicators.indicators import INDICATORS
from famplan.indicators.measures import GROUPS, MEASURES
from famplan.indicators.models import MeasureValue
from famplan.indicators.services import values_refresh
from famplan.indicators.stats import wilson
from famplan.registration.models import BirthRegistration
from famplan.registry.models import Birth, Person
from famplan.supplies.models import Direction, DistributionPoint, SupplyKind
from famplan.supplies.services import movement_record
from tests.conftest import make_user

from .conftest import COUNTY, T1, T2, V1, V2, V3, V4

pytestmark = pytest.mark.django_db

SERVICE_GROUPS = {
    "birth_registrations",
    "health_target_couples",
    "supply_points",
    "delivery_records",
    "benefits",
    "health_checks",
    "folic_followups",
}
ESSENTIAL = ("condom_male", "oral_pill", "emergency_pill")
YEAR = date(2024, 1, 1)


def woman(unit, born, marital="first_married", sex="F") -> Person:
    return Person.objects.create(
        name="某", sex=sex, birth_date=born, unit_id=unit, registered_on=date(2010, 1, 1),
        marital_status=marital, status="active",
    )  # fmt: skip


def check(unit, day, risk="low") -> PrePregnancyCheck:
    # Not counted as married women: the targets' weights are the fixture's own.
    wife, husband = (
        woman(unit, date(1994, 1, 1), "divorced"),
        woman(unit, date(1993, 1, 1), sex="M"),
    )
    return PrePregnancyCheck.objects.create(
        unit_id=unit, wife=wife, husband=husband, checked_on=day, facility="县妇幼保健院",
        risk_level=risk,
    )  # fmt: skip


def followup(record, kind, due, done=None) -> FollowUp:
    return FollowUp.objects.create(
        check_record=record, unit_id=record.unit_id, kind=kind, opens_on=due - timedelta(30),
        due_on=due, status="done" if done else "open", done_on=done,
        result="pregnant" if done else "",
    )  # fmt: skip


def folic(unit, day) -> FolicAcidIssue:
    return FolicAcidIssue.objects.create(
        unit_id=unit, woman=woman(unit, date(1996, 1, 1), "unmarried"), issued_on=day,
        quantity=1, quantity_unit="bottle",
    )  # fmt: skip


def folic_visit(issue, day, aware, taking, compliant) -> None:
    FolicAcidFollowUp.objects.create(
        issue=issue, unit_id=issue.unit_id, visited_on=day, aware=aware, taking=taking,
        compliant=compliant,
    )  # fmt: skip


def registration(n, wife_village, husband_village, day, channel, status="registered"):
    BirthRegistration.objects.create(
        receipt_number=f"R{n:05d}", status=status, channel=channel, township_id=T1,
        applicant="wife", married_on=date(2020, 1, 1), birth_order=1,
        wife_name="甲", wife_id_number="", husband_name="乙", husband_id_number="",
        wife_village_id=wife_village, husband_village_id=husband_village,
        registered_on=day if status == "registered" else None,
    )  # fmt: skip


def delivery(facility, n, unit, day) -> None:
    mother = woman(unit, date(1995, 1, 1), "divorced")
    child = Person.objects.create(
        name="婴", sex="M", birth_date=day, unit_id=unit, registered_on=day, status="active"
    )
    birth = Birth.objects.create(
        unit_id=unit, child=child, mother=mother, born_on=day, sex="M", birth_order=1,
        place_type="hospital",
    )  # fmt: skip
    DeliveryRecord.objects.create(
        facility=facility, record_id=f"D{n}", unit_id=unit, mother=mother,
        mother_id_number="", delivered_on=day, sex="M", place="hospital", child_name="婴",
        birth=birth, status="created", via="form", entered_by=facility.account,
        payload_digest="x",
    )  # fmt: skip


def roster(program, unit, due, paid=None) -> None:
    cycle, _ = Cycle.objects.get_or_create(
        program=Program.objects.get(code=program), county_id=COUNTY, year=2024,
        defaults={"cutoff_on": date(2024, 12, 31), "status": "frozen"},
    )  # fmt: skip
    person = woman(unit, date(1960, 1, 1))
    money = {"monthly_amount": Decimal(80), "from_month": YEAR, "to_month": date(2024, 12, 1)}
    entry = Entry.objects.create(
        cycle=cycle, person=person, unit_id=unit, source="registry", status="approved",
        amount_due=Decimal(due), **money,
    )  # fmt: skip
    RosterRow.objects.create(
        cycle=cycle, entry=entry, person=person, unit_id=unit, name="某", sex="F",
        birth_date=person.birth_date, amount_due=Decimal(due),
        payment_status=PaymentStatus.PAID if paid else PaymentStatus.FAILED,
        paid_amount=Decimal(paid) if paid else None, **money,
    )  # fmt: skip


def point(actor, unit, name, opened, closed=None, kinds=()) -> None:
    p = DistributionPoint.objects.create(
        unit_id=unit, name=name, place_kind="village_clinic", opened_on=opened, closed_on=closed
    )
    for code in kinds:
        movement_record(
            actor=actor, point=p, kind=SupplyKind.objects.get(code=code),
            direction=Direction.DELIVERY, moved_on=max(opened, date(2023, 12, 1)), quantity=5,
        )  # fmt: skip


@pytest.fixture
def services2024(units, county_admin):
    CheckTarget.objects.create(year=2024, township_id=T1, target=25)
    CheckTarget.objects.create(year=2024, township_id=T2, target=13)
    for born in (date(1990, 5, 1), date(1995, 3, 1), date(1975, 1, 2), date(2009, 1, 1)):
        woman(V1, born)
    woman(V1, date(1974, 1, 1))  # 50 on 1 January 2024
    woman(V1, date(1995, 1, 1), "unmarried")
    woman(V1, date(1990, 1, 1), sex="M")
    woman(V2, date(1992, 5, 1), "remarried")

    c1, c2 = check(V1, date(2024, 2, 10), "high"), check(V1, date(2024, 3, 5))
    check(V1, date(2024, 3, 20), "high")
    c4 = check(V2, date(2024, 6, 1))
    followup(c1, "early", date(2024, 4, 10), date(2024, 4, 1))
    followup(c1, "outcome", date(2024, 12, 10))
    followup(c2, "early", date(2024, 5, 5), date(2024, 5, 20))
    followup(c4, "early", date(2024, 7, 1), date(2024, 6, 30))

    i1, i2, i3 = (
        folic(V1, date(2024, 1, 5)),
        folic(V1, date(2024, 2, 6)),
        folic(V3, date(2024, 3, 1)),
    )
    folic_visit(i1, date(2024, 2, 1), True, True, True)
    folic_visit(i1, date(2024, 3, 1), True, True, False)
    folic_visit(i2, date(2024, 3, 15), True, False, False)
    folic_visit(i3, date(2024, 4, 1), False, False, False)

    registration(1, V1, V1, date(2024, 5, 1), "counter")
    registration(2, V1, None, date(2024, 5, 2), "online")
    registration(3, None, V2, date(2024, 6, 1), "online")
    registration(4, V1, V1, None, "counter", status="pending")
    registration(5, None, None, date(2024, 6, 2), "online")

    account = make_user("hospital-api", COUNTY, "facility")
    facility = Facility.objects.create(code="H1", name="县医院", unit_id=COUNTY, account=account)
    delivery(facility, 1, V1, date(2024, 2, 10))
    delivery(facility, 2, V1, date(2024, 11, 30))
    delivery(facility, 3, V2, date(2024, 12, 31))

    point(county_admin, V1, "东关社区卫生室", date(2020, 1, 1), kinds=ESSENTIAL)
    point(county_admin, V2, "南嘴村卫生室", date(2024, 3, 15), kinds=("condom_male",))
    point(county_admin, V3, "郭城村卫生室", date(2020, 1, 1), closed=date(2024, 5, 10))

    roster("rural_reward", V1, "960.00", "960.00")
    roster("rural_reward", V1, "960.00")
    roster("rural_reward", V2, "960.50", "960.50")
    roster("special_assistance", V3, "5400.00", "5400.00")
    values_refresh(actor=county_admin, first_year=2024, last_year=2024)


def values(period_type: str, start: date) -> dict[str, dict[str, int]]:
    """unit -> measure -> value of one period, as stored."""
    found: dict[str, dict[str, int]] = defaultdict(dict)
    for unit, measure, value in MeasureValue.objects.filter(
        period_type=period_type, period_start=start
    ).values_list("unit_id", "measure", "value"):
        found[unit][measure] = value
    return found


def year_of(unit: str) -> dict[str, int]:
    return values("year", YEAR)[unit]


def test_it_spreads_the_township_targets_by_married_women_then_months(services2024):
    # The basis the county's split uses counts the same women.
    assert married_women_by_township(COUNTY, YEAR) == {T1: 5}
    year = values("year", YEAR)
    assert [year[u]["health_target_couples"] for u in (V1, V2, V3, V4)] == [20, 5, 7, 6]
    assert [year[u]["health_target_couples"] for u in (T1, T2, COUNTY)] == [25, 13, 38]
    by_month = [values("month", date(2024, m, 1)) for m in range(1, 13)]
    assert [m[V1].get("health_target_couples", 0) for m in by_month] == [2] * 8 + [1] * 4
    assert [m[V2].get("health_target_couples", 0) for m in by_month] == [1] * 5 + [0] * 7
    assert [m[V3].get("health_target_couples", 0) for m in by_month] == [1] * 7 + [0] * 5
    assert by_month[0][COUNTY]["health_target_couples"] == 5
    # Q4: V1 1 a month, V2 none.
    assert values("quarter", date(2024, 10, 1))[T1]["health_target_couples"] == 3


def test_it_counts_the_checks_and_their_follow_ups(services2024):
    v1, v2 = year_of(V1), year_of(V2)
    assert (v1["health_checks"], v1["health_checks_high_risk"]) == (3, 2)
    assert (v2["health_checks"], v2.get("health_checks_high_risk", 0)) == (1, 0)
    assert year_of(COUNTY)["health_checks"] == 4
    assert (v1["health_followups_due"], v1["health_followups_done"]) == (3, 2)
    assert v1["health_followups_done_on_time"] == 1
    assert year_of(T1)["health_followups_done_on_time"] == 2
    may = values("month", date(2024, 5, 1))[V1]
    assert (may["health_followups_due"], may["health_followups_done"]) == (1, 1)
    assert "health_followups_done_on_time" not in may  # done after its due day
    assert values("month", date(2024, 12, 1))[V1]["health_followups_due"] == 1


def test_it_counts_folic_acid_issues_and_follow_ups(services2024):
    v1, county = year_of(V1), year_of(COUNTY)
    assert [v1[c] for c in ("folic_issued", "folic_followups", "folic_aware")] == [2, 3, 3]
    assert (v1["folic_taking"], v1["folic_compliant"]) == (2, 1)
    assert (county["folic_issued"], county["folic_followups"], county["folic_aware"]) == (3, 4, 3)
    assert "folic_aware" not in year_of(V3)
    march = values("month", date(2024, 3, 1))[V1]
    assert (march["folic_followups"], march["folic_taking"]) == (2, 1)


def test_it_counts_birth_registrations_by_channel(services2024):
    v1, v2, county = year_of(V1), year_of(V2), year_of(COUNTY)
    assert (v1["birth_registrations"], v1["birth_registrations_counter"]) == (2, 1)
    assert v1["birth_registrations_online"] == 1
    assert (v2["birth_registrations"], v2["birth_registrations_online"]) == (1, 1)
    assert county["birth_registrations"] == 3  # neither the pending one nor the village-less
    assert values("month", date(2024, 5, 1))[T1]["birth_registrations"] == 2


def test_it_counts_supply_points_at_each_period_end(services2024):
    january, june = values("month", YEAR), values("month", date(2024, 6, 1))
    assert (january[V1]["supply_points_active"], january[V1]["supply_points_with_stock"]) == (1, 1)
    assert (
        january[V3]["supply_points_active"] == 1 and "supply_points_with_stock" not in january[V3]
    )
    assert V2 not in january or "supply_points_active" not in january[V2]
    assert (june[T1]["supply_points_active"], june[T1]["supply_points_with_stock"]) == (2, 1)
    assert "supply_points_active" not in june.get(V3, {})  # closed in May
    # A year takes its last month: December, V1 and V2 open, V1 stocked.
    assert (
        year_of(COUNTY)["supply_points_active"],
        year_of(COUNTY)["supply_points_with_stock"],
    ) == (2, 1)
    first_half = values("half", YEAR)
    assert first_half[COUNTY]["supply_points_active"] == 2


def test_it_counts_delivery_records(services2024):
    assert year_of(V1)["delivery_records"] == 2
    assert year_of(V2)["delivery_records"] == 1
    assert values("month", date(2024, 12, 1))[COUNTY]["delivery_records"] == 1


def test_it_files_the_rosters_under_december_per_program(services2024):
    v1, v2, county = year_of(V1), year_of(V2), year_of(COUNTY)
    assert (v1["benefit_people"], v1["benefit_due"], v1["benefit_paid"]) == (2, 1920, 960)
    assert v1["benefit_rural_reward_people"] == 2
    # 960.50 is whole yuan halves up.
    assert (v2["benefit_rural_reward_due"], v2["benefit_rural_reward_paid"]) == (961, 961)
    assert (county["benefit_people"], county["benefit_due"], county["benefit_paid"]) == (
        4,
        1920 + 961 + 5400,
        960 + 961 + 5400,
    )
    assert county["benefit_special_assistance_paid"] == 5400
    assert "benefit_one_child_reward_people" not in county
    december = values("month", date(2024, 12, 1))[COUNTY]
    assert december["benefit_due"] == county["benefit_due"]
    assert "benefit_due" not in values("month", date(2024, 11, 1)).get(COUNTY, {})


def estimate(code: str, unit: str, period: tuple[str, date] = ("year", YEAR)):
    return INDICATORS[code].estimate(values(*period)[unit])


def test_it_computes_the_service_indicators_worked_by_hand(services2024):
    coverage = estimate("prepregnancy_check_coverage", T1)
    low, high = wilson(4, 25)
    assert (coverage.value, coverage.low, coverage.high) == pytest.approx(
        (16, 100 * low, 100 * high)
    )
    # 4 of 25: Wilson 6.40%-34.65%.
    assert (coverage.low, coverage.high) == pytest.approx((6.40, 34.65), abs=0.01)
    assert estimate("prepregnancy_check_coverage", COUNTY).value == pytest.approx(400 / 38)
    assert not estimate("prepregnancy_check_coverage", V4).value  # a target, no checks: 0%
    assert estimate("prepregnancy_high_risk_share", V1).value == pytest.approx(200 / 3)
    assert estimate("followup_on_time_rate", T1).value == pytest.approx(200 / 3)
    assert estimate("folic_awareness_rate", T1).value == pytest.approx(100)
    assert estimate("folic_uptake_rate", T1).value == pytest.approx(200 / 3)
    assert estimate("folic_compliance_rate", T1).value == pytest.approx(100 / 3)
    aware = estimate("folic_awareness_rate", COUNTY)
    low, high = wilson(3, 4)
    assert (aware.value, aware.low, aware.high) == pytest.approx((75, 100 * low, 100 * high))
    assert estimate("folic_compliance_rate", COUNTY).value == pytest.approx(25)
    assert estimate("supply_availability_rate", COUNTY).value == pytest.approx(50)
    assert estimate("supply_availability_rate", V1).value == pytest.approx(100)
    assert estimate("delivery_record_rate", COUNTY).value == pytest.approx(100)
    paid = estimate("benefit_payment_rate", COUNTY)
    assert paid.value == pytest.approx(100 * 7321 / 8281)
    assert paid.low == paid.high == paid.value  # a count of the whole roster: no interval
    assert estimate("benefit_payment_rate", V3).value == pytest.approx(100)
    assert not estimate("benefit_payment_rate", V4).known


def test_it_gives_the_huining_targets_as_defaults():
    targets = {
        code: (INDICATORS[code].default_target.direction, INDICATORS[code].default_target.low)
        for code in (
            "prepregnancy_check_coverage",
            "folic_awareness_rate",
            "folic_uptake_rate",
            "folic_compliance_rate",
            "supply_availability_rate",
        )
    }
    assert targets == {
        "prepregnancy_check_coverage": ("ge", 85),
        "folic_awareness_rate": ("ge", 95),
        "folic_uptake_rate": ("ge", 90),
        "folic_compliance_rate": ("ge", 80),
        "supply_availability_rate": ("ge", 95),
    }
    every_measure = {m for g in GROUPS for m in g.measures}
    assert set(MEASURES) == every_measure
    assert SERVICE_GROUPS <= {g.name for g in GROUPS}


def test_it_runs_each_service_group_as_one_query(services2024, django_assert_max_num_queries):
    first, last = 2024 * 12, 2024 * 12 + 11
    for group in GROUPS:
        if group.name in SERVICE_GROUPS - {"health_target_couples"}:
            with django_assert_max_num_queries(3):  # benefits: the query; health: one each
                list(group.compute(first, last))
    # The targets: the targets, the villages under them and the women, whatever the size.
    target = next(g for g in GROUPS if g.name == "health_target_couples")
    with django_assert_max_num_queries(3):
        list(target.compute(first, last))


@pytest.mark.jurisdiction("indicators:report")
def test_the_report_and_the_dashboard_show_the_service_indicators(services2024, clerk_client):
    page = clerk_client.get(reverse("indicators:report"), {"year": 2024}).content.decode()
    for code in ("prepregnancy_check_coverage", "folic_awareness_rate", "benefit_payment_rate"):
        assert INDICATORS[code].label in page
    assert clerk_client.get(reverse("indicators:dashboard"), {"year": 2024}).status_code == 200
    data = clerk_client.get(reverse("indicators:dashboard_data"), {"year": 2024})
    assert data.status_code == 200


# --- the roll-up property, for the service counts -------------------------------------

VILLAGES = [V1, V2, V3, V4]
DAY0 = date(2023, 11, 1)
days = st.integers(min_value=0, max_value=500).map(lambda n: DAY0 + timedelta(days=n))
records = st.lists(
    st.tuples(
        st.sampled_from(VILLAGES),
        days,
        st.sampled_from(["check", "followup", "folic", "registration", "roster", "target"]),
        st.integers(min_value=0, max_value=40),
    ),
    min_size=1,
    max_size=15,
)


def build(rows) -> None:
    for n, (unit, day, kind, size) in enumerate(rows):
        if kind == "check":
            check(unit, day, "high" if size % 2 else "low")
        elif kind == "followup":
            record = check(unit, day)
            followup(
                record, "early", day + timedelta(size), day + timedelta(20) if size % 3 else None
            )
        elif kind == "folic":
            folic_visit(
                folic(unit, day), day + timedelta(size), size % 2 == 0, size % 3 == 0, size % 5 == 0
            )
        elif kind == "registration":
            registration(
                n, unit if size % 2 else None, unit, day, "online" if size % 3 else "counter"
            )
        elif kind == "roster" and day.year == 2024:
            roster(
                ["rural_reward", "childcare_subsidy"][size % 2],
                unit,
                f"{size}.50",
                f"{size}.50" if size % 3 else None,
            )
        elif kind == "target":
            CheckTarget.objects.update_or_create(
                year=day.year, township_id=unit[:9], defaults={"target": size}
            )
            woman(unit, date(1990, 1, 1) + timedelta(size))


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=records)
def test_the_service_counts_add_up_villages_to_townships_to_the_county(units, county_admin, rows):
    service = {
        m
        for g in GROUPS
        if g.name in SERVICE_GROUPS or g.name.startswith(("health_", "folic_"))
        for m in g.measures
    }
    with transaction.atomic():
        build(rows)
        values_refresh(actor=county_admin, first_year=2023, last_year=2025)
        found: dict[tuple, dict[str, int]] = defaultdict(dict)
        for unit, period_type, start, measure, value in MeasureValue.objects.filter(
            measure__in=service
        ).values_list("unit_id", "period_type", "period_start", "measure", "value"):
            found[period_type, start, measure][unit] = value
        for key, by_unit in found.items():
            get = lambda code: by_unit.get(code, 0)  # noqa: E731
            assert get(T1) == get(V1) + get(V2), key
            assert get(T2) == get(V3) + get(V4), key
            assert get(COUNTY) == get(T1) + get(T2), key
            assert all(v > 0 for v in by_unit.values()), key
        # Each township's target of a year is held exactly by its year.
        for target in CheckTarget.objects.filter(target__gt=0):
            year = found.get(("year", date(target.year, 1, 1), "health_target_couples"), {})
            assert year.get(target.township_id) == target.target
        transaction.set_rollback(True)


# --- the home page: the services due ------------------------------------------------


@pytest.fixture
def due_now(units, county_admin):
    """Open follow-ups as of today: V1 one due (open, due in 5 days) and one overdue
    (due 3 days ago), V3 one overdue; one done in V1 today and one not open yet in V2."""
    on = today()
    c1, c2, c3 = check(V1, on - timedelta(60)), check(V1, on - timedelta(50)), check(V3, on)
    followup(c1, "early", on + timedelta(5))
    followup(c1, "outcome", on - timedelta(3))
    followup(c2, "early", on + timedelta(10), done=on)
    followup(c3, "early", on - timedelta(1))
    FollowUp.objects.create(
        check_record=check(V2, on), unit_id=V2, kind="early", opens_on=on + timedelta(20),
        due_on=on + timedelta(50),
    )  # fmt: skip
    values_refresh(actor=county_admin, first_year=on.year, last_year=on.year)


def test_the_home_figures_hold_the_follow_ups_of_the_values_table(due_now, county_client):
    on = today()
    rows = {label: (m, y) for label, m, y in county_client.get("/").context["figures"].rows}
    due_month = FollowUp.objects.filter(due_on__year=on.year, due_on__month=on.month).count()
    due_year = FollowUp.objects.filter(due_on__year=on.year).count()
    assert rows["应随访(按截止月)"] == (f"{due_month:,}", f"{due_year:,}")
    assert rows["已随访"] == ("1", "1")
