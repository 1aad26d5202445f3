"""A spouse registers online (no account); the township clerk finds the application in
the queue and registers it; the card PDF downloads with the right Chinese text; the
citizen's status page then says 已登记."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from famplan.common.idnumbers import make_id_number
from famplan.demo.users import DEMO_PASSWORD
from tests.browser.conftest import OffNetworkPage, log_in

pytestmark = pytest.mark.browser

WIFE, HUSBAND = "网申芳", "网申强"
# Issued in Lanzhou (620102): not among the demo county's generated people.
WIFE_ID = make_id_number("620102", date(1995, 4, 5), 321, "F")
HUSBAND_ID = make_id_number("620102", date(1994, 6, 7), 322, "M")


def _check_status(tab: OffNetworkPage, id_number: str, receipt: str) -> str:
    page = tab.page
    page.goto("/registration/public/status/")
    page.get_by_label("身份证号（夫妻任一方）").fill(id_number)
    page.get_by_label("回执号").fill(receipt)
    page.get_by_role("button", name="查询").click()
    return page.get_by_test_id("status-result").inner_text()


def test_it_registers_online_then_the_clerk_registers_and_prints_the_card(
    browser, famplan_server, tmp_path
):
    # --- the citizen, with no account
    citizen = OffNetworkPage(browser, famplan_server)
    page = citizen.page
    page.goto("/registration/public/apply/")
    township = page.get_by_label("办理乡镇(街道)")
    township.select_option(label="会师镇")
    village = page.locator("#id_wife_hukou_unit option[value^='620422100']").first
    village_code = village.get_attribute("value")
    page.get_by_label("男方", exact=True).check()  # the husband applies
    for prefix, label, name, id_number in (
        ("wife", "女方", WIFE, WIFE_ID),
        ("husband", "男方", HUSBAND, HUSBAND_ID),
    ):
        page.get_by_label(f"{label}姓名").fill(name)
        page.get_by_label(f"{label}身份证号").fill(id_number)
        page.locator(f"#id_{prefix}_hukou_unit").select_option(village_code)
        page.locator(f"#id_{prefix}_residence_unit").select_option(village_code)
    page.get_by_label("结婚日期").fill("2020-05-20")
    page.get_by_label("预产期或出生日期").fill((date.today() + timedelta(days=120)).isoformat())
    page.get_by_label("联系电话").fill("139 0000 1234")
    child = page.get_by_test_id("child-row").first
    child.get_by_label("姓名").fill("网申大宝")
    child.get_by_label("性别").select_option(label="女")
    child.get_by_label("出生日期").fill("2021-08-01")
    page.get_by_role("button", name="提交申请").click()
    receipt = page.get_by_test_id("receipt").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", receipt)
    citizen.screenshot("registration-online-submitted")
    assert "待核实" in _check_status(citizen, WIFE_ID, receipt)
    citizen.context.close()
    assert citizen.blocked == [] and citizen.console_errors == []

    # --- the township clerk works the queue
    clerk = OffNetworkPage(browser, famplan_server)
    page = clerk.page
    log_in(clerk, "township_clerk", DEMO_PASSWORD)
    page.get_by_role("link", name="生育登记").first.click()
    page.get_by_test_id("queue-link").click()
    table = page.get_by_test_id("registration-table")
    expect(table).to_contain_text(WIFE)
    table.get_by_role("link", name=receipt).click()
    expect(page.get_by_test_id("status")).to_have_text("待核实")
    expect(page.get_by_test_id("mismatch")).to_contain_text("女方不在人口信息库中")
    expect(page.get_by_test_id("birth-order")).to_have_text("第2孩")
    page.get_by_role("button", name="核实无误，登记").click()
    expect(page.get_by_test_id("status")).to_have_text("已登记")
    certificate = page.get_by_test_id("certificate").inner_text()
    assert re.fullmatch(rf"620422-{date.today().year}-\d{{6}}", certificate)
    clerk.screenshot("registration-registered")

    with page.expect_download() as download_info:
        page.get_by_test_id("card-link").click()
    pdf_path = tmp_path / "card.pdf"
    download_info.value.save_as(pdf_path)
    text = PdfReader(pdf_path).pages[0].extract_text()
    for expected in (
        "生育登记服务卡",
        certificate,
        WIFE,
        HUSBAND,
        "会师镇",
        "第2个孩子",
        "现有共同子女 1个",
    ):
        assert expected in text, f"{expected!r} not in the card: {text!r}"
    assert WIFE_ID not in text  # masked on the card
    clerk.context.close()
    assert clerk.blocked == [] and clerk.console_errors == []

    # --- the citizen checks again
    again = OffNetworkPage(browser, famplan_server)
    assert "已登记" in _check_status(again, HUSBAND_ID, receipt.replace("-", "").lower())
    again.context.close()
    assert again.blocked == [] and again.console_errors == []
