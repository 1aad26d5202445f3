"""On a phone (390 px wide): a township clerk records a couple's pre-pregnancy check
dated five weeks ago, so its early-pregnancy follow-up has fallen due; the village
worker finds it on her worklist and closes it with large touch targets."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from famplan.demo.users import DEMO_PASSWORD
from tests.browser.conftest import OffNetworkPage, log_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
VILLAGE = "620422100001"  # the demo village worker's village (first of 会师镇)
MIN_TOUCH = 44  # px: the smallest comfortable touch target


def _phone(tab: OffNetworkPage) -> None:
    tab.page.set_viewport_size(PHONE)


def _fits_the_screen(tab: OffNetworkPage) -> None:
    width = tab.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways: {width} px wide"


def test_a_follow_up_falls_due_and_the_village_worker_closes_it_on_a_phone(
    off_network: OffNetworkPage, browser, famplan_server
):
    page = off_network.page
    _phone(off_network)
    log_in(off_network, "township_clerk", DEMO_PASSWORD)

    # A wife of the worker's village from the demo's checks: her name, then a new check.
    page.goto(f"/health/checks/?unit={VILLAGE}")
    wife = page.get_by_test_id("check-table").locator("tbody tr td:nth-child(2)").first
    wife_name = wife.inner_text().splitlines()[0].strip()
    page.goto("/health/checks/new/")
    _fits_the_screen(off_network)
    page.get_by_label("女方姓名").fill(wife_name)
    page.get_by_label("女方所在村(居)").select_option(VILLAGE)
    checked_on = date.today() - timedelta(days=37)
    page.get_by_label("检查日期").fill(checked_on.isoformat())
    page.get_by_label("检查机构").fill("会宁县妇幼保健院")
    page.get_by_label("低风险").check()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert").first).to_contain_text("已登记孕前优生健康检查")
    early = page.get_by_test_id("followup-early")
    expect(early).to_contain_text("到期")
    off_network.screenshot("health-check-recorded-phone")

    # The village worker, on her own phone.
    worker = OffNetworkPage(browser, famplan_server)
    try:
        _phone(worker)
        log_in(worker, "village_worker", DEMO_PASSWORD)
        wpage = worker.page
        wpage.goto("/health/followups/?state=due&kind=early")
        _fits_the_screen(worker)
        card = (
            wpage.get_by_test_id("worklist-item")
            .filter(has_text=wife_name)
            .filter(has_text=f"检查于 {checked_on:%Y-%m-%d}")
        )
        expect(card).to_have_count(1)
        assert card.bounding_box()["height"] >= MIN_TOUCH
        worker.screenshot("health-worklist-phone")
        card.click()
        expect(wpage).to_have_url(re.compile(r"/health/followups/\d+/$"))
        expect(wpage.get_by_test_id("followup-state")).to_have_text("到期")
        _fits_the_screen(worker)

        choice = wpage.locator("label.hl-choice", has_text="已怀孕")
        box = choice.bounding_box()
        assert box["height"] >= MIN_TOUCH and box["width"] >= PHONE["width"] * 0.7
        choice.click()
        expect(wpage.get_by_label("已怀孕")).to_be_checked()
        save = wpage.get_by_role("button", name="保存随访结果")
        assert save.bounding_box()["height"] >= MIN_TOUCH
        worker.screenshot("health-followup-form-phone")
        save.click()

        expect(wpage).to_have_url(re.compile(r"/health/followups/$"))
        expect(wpage.get_by_role("alert").first).to_contain_text("已登记早孕随访结果")
        wpage.goto("/health/followups/?state=due&kind=early")
        expect(
            wpage.get_by_test_id("worklist-item")
            .filter(has_text=wife_name)
            .filter(has_text=f"检查于 {checked_on:%Y-%m-%d}")
        ).to_have_count(0)
        assert worker.blocked == [] and worker.console_errors == []
    finally:
        worker.context.close()

    # The clerk sees the result on the check.
    page.reload()
    expect(page.get_by_test_id("followup-early")).to_contain_text("已怀孕")
