"""Issue 7 item 9, end to end: a spouse registers online on the public page (no
account); the township clerk finds it in the verification queue and registers it; the
card PDF downloads and its text is Chinese and correct; a pre-pregnancy check's
early-pregnancy follow-up falls due and the village worker closes it on a phone
(390 px wide)."""

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

WIFE, HUSBAND = "流程芳", "流程伟"
# Issued in Lanzhou (620102), sequences no other browser test uses: not in the demo.
WIFE_ID = make_id_number("620102", date(1996, 3, 9), 451, "F")
HUSBAND_ID = make_id_number("620102", date(1995, 11, 2), 452, "M")
PHONE = {"width": 390, "height": 844}
VILLAGE = "620422100001"  # the demo village worker's village (first of 会师镇)
MIN_TOUCH = 44  # px


def _closed(tab: OffNetworkPage) -> None:
    tab.context.close()
    assert tab.blocked == [], f"pages tried to reach other hosts: {tab.blocked}"
    assert tab.console_errors == [], f"browser console errors: {tab.console_errors}"


def _fits_the_phone(tab: OffNetworkPage) -> None:
    width = tab.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways: {width} px wide"


def _status(tab: OffNetworkPage, id_number: str, receipt: str) -> str:
    page = tab.page
    page.goto("/registration/public/status/")
    page.get_by_label("身份证号（夫妻任一方）").fill(id_number)
    page.get_by_label("回执号").fill(receipt)
    page.get_by_role("button", name="查询").click()
    return page.get_by_test_id("status-result").inner_text()


def _register_online(browser: object, base_url: str) -> str:
    """The wife applies on the public page; the receipt number she is shown."""
    citizen = OffNetworkPage(browser, base_url)
    page = citizen.page
    page.goto("/registration/public/apply/")
    page.get_by_label("办理乡镇(街道)").select_option(label="会师镇")
    page.get_by_label("女方", exact=True).check()
    for prefix, label, name, id_number in (
        ("wife", "女方", WIFE, WIFE_ID),
        ("husband", "男方", HUSBAND, HUSBAND_ID),
    ):
        page.get_by_label(f"{label}姓名").fill(name)
        page.get_by_label(f"{label}身份证号").fill(id_number)
        page.locator(f"#id_{prefix}_hukou_unit").select_option(VILLAGE)
        page.locator(f"#id_{prefix}_residence_unit").select_option(VILLAGE)
    page.get_by_label("结婚日期").fill("2021-10-01")
    page.get_by_label("预产期或出生日期").fill((date.today() + timedelta(days=90)).isoformat())
    page.get_by_label("联系电话").fill("139 0000 4510")
    page.get_by_role("button", name="提交申请").click()
    receipt = page.get_by_test_id("receipt").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", receipt)
    assert "待核实" in _status(citizen, WIFE_ID, receipt)
    _closed(citizen)
    return receipt


def _clerk_registers_and_prints(browser: object, base_url: str, receipt: str, tmp_path) -> None:
    clerk = OffNetworkPage(browser, base_url)
    page = clerk.page
    log_in(clerk, "township_clerk", DEMO_PASSWORD)
    page.get_by_role("link", name="生育登记").first.click()
    page.get_by_test_id("queue-link").click()
    table = page.get_by_test_id("registration-table")
    expect(table).to_contain_text(WIFE)
    table.get_by_role("link", name=receipt).click()
    expect(page.get_by_test_id("status")).to_have_text("待核实")
    expect(page.get_by_test_id("birth-order")).to_have_text("第1孩")
    page.get_by_role("button", name="核实无误，登记").click()
    expect(page.get_by_test_id("status")).to_have_text("已登记")
    certificate = page.get_by_test_id("certificate").inner_text()
    assert re.fullmatch(rf"620422-{date.today().year}-\d{{6}}", certificate)

    with page.expect_download() as download_info:
        page.get_by_test_id("card-link").click()
    pdf_path = tmp_path / "card.pdf"
    download_info.value.save_as(pdf_path)
    text = PdfReader(pdf_path).pages[0].extract_text()
    for expected in ("生育登记服务卡", certificate, WIFE, HUSBAND, "会师镇", "第1个孩子"):
        assert expected in text, f"{expected!r} not in the card: {text!r}"
    assert WIFE_ID not in text and HUSBAND_ID not in text  # masked on the card
    _closed(clerk)


