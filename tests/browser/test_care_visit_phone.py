"""A village worker on a phone (390 px wide) opens her worklist of special families due
a visit, logs a visit at the family's door, and sees it on the family's page."""

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


def test_a_village_worker_logs_a_visit_on_a_phone(off_network: OffNetworkPage):
    page = off_network.page
    page.set_viewport_size(PHONE)
    log_in(off_network, "village_worker", DEMO_PASSWORD)

    page.goto("/care/worklist/")
    worklist = page.get_by_test_id("worklist")
    expect(worklist.get_by_role("link", name="走访").first).to_be_visible()
    assert _fits_the_screen(off_network), "the worklist is wider than a 390 px phone"
    off_network.screenshot("care-worklist-phone")
    worklist.get_by_role("link", name="走访").first.click()

    expect(page.get_by_test_id("visit-form")).to_be_visible()
    assert _fits_the_screen(off_network), "the visit form is wider than a 390 px phone"
    target = page.get_by_test_id("visit-target").inner_text()
    # Her own contact duty is chosen for her.
    expect(page.get_by_label("责任人")).not_to_have_value("")
    page.get_by_label("走访内容").fill("上门了解身体情况，送去米面油")
    page.get_by_label("下一步").fill("下月陪同体检")
    off_network.screenshot("care-visit-phone")
    page.get_by_role("button", name="保存").click()

    expect(page).to_have_url(re.compile(r"/care/families/\d+/$"))
    expect(page.get_by_role("alert").first).to_contain_text("已登记走访")
    expect(page.get_by_test_id("visits")).to_contain_text("送去米面油")
    assert target.startswith("特殊家庭")
    assert _fits_the_screen(off_network)

    # An empty visit is refused on the form, naming the field.
    page.get_by_role("link", name="登记走访").click()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("field-error")).to_contain_text("请填写走访内容")
