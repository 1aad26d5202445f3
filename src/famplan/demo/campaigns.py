"""`campaigns_generate`: the spring service month (春季优质服务月) of the demo county's
first township, for all its villages, as the seeds' town campaign has it: three phases
with fixed dates (publicity and survey; services; checks and acceptance), progress
bulletined on four set dates and a final check.

Dates are set around the demo's reference day so the campaign is under way: three
dispatch dates passed with their bulletins published, the fourth two days ahead (the
village worker's home page shows the report as due), the final check at the end. The
villages' reports before today are written straight into the table (they carry their
own past dates, which the report service, dating a report today, cannot), a few
villages miss a dispatch date so the bulletins show late units. The plan itself is
built through the services, as the demo township clerk, whose plan it is.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction

from famplan.accounts.models import User
from famplan.campaigns import selectors, services
from famplan.campaigns.models import (
    Campaign,
    CampaignKind,
    DispatchKind,
    ProgressReport,
    Split,
)
from famplan.common import dates
from famplan.demo.users import demo_generator_user
from famplan.orgunits.models import Level, OrgUnit

TITLE = "春季优质服务月活动"
LATE_SHARE = 0.15  # villages that miss one dispatch date's report


@dataclass(frozen=True)
class CampaignsResult:
    skipped: bool
    villages: int = 0
    reports: int = 0
    bulletins: int = 0


@transaction.atomic
def campaigns_generate(*, county: OrgUnit, seed: int, today: date) -> CampaignsResult:
    township = OrgUnit.objects.filter(parent=county, level=Level.TOWNSHIP).order_by("code").first()
    clerk = User.objects.filter(org_unit=township, username="township_clerk").first()
    if township is None or clerk is None:
        return CampaignsResult(skipped=True)
    if Campaign.objects.filter(owner=township, title=TITLE).exists():
        return CampaignsResult(skipped=True)
    villages = [u.code for u in services.child_units(township)]
    if not villages:
        return CampaignsResult(skipped=True)
    rng = random.Random(seed)
    start, end = today - timedelta(days=35), today + timedelta(days=20)
    campaign = services.campaign_create(
        actor=clerk,
        kind=CampaignKind.CAMPAIGN,
        title=TITLE,
        starts_on=start,
        ends_on=end,
        units=villages,
        note="宣传优生优育和生育支持政策，入户走访，提供孕前优生检查等免费服务，核实流动人口信息。",
    )
    for name, first, last in (
        ("宣传发动、摸底调查", start, start + timedelta(days=9)),
        ("集中服务", start + timedelta(days=10), today + timedelta(days=10)),
        ("检查验收", today + timedelta(days=11), end),
    ):
        services.phase_add(actor=clerk, campaign=campaign, name=name, starts_on=first, ends_on=last)
    phases = list(campaign.phases.all())
    visits = services.task_add(
        actor=clerk,
        campaign=campaign,
        name="入户宣传走访",
        count_unit="户",
        split=Split.EVEN,
        total=30 * len(villages),
        phase=phases[0],
    )
    migrants = services.task_add(
        actor=clerk,
        campaign=campaign,
        name="流动人口信息核实",
        count_unit="人",
        split=Split.MANUAL,
        targets={v: rng.randint(5, 25) for v in villages},
        phase=phases[1],
    )
    services.task_add(
        actor=clerk,
        campaign=campaign,
        name="孕前优生健康检查",
        count_unit="对",
        split=Split.EVEN,
        total=2 * len(villages),
        measure="health_checks",
        phase=phases[1],
    )
    days = [start + timedelta(days=n) for n in (10, 20, 30)] + [today + timedelta(days=2)]
    dispatches = [
        services.dispatch_add(actor=clerk, campaign=campaign, day=d, kind=DispatchKind.PROGRESS)
        for d in days
    ]
    services.dispatch_add(actor=clerk, campaign=campaign, day=end, kind=DispatchKind.FINAL)
    services.campaign_publish(actor=clerk, campaign=campaign)

    targets = selectors.task_targets(campaign, villages)
    generator = demo_generator_user(county=county)
    reports = []
    for village in villages:
        pace = rng.uniform(0.5, 1.2)  # how far along the village is by today
        missed = rng.randrange(3) if rng.random() < LATE_SHARE else None
        for i, day in enumerate(days[:3]):
            if i == missed:
                continue
            share = min(1.0, pace * (i + 1) / 4)
            reported_on = day - timedelta(days=rng.randint(0, 2))
            for task in (visits, migrants):
                done = round(targets[task.pk, village] * share)
                reports.append(
                    ProgressReport(
                        task=task,
                        unit_id=village,
                        done=done,
                        reported_on=reported_on,
                        entered_by=generator,
                    )
                )
    ProgressReport.objects.bulk_create(reports)
    published = 0
    for dispatch in dispatches[:3]:
        if dispatch.day < today and dispatch.day <= dates.today():
            services.bulletin_publish(actor=clerk, dispatch=dispatch)
            published += 1
    return CampaignsResult(
        skipped=False, villages=len(villages), reports=len(reports), bulletins=published
    )
