"""A village worker on a phone (390 px wide) reports her village's progress on the demo
spring service month and sees it in the progress table; a negative count is refused in
Chinese. The township clerk reads a published bulletin and downloads its PDF."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from famplan.demo.users import DEMO_PASSWORD
from tests.browser.conftest import OffNetworkPage, log_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _fits_the_screen(tab: OffNetworkPage) -> bool:
    return tab.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_village_worker_reports_progress_on_a_phone(off_network: OffNetworkPage):
    page = off_network.page
    page.set_viewport_size(PHONE)
    log_in(off_network, "village_worker", DEMO_PASSWORD)
    expect(page.get_by_text("待报送的工作进度")).to_be_visible()

    page.goto("/campaigns/")
    page.get_by_test_id("campaign-table").get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/campaigns/\d+/$"))
    plan_url = page.url
    page.get_by_role("link", name="报送进度").first.click()
    form = page.get_by_test_id("report-form")
    expect(form).to_be_visible()
    expect(page.get_by_test_id("linked-tasks")).to_contain_text("孕前优生健康检查")
    assert _fits_the_screen(off_network), "the report form is wider than a 390 px phone"

    page.get_by_label(re.compile("入户宣传走访")).fill("-3")
    page.get_by_role("button", name="报送").click()
    expect(page.get_by_test_id("field-error")).to_contain_text("不能为负数")

    page.get_by_label(re.compile("入户宣传走访")).fill("29")
    page.get_by_label(re.compile("流动人口信息核实")).fill("")
    off_network.screenshot("campaigns-report-phone")
    page.get_by_role("button", name="报送").click()
    expect(page).to_have_url(plan_url)
    expect(page.get_by_role("alert").first).to_contain_text("进度已报送")
    row = page.locator("[data-testid^=progress-]").first
    expect(row).to_contain_text("29 / 30")
    off_network.screenshot("campaigns-plan-phone")


def test_the_clerk_reads_a_bulletin_and_prints_it(off_network: OffNetworkPage):
    page = off_network.page
    log_in(off_network, "township_clerk", DEMO_PASSWORD)
    page.goto("/campaigns/")
    page.get_by_test_id("campaign-table").get_by_role("link").first.click()
    page.get_by_role("link", name="查看通报").first.click()
    expect(page.get_by_test_id("bulletin-table")).to_be_visible()
    expect(page.get_by_test_id("named-last")).to_contain_text("排名后三位的单位")
    off_network.screenshot("campaigns-bulletin")
    with page.expect_download() as download:
        page.get_by_test_id("pdf-link").click()
    assert download.value.suggested_filename.endswith(".pdf")
