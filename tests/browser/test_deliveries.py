"""A county admin adds a hospital and an API token (shown once); the API's docs page
renders under the strict CSP with no request off the machine; the token works against
the running server; the demo's facility user (of the demo hospital) enters a delivery."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from famplan.demo.users import DEMO_PASSWORD
from tests.browser.conftest import OffNetworkPage, log_in

pytestmark = pytest.mark.browser


def test_it_sets_up_a_hospital_token_and_shows_the_api_docs(off_network: OffNetworkPage):
    page = off_network.page
    log_in(off_network, "county_admin", DEMO_PASSWORD)
    page.locator("#mainnav").get_by_role("link", name="医疗机构接口").click()
    page.get_by_label("机构代码").fill("HBROWSER1")
    page.get_by_label("机构名称").fill("浏览器测试医院")
    page.get_by_label("服务区域").select_option(index=1)
    page.get_by_role("button", name="添加").click()
    expect(page).to_have_url(re.compile(r"/deliveries/facilities/\d+/$"))

    page.get_by_label("用途说明").fill("HIS")
    page.get_by_role("button", name="创建令牌").click()
    shown = page.get_by_test_id("new-token")
    expect(shown).to_contain_text("仅显示这一次")
    token = re.search(r"fpd_[A-Za-z0-9_\-]+", shown.inner_text()).group()
    off_network.screenshot("deliveries-token-shown-once")

    # The token works against the server: a mother nobody has is a 422 in Chinese.
    answer = page.request.post(
        "/api/deliveries",
        headers={"Authorization": f"Bearer {token}"},
        data={"record_id": "B1", "mother_id_number": "110101199003070000",
              "delivered_on": "2026-01-01", "sex": "F"},
    )  # fmt: skip
    assert answer.status == 422
    assert answer.json()["errors"][0]["field"] == "mother_id_number"

    page.goto("/api/docs")
    expect(page.locator(".swagger-ui")).to_contain_text("famplan 数据接口", timeout=15000)
    expect(page.locator(".swagger-ui")).to_contain_text("/api/deliveries/batch")
    off_network.screenshot("api-docs")


def test_it_opens_the_delivery_pages_for_the_facility_user(off_network: OffNetworkPage):
    page = off_network.page
    log_in(off_network, "facility_user", DEMO_PASSWORD)
    page.locator("#mainnav").get_by_role("link", name="住院分娩").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("住院分娩登记")
    page.get_by_role("link", name="登记分娩").click()
    page.get_by_label("机构病案号").fill("B2")
    page.get_by_label("母亲身份证号").fill("110101199003070000")
    page.get_by_label("分娩日期").fill("2026-01-01")
    page.get_by_label("婴儿性别").select_option(label="女")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("error-mother_id_number")).to_be_visible()
    off_network.screenshot("deliveries-form-refused")
