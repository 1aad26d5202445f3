"""A village worker on a phone (390 px wide) enters an issue at her village's point and
sees its stock drop; an issue beyond the stock is refused naming the point and kind."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from famplan.demo.users import DEMO_PASSWORD
from tests.browser.conftest import OffNetworkPage, log_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _stock(tab: OffNetworkPage, code: str) -> int:
    return int(tab.page.get_by_test_id(f"stock-{code}").inner_text())


def _fits_the_screen(tab: OffNetworkPage) -> bool:
    return tab.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_it_enters_an_issue_on_a_phone_and_the_stock_drops(off_network: OffNetworkPage):
    page = off_network.page
    page.set_viewport_size(PHONE)
    log_in(off_network, "village_worker", DEMO_PASSWORD)

    page.goto("/supplies/")
    table = page.get_by_test_id("point-table")
    # Her village's own point (the township's centre there is the township's to enter).
    table.get_by_role("link").filter(has_not_text="计生服务站").first.click()
    expect(page).to_have_url(re.compile(r"/supplies/points/\d+/$"))
    point_url = page.url
    point_name = page.get_by_role("heading", level=1).inner_text().strip()
    before = _stock(off_network, "condom_male")
    assert before >= 3, f"the demo point should hold condoms, has {before}"

    page.get_by_role("link", name="登记发放").first.click()
    expect(page.get_by_test_id("movement-form")).to_be_visible()
    assert _fits_the_screen(off_network), "the issue form is wider than a 390 px phone"
    expect(page.get_by_label("发放点")).to_have_value(point_url.rstrip("/").rsplit("/", 1)[1])
    page.get_by_label("药具").select_option(label="男用避孕套（只）")
    page.get_by_label("数量").fill("3")
    off_network.screenshot("supplies-issue-phone")
    page.get_by_role("button", name="保存").click()

    expect(page).to_have_url(point_url)
    expect(page.get_by_role("alert").first).to_contain_text("已登记")
    assert _stock(off_network, "condom_male") == before - 3
    off_network.screenshot("supplies-point-phone")

    # More than the stock: refused on the form, naming the point and the kind.
    page.get_by_role("link", name="登记发放").first.click()
    page.get_by_label("药具").select_option(label="男用避孕套（只）")
    page.get_by_label("数量").fill(str(before + 1000))
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("field-error")).to_contain_text(f"{point_name}的男用避孕套库存不足")
    assert _fits_the_screen(off_network)
    page.goto(point_url)
    assert _stock(off_network, "condom_male") == before - 3


def test_the_list_and_the_monthly_report_read_on_a_phone(off_network: OffNetworkPage):
    page = off_network.page
    page.set_viewport_size(PHONE)
    log_in(off_network, "township_clerk", DEMO_PASSWORD)
    page.goto("/supplies/?has_stock=0")
    expect(page.get_by_test_id("result-count")).to_be_visible()
    off_network.screenshot("supplies-list-phone")
    page.goto("/supplies/report/")
    table = page.get_by_test_id("report-table")
    expect(table).to_contain_text("合计")
    expect(table).to_contain_text("%")
    off_network.screenshot("supplies-report-phone")
    with page.expect_download() as download:
        page.get_by_test_id("export-link").click()
    assert download.value.suggested_filename.startswith("药具月报_")
