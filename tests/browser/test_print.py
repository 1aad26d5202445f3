"""Printing registry pages: under print media the navigation, filters and buttons are
gone, the table is there with borders, and a header says the unit and the day."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from famplan.demo.users import DEMO_PASSWORD
from tests.browser.conftest import OffNetworkPage, log_in

pytestmark = pytest.mark.browser


def _print_button_prints(page: Page) -> None:
    """The 打印 button (famplan.js, no inline script) calls window.print()."""
    # A function, which Playwright calls (an assignment's value would be called too).
    page.evaluate(
        "() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }"
    )
    page.get_by_test_id("print-button").click()
    assert page.evaluate("window.__printed") == 1


def _assert_printable(page: Page, table_id: str) -> None:
    expect(page.get_by_test_id("print-button")).to_be_visible()
    expect(page.get_by_test_id("print-header")).to_be_hidden()
    page.emulate_media(media="print")
    try:
        expect(page.locator("nav.navbar")).to_be_hidden()
        expect(page.get_by_test_id("print-button")).to_be_hidden()
        expect(page.locator(".nav-tabs, .breadcrumb").first).to_be_hidden()
        expect(page.locator("main .btn").first).to_be_hidden()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        header = page.get_by_test_id("print-header")
        expect(header).to_be_visible()
        expect(header).to_contain_text("东山根社区居民委员会")
        expect(header).to_contain_text(re.compile(r"打印日期：\d{4}-\d{2}-\d{2}"))
        table = page.get_by_test_id(table_id)
        expect(table).to_be_visible()
        border = table.locator("td").first.evaluate("el => getComputedStyle(el).borderTopStyle")
        assert border == "solid"
        link = table.locator("a").first
        if link.count():
            colour = link.evaluate("el => getComputedStyle(el).textDecorationLine")
            assert colour == "none"
    finally:
        page.emulate_media(media="screen")
    expect(page.locator("nav.navbar")).to_be_visible()


def test_it_prints_lists_person_and_household_pages_without_the_screen_controls(
    off_network: OffNetworkPage,
):
    page = off_network.page
    log_in(off_network, "village_worker", DEMO_PASSWORD)

    page.goto("/registry/people/")
    expect(page.get_by_test_id("filter-form")).to_be_visible()
    _assert_printable(page, "person-table")
    page.emulate_media(media="print")
    expect(page.get_by_test_id("filter-form")).to_be_hidden()
    page.emulate_media(media="screen")
    _print_button_prints(page)
    off_network.screenshot("print-person-list")

    page.goto("/registry/births/")
    _assert_printable(page, "event-table")

    page.goto("/registry/households/")
    _assert_printable(page, "household-table")
    page.get_by_test_id("household-table").get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/registry/households/\d+/$"))
    _assert_printable(page, "member-table")
    _print_button_prints(page)

    page.get_by_test_id("member-table").get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/registry/people/\d+/$"))
    expect(page.get_by_test_id("print-button")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()
    expect(page.get_by_test_id("print-button")).to_be_hidden()
    expect(page.get_by_test_id("print-header")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.emulate_media(media="screen")
    _print_button_prints(page)
