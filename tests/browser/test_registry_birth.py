"""A village worker records a birth in the browser, finds the child in the list and
exports the list; a clerk of another township gets a 404 on the child's page."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from python_calamine import CalamineWorkbook

from famplan.demo.users import DEMO_PASSWORD
from tests.browser.conftest import OffNetworkPage, log_in

pytestmark = pytest.mark.browser

CHILD_NAME = "浏览器测宝"


def _log_out(tab: OffNetworkPage) -> None:
    tab.page.get_by_role("button", name="退出").click()
    expect(tab.page).to_have_url(re.compile(r"/accounts/login/"))


def test_it_records_a_birth_finds_it_exports_it_and_hides_it_from_other_townships(
    off_network: OffNetworkPage, tmp_path
):
    page = off_network.page
    log_in(off_network, "village_worker", DEMO_PASSWORD)

    # A woman of the worker's village, found through the list's filters.
    page.goto("/registry/people/?sex=F&status=active&born_from=1976-01-01&born_to=1995-12-31")
    table = page.get_by_test_id("person-table")
    table.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/registry/people/\d+/$"))
    mother_name = page.get_by_role("heading", level=1).inner_text()

    page.get_by_test_id("event-links").get_by_role("link", name="登记生育").click()
    born_on = date.today() - timedelta(days=2)
    page.get_by_label("婴儿姓名").fill(CHILD_NAME)
    page.get_by_label("性别").select_option(label="女")
    page.get_by_label("出生日期").fill(born_on.isoformat())
    page.get_by_label("出生地点").select_option(label="医院")
    page.get_by_label("助产机构").fill("会宁县人民医院")
    page.get_by_label("出生体重(克)").fill("3200")
    page.get_by_role("button", name=re.compile("保存|提交|登记")).click()

    expect(page.get_by_role("alert").first).to_contain_text("出生")
    expect(page).to_have_url(re.compile(r"/registry/people/\d+/$"))
    child_url = page.url
    expect(page.get_by_role("heading", level=1)).to_contain_text(CHILD_NAME)
    expect(page.get_by_test_id("timeline")).to_contain_text(mother_name.split()[0])
    off_network.screenshot("registry-birth-recorded")

    # The child is in the list, and the filtered list exports to a real .xlsx.
    page.goto("/registry/people/")
    page.get_by_label("姓名").fill(CHILD_NAME)
    page.get_by_role("button", name=re.compile("查询|搜索")).click()
    expect(page.get_by_test_id("person-table")).to_contain_text(CHILD_NAME)
    with page.expect_download() as download_info:
        page.get_by_test_id("export-link").click()
    saved = tmp_path / "export.xlsx"
    download_info.value.save_as(saved)
    rows = CalamineWorkbook.from_path(str(saved)).get_sheet_by_index(0).to_python()
    names = [str(cell) for row in rows[1:] for cell in row[:2]]
    assert CHILD_NAME in names and len(rows) == 2  # header + the one child

    # Another township's clerk, typing the child's address: a 404, like a missing page.
    _log_out(off_network)
    log_in(off_network, "other_clerk", DEMO_PASSWORD)
    path = child_url.removeprefix(off_network.base_url)
    off_network.expect_error_status(path)
    response = page.goto(child_url)
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_contain_text("页面不存在")
    expect(page.locator("body")).not_to_contain_text(CHILD_NAME)
