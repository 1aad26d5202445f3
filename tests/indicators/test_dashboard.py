"""The dashboard: its page loads the vendored ECharts from static files, and its data
(trend lines, the sex-ratio funnel) is cut to the user's jurisdiction."""

from __future__ import annotations

import pytest
from django.urls import reverse

from famplan.indicators.services import values_refresh

from .conftest import COUNTY, T1, V1, V2


@pytest.fixture
def refreshed(county2024, county_admin):
    return values_refresh(actor=county_admin, first_year=2024, last_year=2024)


@pytest.mark.jurisdiction("indicators:dashboard")
def test_it_serves_the_dashboard_without_inline_script(refreshed, clerk_client, other_client):
    response = clerk_client.get(reverse("indicators:dashboard"), {"year": 2024})
    page = response.content.decode()
    assert response.status_code == 200
    assert "vendor/echarts.min.js" in page and "indicators/dashboard.js" in page
    assert "<script>" not in page and "style=" not in page
    assert other_client.get(reverse("indicators:dashboard"), {"unit": T1}).status_code == 404


@pytest.mark.jurisdiction("indicators:dashboard_data")
def test_it_gives_trend_and_funnel_data_of_the_users_villages(
    refreshed, clerk_client, other_client
):
    url = reverse("indicators:dashboard_data")
    data = clerk_client.get(url, {"year": 2024}).json()
    assert data["trend"]["years"][-1] == 2024
    # 会师镇 2024: 2 boys, 2 girls; 2023 was not computed (no values: no ratio).
    assert data["trend"]["sex_ratio_at_birth"][-2:] == [None, 100.0]
    assert data["trend"]["birth_rate"][-1] == round(4 / 17.5 * 1000, 2)
    funnel = data["funnel"]
    # V1: 2 boys and 1 girl (ratio 200); V2: 1 girl, no boys (ratio 0).
    assert {p["code"]: (p["births"], p["ratio"]) for p in funnel["points"]} == {
        V1: (3, 200.0),
        V2: (1, 0.0),
    }
    assert funnel["centre"] == 100.0 and funnel["target"] == 107
    low, high = funnel["limits"]["low95"], funnel["limits"]["high95"]
    pairs = [(lo, hi) for lo, hi in zip(low, high, strict=True) if hi is not None]
    assert pairs and all(lo < 100 < hi <= 300 for lo, hi in pairs)  # drawn up to 300
    uppers = [hi for _, hi in pairs]
    assert uppers == sorted(uppers, reverse=True)  # the funnel narrows as births grow
    assert other_client.get(url, {"unit": T1}).status_code == 404
    assert other_client.get(url, {"unit": COUNTY}).status_code == 404
