"""A tiny county whose 2024 figures are counted by hand, built through the registry's
services as clerks would build it.

会师镇 (620422100): V1 东关社区, V2 南嘴村; 郭城驿镇 (620422101): V3 郭城村, V4 红堡子村.

On the register at the end of 2023: V1 12 (A, HA, B, HB, B's two children, C, elder E,
groom G, bride W, worker K, leaver L), V2 4 (R, two elders, mother F2), V3 5, V4 0.
In 2024:
  V1: A's first child, a boy, 10 Feb, hospital; E dies 10 Mar; B's third child, a girl,
      5 May, at home; G marries W 15 Jun; K leaves to work 1 Jul (stays on the
      register); M moves in 8 Aug; R moves here from V2 9 Sep; L moves away 20 Oct;
      C's first child, a boy, 30 Nov, hospital.
  V2: R leaves for V1 9 Sep; F2's first child, a girl, 31 Dec, hospital.
  V3: one death 7 Jul.
End of 2024: V1 15, V2 4, V3 4, V4 0.
A's birth was entered on 5 Mar 2024 at 23:59 Beijing time (on time), B's on 6 Jun at
00:01 (late); every other event was entered today (late).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from famplan.registry.models import Birth
from famplan.registry.services import (
    PersonData,
    birth_record,
    death_record,
    marriage_record,
    migration_in_record,
    migration_out_record,
    move_away_record,
    residence_change_record,
)
from tests.registry.factories import person

V1, V2 = "620422100001", "620422100201"
V3, V4 = "620422101201", "620422101202"
T1, T2, COUNTY = "620422100", "620422101", "620422"
BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def county2024(county_admin) -> dict:
    actor = county_admin

    def p(name, sex, born, unit=V1):
        return person(actor, name=name, sex=sex, born=born, unit=unit)

    a, ha = p("A", "F", date(1995, 3, 1)), p("HA", "M", date(1993, 3, 1))
    b, hb = p("B", "F", date(1990, 3, 1)), p("HB", "M", date(1988, 3, 1))
    c = p("C", "F", date(1998, 3, 1))
    elder, groom, bride = (
        p("E", "M", date(1940, 3, 1)),
        p("G", "M", date(1998, 5, 1)),
        p("W", "F", date(2000, 5, 1)),
    )
    worker, leaver = p("K", "M", date(1996, 5, 1)), p("L", "F", date(1985, 5, 1))
    birth_record(
        actor=actor,
        mother=b,
        father=hb,
        child_name="B1",
        sex="M",
        born_on=date(2019, 4, 1),
        place_type="hospital",
    )
    birth_record(
        actor=actor,
        mother=b,
        father=hb,
        child_name="B2",
        sex="F",
        born_on=date(2021, 6, 1),
        place_type="hospital",
    )
    r = p("R", "M", date(1980, 5, 1), V2)
    p("O1", "F", date(1950, 5, 1), V2)
    p("O2", "M", date(1952, 5, 1), V2)
    f2 = p("F2", "F", date(1992, 5, 1), V2)
    v3 = [p(f"V3-{i}", "M", date(1960 + i, 5, 1), V3) for i in range(5)]

    first = birth_record(
        actor=actor,
        mother=a,
        father=ha,
        child_name="A1",
        sex="M",
        born_on=date(2024, 2, 10),
        place_type="hospital",
    )
    death_record(actor=actor, person=elder, died_on=date(2024, 3, 10))
    third = birth_record(
        actor=actor,
        mother=b,
        father=hb,
        child_name="B3",
        sex="F",
        born_on=date(2024, 5, 5),
        place_type="home",
    )
    marriage_record(actor=actor, husband=groom, wife=bride, married_on=date(2024, 6, 15))
    migration_out_record(actor=actor, person=worker, moved_on=date(2024, 7, 1), place="兰州")
    migration_in_record(
        actor=actor,
        data=PersonData(
            name="M", sex="M", birth_date=date(1990, 8, 1), unit_id=V1, ethnicity="汉族"
        ),
        moved_on=date(2024, 8, 8),
        place="定西",
    )
    residence_change_record(actor=actor, person=r, to_unit_id=V1, moved_on=date(2024, 9, 9))
    move_away_record(actor=actor, person=leaver, moved_on=date(2024, 10, 20), place="白银")
    birth_record(
        actor=actor,
        mother=c,
        father=None,
        child_name="C1",
        sex="M",
        born_on=date(2024, 11, 30),
        place_type="hospital",
    )
    birth_record(
        actor=actor,
        mother=f2,
        father=None,
        child_name="F21",
        sex="F",
        born_on=date(2024, 12, 31),
        place_type="hospital",
    )
    death_record(actor=actor, person=v3[0], died_on=date(2024, 7, 7))

    Birth.objects.filter(pk=first.pk).update(
        entered_at=datetime(2024, 3, 5, 23, 59, tzinfo=BEIJING)
    )
    Birth.objects.filter(pk=third.pk).update(entered_at=datetime(2024, 6, 6, 0, 1, tzinfo=BEIJING))
    return {"actor": actor}
