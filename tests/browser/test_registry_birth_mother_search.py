"""A village worker finds a mother by name on the birth form, records twins (the second
marked 多胞胎) with a birth medical certificate number, and sees both on the birth list."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from famplan.demo.users import DEMO_PASSWORD
from tests.browser.conftest import OffNetworkPage, log_in

pytestmark = pytest.mark.browser


def test_it_finds_the_mother_by_name_and_records_twins(off_network: OffNetworkPage):
    page = off_network.page
    log_in(off_network, "village_worker", DEMO_PASSWORD)

    # A woman of the worker's village, to look up by her name.
    page.goto("/registry/people/?sex=F&status=active&born_from=1976-01-01&born_to=1995-12-31")
    # One with an ID number (shown masked): other browser tests add women without one.
    with_number = page.get_by_test_id("person-table").locator("tbody tr", has_text="*")
    mother_name = with_number.first.get_by_role("link").first.inner_text()

    page.goto("/registry/births/new/")
    search = page.get_by_test_id("mother-search")
    search.get_by_label("母亲姓名").fill(mother_name.strip())
    search.get_by_role("button", name="查找母亲").click()
    results = page.get_by_test_id("mother-results")
    expect(results).to_contain_text(mother_name.strip())
    expect(results).to_contain_text("*")  # masked ID numbers only
    results.get_by_role("link", name="选择").first.click()
    expect(page.get_by_test_id("subject")).to_contain_text(mother_name.strip())

    born_on = (date.today() - timedelta(days=3)).isoformat()
    form_url = page.url
    for name, certificate, twin in [
        ("搜母双甲", "Q620099001", False),
        ("搜母双乙", "Q620099002", True),
    ]:
        page.goto(form_url)
        page.get_by_label("婴儿姓名").fill(name)
        page.get_by_label("性别").select_option(label="男")
        page.get_by_label("出生日期").fill(born_on)
        page.get_by_label("出生地点").select_option(label="医院")
        page.get_by_label("出生医学证明编号").fill(certificate)
        if twin:
            # Without the box the second twin is taken for the first entered twice.
            page.get_by_role("button", name="保存").click()
            expect(page.get_by_test_id("error-multiple")).to_contain_text("疑似重复")
            page.get_by_label("多胞胎").check()
        page.get_by_role("button", name="保存").click()
        expect(page).to_have_url(re.compile(r"/registry/people/\d+/$"))
        expect(page.get_by_role("heading", level=1)).to_contain_text(name)

    page.goto("/registry/births/")
    table = page.locator("table")
    expect(table).to_contain_text("搜母双乙")
    expect(table).to_contain_text("Q620099002")
    off_network.screenshot("registry-birth-twins")
