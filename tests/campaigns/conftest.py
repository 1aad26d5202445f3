"""A spring service month of 会师镇 (township_clerk's) for its two villages, and a county
plan addressed to both townships.

Spring month: 3月1日-3月31日 of 2026, three phases, two reported tasks (入户宣传走访 split
evenly, 流动人口信息核查 entered per unit) and dispatch dates on 3月10日, 3月20日 and the
final check on 3月31日. `clock.set(day)` moves the app's today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from famplan.campaigns import forms, selectors, services, views
from famplan.campaigns.models import Campaign, CampaignKind, DispatchKind, Split, Task

TOWNSHIP = "620422100"
VILLAGE = "620422100001"  # 东关社区, village_worker's
SECOND_VILLAGE = "620422100201"  # 南嘴村
OTHER_TOWNSHIP = "620422101"
START, END = date(2026, 3, 1), date(2026, 3, 31)


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch

    def set(self, day: date) -> None:
        for module in (services, selectors, views, forms):
            self.monkeypatch.setattr(module, "today", lambda: day)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock(monkeypatch)
    clock.set(date(2026, 3, 5))
    return clock


@dataclass
class Spring:
    campaign: Campaign
    visits: Task  # 入户宣传走访 (户): 40 split evenly
    migrants: Task  # 流动人口信息核查 (人): 30 and 10


def build_spring(actor, *, publish: bool = True) -> Spring:
    campaign = services.campaign_create(
        actor=actor,
        kind=CampaignKind.CAMPAIGN,
        title="春季优质服务月",
        starts_on=START,
        ends_on=END,
        units=[VILLAGE, SECOND_VILLAGE],
    )
    for name, first, last in (
        ("宣传摸底", date(2026, 3, 1), date(2026, 3, 7)),
        ("集中服务", date(2026, 3, 8), date(2026, 3, 25)),
        ("检查验收", date(2026, 3, 26), date(2026, 3, 31)),
    ):
        services.phase_add(actor=actor, campaign=campaign, name=name, starts_on=first, ends_on=last)
    visits = services.task_add(
        actor=actor,
        campaign=campaign,
        name="入户宣传走访",
        count_unit="户",
        split=Split.EVEN,
        total=40,
    )
    migrants = services.task_add(
        actor=actor,
        campaign=campaign,
        name="流动人口信息核查",
        count_unit="人",
        split=Split.MANUAL,
        targets={VILLAGE: 30, SECOND_VILLAGE: 10},
    )
    for day, kind in (
        (date(2026, 3, 10), DispatchKind.PROGRESS),
        (date(2026, 3, 20), DispatchKind.PROGRESS),
        (date(2026, 3, 31), DispatchKind.FINAL),
    ):
        services.dispatch_add(actor=actor, campaign=campaign, day=day, kind=kind)
    if publish:
        services.campaign_publish(actor=actor, campaign=campaign)
    campaign.refresh_from_db()
    return Spring(campaign, visits, migrants)


@pytest.fixture
def spring(township_clerk, clock) -> Spring:
    return build_spring(township_clerk)


@pytest.fixture
def county_plan(county_admin, clock) -> Campaign:
    campaign = services.campaign_create(
        actor=county_admin,
        kind=CampaignKind.PLAN,
        title="全县数据质量提升行动",
        starts_on=START,
        ends_on=END,
        units=[TOWNSHIP, OTHER_TOWNSHIP],
    )
    services.task_add(
        actor=county_admin,
        campaign=campaign,
        name="个案信息核查",
        count_unit="条",
        split=Split.EVEN,
        total=100,
    )
    services.dispatch_add(
        actor=county_admin, campaign=campaign, day=date(2026, 3, 15), kind=DispatchKind.PROGRESS
    )
    services.campaign_publish(actor=county_admin, campaign=campaign)
    return campaign