def _a_follow_up_falls_due(browser: object, base_url: str, checked_on: date) -> str:
    """The clerk records a check dated `checked_on` for a wife of the worker's village;
    the wife's name."""
    clerk = OffNetworkPage(browser, base_url)
    page = clerk.page
    log_in(clerk, "township_clerk", DEMO_PASSWORD)
    page.goto(f"/health/checks/?unit={VILLAGE}")
    # The last wife listed: the phone test takes the first, on another date.
    wife = page.get_by_test_id("check-table").locator("tbody tr td:nth-child(2)").last
    wife_name = wife.inner_text().splitlines()[0].strip()
    page.goto("/health/checks/new/")
    page.get_by_label("女方姓名").fill(wife_name)
    page.get_by_label("女方所在村(居)").select_option(VILLAGE)
    page.get_by_label("检查日期").fill(checked_on.isoformat())
    page.get_by_label("检查机构").fill("会宁县妇幼保健院")
    page.get_by_label("低风险").check()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert").first).to_contain_text("已登记孕前优生健康检查")
    expect(page.get_by_test_id("followup-early")).to_contain_text("到期")
    _closed(clerk)
    return wife_name


def _worker_closes_it_on_a_phone(
    browser: object, base_url: str, wife_name: str, checked_on: date
) -> None:
    worker = OffNetworkPage(browser, base_url)
    worker.page.set_viewport_size(PHONE)
    page = worker.page
    log_in(worker, "village_worker", DEMO_PASSWORD)
    page.goto("/health/followups/?state=due&kind=early")
    _fits_the_phone(worker)
    item = (
        page.get_by_test_id("worklist-item")
        .filter(has_text=wife_name)
        .filter(has_text=f"检查于 {checked_on:%Y-%m-%d}")
    )
    expect(item).to_have_count(1)
    assert item.bounding_box()["height"] >= MIN_TOUCH
    item.click()
    expect(page).to_have_url(re.compile(r"/health/followups/\d+/$"))
    expect(page.get_by_test_id("followup-state")).to_have_text("到期")
    _fits_the_phone(worker)
    choice = page.locator("label.hl-choice", has_text="未怀孕")
    assert choice.bounding_box()["height"] >= MIN_TOUCH
    choice.click()
    save = page.get_by_role("button", name="保存随访结果")
    assert save.bounding_box()["height"] >= MIN_TOUCH
    save.click()
    expect(page).to_have_url(re.compile(r"/health/followups/$"))
    expect(page.get_by_role("alert").first).to_contain_text("已登记早孕随访结果")
    page.goto("/health/followups/?state=due&kind=early")
    expect(
        page.get_by_test_id("worklist-item")
        .filter(has_text=wife_name)
        .filter(has_text=f"检查于 {checked_on:%Y-%m-%d}")
    ).to_have_count(0)
    worker.screenshot("birth-services-flow-followup-closed-phone")
    _closed(worker)


def test_it_registers_online_prints_the_card_and_closes_a_follow_up_on_a_phone(
    browser, famplan_server, tmp_path
):
    receipt = _register_online(browser, famplan_server)
    _clerk_registers_and_prints(browser, famplan_server, receipt, tmp_path)

    again = OffNetworkPage(browser, famplan_server)
    assert "已登记" in _status(again, HUSBAND_ID, receipt)
    _closed(again)

    checked_on = date.today() - timedelta(days=41)
    wife_name = _a_follow_up_falls_due(browser, famplan_server, checked_on)
    _worker_closes_it_on_a_phone(browser, famplan_server, wife_name, checked_on)
