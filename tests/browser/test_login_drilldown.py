"""A person in a browser: logs in, drills down the division tree, is kept to their
jurisdiction, and is locked out after too many wrong passwords. Network cut off."""

from __future__ import annotations

import csv
import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from famplan.demo.users import DEMO_PASSWORD
from tests.browser.conftest import ROOT, OffNetworkPage, log_in

pytestmark = pytest.mark.browser


def test_it_logs_the_county_admin_in_to_a_chinese_home_page(off_network: OffNetworkPage):
    page = off_network.page
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("heading", name="登录")).to_be_visible()

    log_in(off_network, "county_admin", DEMO_PASSWORD)

    expect(page).to_have_url(f"{off_network.base_url}/")
    expect(page.get_by_test_id("current-user")).to_contain_text("会宁县")
    expect(page.get_by_test_id("current-user")).to_contain_text("县级管理员")
    expect(page.get_by_role("link", name="计生服务管理平台")).to_be_visible()
    # Bootstrap's stylesheet arrived from our own server: the navbar is coloured.
    navbar_colour = page.locator("nav.navbar").evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    assert navbar_colour not in ("rgba(0, 0, 0, 0)", "transparent")
    off_network.screenshot("home-county-admin")


def test_it_drills_down_from_county_to_township_to_village(off_network: OffNetworkPage):
    page = off_network.page
    log_in(off_network, "county_admin", DEMO_PASSWORD)

    page.get_by_role("link", name="行政区划").first.click()
    expect(page).to_have_url(re.compile(r"/units/620422/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("会宁县")
    children = page.get_by_test_id("children")
    expect(children.get_by_role("row")).to_have_count(29)  # header + 28 townships
    off_network.screenshot("units-county")

    children.get_by_role("link", name="会师镇", exact=True).click()
    expect(page).to_have_url(re.compile(r"/units/620422100/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("会师镇")
    expect(page.get_by_test_id("breadcrumb")).to_contain_text("会宁县")

    page.get_by_test_id("children").get_by_role("link", name="东山根社区居民委员会").click()
    expect(page).to_have_url(re.compile(r"/units/620422100001/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("东山根社区居民委员会")
    breadcrumb = page.get_by_test_id("breadcrumb")
    expect(breadcrumb).to_contain_text("会宁县")
    expect(breadcrumb).to_contain_text("会师镇")
    off_network.screenshot("units-village")

    # Back up the tree through the breadcrumb.
    breadcrumb.get_by_role("link", name="会师镇").click()
    expect(page).to_have_url(re.compile(r"/units/620422100/$"))


def test_it_keeps_a_township_clerk_to_their_own_township(off_network: OffNetworkPage):
    page = off_network.page
    log_in(off_network, "township_clerk", DEMO_PASSWORD)

    page.get_by_role("link", name="行政区划").first.click()
    expect(page).to_have_url(re.compile(r"/units/620422100/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("会师镇")
    expect(page.get_by_test_id("breadcrumb")).not_to_contain_text("会宁县")
    expect(page.get_by_role("link", name="郭城驿镇")).to_have_count(0)

    for code in ("620422101", "620422101001", "620422"):
        off_network.expect_error_status(f"/units/{code}/")
        response = page.goto(f"/units/{code}/")
        assert response is not None and response.status == 404, code
        expect(page.get_by_role("heading", level=1)).to_contain_text("页面不存在")
        expect(page.get_by_text("不在您的管辖范围内")).to_be_visible()
    off_network.screenshot("units-other-township-404")


def test_it_locks_an_account_after_five_wrong_passwords(off_network: OffNetworkPage):
    page = off_network.page
    off_network.expect_error_status("/accounts/login/")
    for attempt in range(1, 5):
        log_in(off_network, "facility_user", f"Wrong-password-{attempt}")
        expect(page.get_by_role("alert")).to_be_visible()
        expect(page.get_by_role("heading", name="登录")).to_be_visible()

    log_in(off_network, "facility_user", "Wrong-password-5")
    expect(page.get_by_test_id("locked-out")).to_contain_text("账号已被锁定")
    off_network.screenshot("login-locked-out")

    # Now even the right password is refused until the lock expires.
    log_in(off_network, "facility_user", DEMO_PASSWORD)
    expect(page.get_by_test_id("locked-out")).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_have_count(0)


def test_the_guard_aborts_and_records_requests_off_this_machine(browser, famplan_server):
    # The other tests trust an empty `blocked` list; prove the guard sees a request.
    # `.invalid` never resolves, and the route aborts it before any lookup anyway.
    tab = OffNetworkPage(browser, famplan_server)
    try:
        with pytest.raises(PlaywrightError, match="net::ERR_FAILED"):
            tab.page.goto("http://cdn.invalid/bootstrap.css")
    finally:
        tab.context.close()
    assert tab.blocked == ["http://cdn.invalid/bootstrap.css"]


def township_village_names(township: str) -> set[str]:
    fixture = ROOT / "src/famplan/orgunits/fixtures/huining_620422_divisions.csv"
    with fixture.open(encoding="utf-8") as rows:
        return {row["name"] for row in csv.DictReader(rows) if row["parent_code"] == township}


def test_it_lists_only_the_clerks_own_people_and_opens_one(off_network: OffNetworkPage):
    page = off_network.page
    log_in(off_network, "township_clerk", DEMO_PASSWORD)

    page.get_by_role("link", name="人口信息").first.click()
    expect(page).to_have_url(re.compile(r"/registry/people/"))
    rows = page.get_by_test_id("person-table").locator("tbody tr")
    expect(rows.first.get_by_role("link")).to_be_visible()  # the demo county has people
    villages = set(rows.locator("td:nth-child(5)").all_inner_texts())
    assert villages and villages <= township_village_names("620422100")
    off_network.screenshot("registry-people-township-clerk")

    name = rows.first.get_by_role("link").inner_text()
    rows.first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/registry/people/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    off_network.screenshot("registry-person-detail")
