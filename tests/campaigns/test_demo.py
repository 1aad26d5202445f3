"""The demo's spring service month: built through the services, reproducible by seed,
under way on the reference day, and left alone on a second run."""

from __future__ import annotations

from datetime import date

import pytest

from famplan.campaigns.models import Bulletin, Campaign, CampaignStatus, ProgressReport
from famplan.demo.campaigns import campaigns_generate

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 20)


def _figures() -> list:
    return list(
        ProgressReport.objects.order_by("task__order", "unit_id", "reported_on").values_list(
            "unit_id", "done", "reported_on"
        )
    )


def test_it_builds_the_townships_campaign_under_way(units, township_clerk, monkeypatch):
    from famplan.common import dates

    monkeypatch.setattr(dates, "today", lambda: DAY)
    result = campaigns_generate(county=units["620422"], seed=3, today=DAY)
    campaign = Campaign.objects.get()
    assert campaign.owner_id == "620422100" and campaign.status == CampaignStatus.ACTIVE
    assert result.villages == 2 and campaign.phases.count() == 3
    assert campaign.dispatches.count() == 5  # four progress dates and the final check
    assert Bulletin.objects.count() == result.bulletins == 3
    assert campaign.tasks.exclude(measure="").count() == 1
    first = _figures()
    assert len(first) == result.reports > 0

    again = campaigns_generate(county=units["620422"], seed=3, today=DAY)
    assert again.skipped and Campaign.objects.count() == 1

    # The same seed and day, the same reports.
    Bulletin.objects.all().delete()
    ProgressReport.objects.all().delete()
    Campaign.objects.all().delete()
    campaigns_generate(county=units["620422"], seed=3, today=DAY)
    assert _figures() == first
