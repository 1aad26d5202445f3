"""The county opens this year's assessment from the menu, enters a field-check score for
a sample village (the inspector is recorded), and reads the bulletin with its ranking
and the explanation of a township's points."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from famplan.demo.users import DEMO_PASSWORD
from tests.browser.conftest import OffNetworkPage, log_in

pytestmark = pytest.mark.browser


def test_the_county_enters_a_sample_score_and_reads_the_bulletin(off_network: OffNetworkPage):
    page = off_network.page
    log_in(off_network, "county_admin", DEMO_PASSWORD)

    page.locator("#mainnav").get_by_role("link", name="考核", exact=True).click()
    page.get_by_test_id("scheme-table").get_by_role("link").first.click()
    expect(page.get_by_test_id("seed")).to_contain_text("抽样种子")

    page.get_by_test_id("sample-link").first.click()
    expect(page).to_have_url(re.compile(r"/assessment/\d+/samples/\d{12}/$"))
    page.get_by_label("宣传服务到户年终考核得分").fill("9.5")
    page.get_by_label("宣传服务到户年终考核核查情况").fill("入户抽查10户，资料齐全")
    page.get_by_role("button", name="保存核查得分").click()
    expect(page.get_by_test_id("message")).to_contain_text("项核查得分")
    expect(page.get_by_label("宣传服务到户年终考核得分")).to_have_value("9.5")
    expect(page.get_by_test_id("score-table")).to_contain_text("王县管")

    # A score above the item's points is refused, naming the item and the part.
    # The refused form answers 400, which the browser logs as a failed resource.
    off_network.expect_error_status(urlsplit(page.url).path)
    page.get_by_label("宣传服务到户年终考核得分").fill("12")
    page.get_by_role("button", name="保存核查得分").click()
    expect(page.get_by_test_id("form-errors")).to_contain_text(
        "宣传服务到户（年终考核）：得分应在0到10.0分之间"
    )

    page.get_by_role("link", name="考核结果与通报").click()
    ranking = page.get_by_test_id("ranking-table")
    expect(ranking.locator("tbody tr").first).to_contain_text("1")
    expect(page.get_by_role("link", name="下载通报(PDF)")).to_be_visible()
    off_network.screenshot("assessment-bulletin")
    ranking.get_by_role("link", name="得分说明").first.click()
    expect(page.get_by_test_id("explain-table")).to_contain_text("计分说明")
    expect(page.get_by_test_id("explain-table")).to_contain_text("个抽样村已核查")


def test_a_township_assesses_its_villages(off_network: OffNetworkPage):
    """The township clerk makes her township's own scheme, publishes it (every village
    checked, no draw), scores one village and reads her villages' ranking."""
    page = off_network.page
    off_network.page.on("dialog", lambda dialog: dialog.accept())
    log_in(off_network, "township_clerk", DEMO_PASSWORD)
    page.locator("#mainnav").get_by_role("link", name="考核", exact=True).click()
    page.get_by_role("link", name="新建考核方案").click()
    # The demo holds this year's scheme of the township already: next year's is new.
    year = str(date.today().year + 1)
    page.get_by_label("年度").fill(year)
    page.get_by_label("方案名称").fill(f"会师镇{year}年度村级考核")
    page.get_by_role("button", name="创建").click()
    expect(page.get_by_test_id("message")).to_contain_text("已创建考核方案")

    items = page.get_by_test_id("item-form")
    items.get_by_label("考核项目").fill("台账规范")
    items.get_by_label("类型").select_option(label="实地核查")
    items.get_by_label("分值").fill("100")
    items.get_by_role("button", name="添加").click()
    expect(page.get_by_test_id("item-table")).to_contain_text("逐村实地核查")
    page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("sample-table")).to_contain_text("核查村(居)")
    links = page.get_by_test_id("sample-link")
    assert links.count() > 4  # every village of the township, not a sample of 2-4

    links.first.click()
    page.get_by_label("台账规范年终考核得分").fill("88")
    page.get_by_role("button", name="保存核查得分").click()
    expect(page.get_by_test_id("message")).to_contain_text("项核查得分")

    page.get_by_role("link", name="考核结果与通报").click()
    ranking = page.get_by_test_id("ranking-table")
    expect(ranking.locator("thead")).to_contain_text("村(居)")
    expect(ranking.locator("tbody tr").first).to_contain_text("1")
