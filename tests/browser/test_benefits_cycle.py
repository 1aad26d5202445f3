"""One benefit cycle in the browser through the county, a village and its township:
the county opens the rural reward cycle and lists candidates, the village worker
reviews her people (with the policy attestation) and publishes the notice, whose PDF
has masked ID numbers; after the notice period the township reviews; the county
approves and freezes the roster.

Setup steps run against the server's database in a subprocess: a qualifying family in
the worker's village, the other villages' lists as already reviewed (their own workers'
work, not this test's), and the notice period passing (the server's clock cannot move)."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from famplan.demo.users import DEMO_PASSWORD
from tests.browser.conftest import OffNetworkPage, log_in, run_in_server_db

pytestmark = pytest.mark.browser

FAMILY = """
from datetime import date
from famplan.accounts.models import User
from famplan.registry.models import Birth, Marriage, Person
village = User.objects.get(username="village_worker").org_unit_id
def person(name, sex, born):
    return Person.objects.create(unit_id=village, name=name, sex=sex, birth_date=born,
        hukou_type="rural", registered_on=born)
father = person("扶助父", "M", date(1955, 3, 1))
mother = person("扶助母", "F", date(1957, 4, 1))
child = person("扶助女", "F", date(1985, 6, 1))
Marriage.objects.create(unit_id=village, husband=father, wife=mother,
    married_on=date(1980, 1, 1), kind="first")
Birth.objects.create(unit_id=village, child=child, mother=mother, father=father,
    born_on=child.birth_date, sex="F", birth_order=1, place_type="home")
print(village)
"""

OTHERS_REVIEWED = """
from famplan.accounts.models import User
from famplan.benefits.models import Entry
village = User.objects.get(username="village_worker").org_unit_id
print(Entry.objects.exclude(unit_id=village).update(status="township_ok"))
"""

NOTICE_PASSED = """
from datetime import timedelta
from famplan.benefits.models import Notice
for n in Notice.objects.all():
    n.starts_on -= timedelta(days=8); n.ends_on -= timedelta(days=8); n.save()
"""


def accept_confirms(tab: OffNetworkPage) -> None:
    tab.page.on("dialog", lambda dialog: dialog.accept())


def test_it_runs_a_cycle_through_village_township_and_county(
    browser, famplan_server, famplan_server_env
):
    village = run_in_server_db(famplan_server_env, FAMILY).strip()
    # --- the county opens the cycle and lists the candidates
    county = OffNetworkPage(browser, famplan_server)
    accept_confirms(county)
    log_in(county, "county_admin", DEMO_PASSWORD)
    page = county.page
    page.goto("/benefits/")
    page.get_by_label("项目").select_option(label="农村部分计划生育家庭奖励扶助")
    page.get_by_label("年度").fill("2026")
    page.get_by_role("button", name="开启周期").click()
    expect(page.get_by_test_id("cycle-status")).to_have_text("已开启")
    cycle_url = page.url
    page.get_by_role("button", name="生成候选名单").click()
    expect(page.get_by_test_id("cycle-status")).to_have_text("审核中")
    run_in_server_db(famplan_server_env, OTHERS_REVIEWED)

    # --- the village worker reviews her people and publishes the notice
    worker = OffNetworkPage(browser, famplan_server)
    accept_confirms(worker)
    log_in(worker, "village_worker", DEMO_PASSWORD)
    page = worker.page
    page.goto(cycle_url + "?status=candidate")
    names = page.get_by_test_id("entry-table").locator("tbody a").all_inner_texts()
    assert "扶助父" in names and "扶助母" in names
    for name in names:
        page.goto(cycle_url + "?status=candidate")
        page.get_by_test_id("entry-table").get_by_role("link", name=name, exact=True).first.click()
        page.get_by_label("已核实符合当时的计划生育政策").check()
        page.get_by_role("button", name="审核通过").click()
        expect(page.get_by_test_id("entry-status")).to_have_text("村级已审核")
    page.goto(cycle_url)
    page.get_by_role("button", name="发布公示").click()
    expect(page.get_by_text("已公示，公示期")).to_be_visible()
    pdf_href = page.get_by_role("link", name="打印公示名单").get_attribute("href")
    assert f"unit={village}" in pdf_href
    response = page.request.get(pdf_href)
    assert response.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert "扶助父" in text and "公示期" in text
    assert not re.search(r"\d{17}[\dX]", text)  # no full ID number in the notice

    # --- the notice period passes; the township reviews the village's list
    run_in_server_db(famplan_server_env, NOTICE_PASSED)
    clerk = OffNetworkPage(browser, famplan_server)
    log_in(clerk, "township_clerk", DEMO_PASSWORD)
    page = clerk.page
    page.goto(cycle_url + "?status=village_ok")
    names = page.get_by_test_id("entry-table").locator("tbody a").all_inner_texts()
    assert "扶助父" in names
    for name in names:
        page.goto(cycle_url + "?status=village_ok")
        page.get_by_test_id("entry-table").get_by_role("link", name=name, exact=True).first.click()
        page.get_by_test_id("township-form").get_by_role("button", name="审核通过").click()
        expect(page.get_by_test_id("entry-status")).to_have_text("乡镇已审核")

    # --- the county approves and freezes; the roster lists the family
    page = county.page
    page.goto(cycle_url)
    page.get_by_role("button", name="县级审批").click()
    expect(page.get_by_test_id("cycle-status")).to_have_text("县级已审批")
    page.get_by_role("button", name="冻结花名册").click()
    expect(page.get_by_test_id("cycle-status")).to_have_text("花名册已冻结")
    page.get_by_role("link", name="发放花名册").click()
    page.get_by_label("单位代码").fill(village)
    page.get_by_role("button", name="查询").click()
    table = page.get_by_test_id("roster-table")
    expect(table).to_contain_text("扶助父")
    expect(table).to_contain_text("960.00")
    for tab in (county, worker, clerk):
        tab.context.close()
        assert tab.blocked == [] and tab.console_errors == []
