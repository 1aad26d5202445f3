"""The county admin computes this year's indicators as a job, drills down from the county
to a village, exports the form, and opens the charts (ECharts from our own server, under
the strict CSP). Network cut off."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from python_calamine import CalamineWorkbook

from famplan.demo.users import DEMO_PASSWORD
from tests.browser.conftest import OffNetworkPage, log_in

pytestmark = pytest.mark.browser


def test_it_computes_drills_down_exports_and_charts(off_network: OffNetworkPage, tmp_path):
    page = off_network.page
    log_in(off_network, "county_admin", DEMO_PASSWORD)
    page.get_by_role("link", name="统计指标").first.click()
    expect(page.get_by_test_id("freshness")).to_contain_text("尚未计算")
    page.get_by_test_id("refresh-form").get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/jobs/[0-9a-f-]{36}/$"))
    expect(page.get_by_test_id("job-progress")).to_have_attribute(
        "data-status", "succeeded", timeout=60_000
    )

    page.goto("/indicators/")
    expect(page.get_by_test_id("freshness")).to_contain_text("数据更新于")
    table = page.get_by_test_id("indicators")
    expect(table.locator("tbody tr")).to_have_count(28)  # the townships
    expect(table.get_by_test_id("total")).to_contain_text("合计")
    off_network.screenshot("indicators-county")

    table.get_by_role("link", name="会师镇", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("会师镇")
    expect(page.get_by_test_id("breadcrumb")).to_contain_text("会宁县")
    assert page.get_by_test_id("indicators").locator("tbody tr").count() > 1  # villages

    with page.expect_download() as download_info:
        page.get_by_test_id("export").click()
    path = tmp_path / "report.xlsx"
    download_info.value.save_as(path)
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert rows[0][:2] == ["单位", "区划代码"]
    assert any(row[:2] == ["填报单位", "会师镇（620422100）"] for row in rows)

    page.get_by_role("link", name="图表").click()
    dashboard = page.locator("[data-dashboard]")
    expect(dashboard).to_have_attribute("data-loaded", "true", timeout=20_000)
    expect(page.get_by_test_id("funnel-chart").locator("canvas").first).to_be_visible()
    off_network.screenshot("indicators-dashboard")
