"""A mother applies for 育儿补贴 on the citizen page (no account) with her bank
account; she sees only a receipt and later the status; the township clerk sees the
application's state on the newborn's 出生一件事 checklist."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from famplan.demo.users import DEMO_PASSWORD
from tests.browser.conftest import OffNetworkPage, log_in, run_in_server_db

pytestmark = pytest.mark.browser

# A newborn of 会师镇 (the demo clerk's township) whose parents and child have ID
# numbers, with no subsidy application yet.
FIND_FAMILY = """
import json
from datetime import timedelta
from famplan.benefits.models import Application
from famplan.common.dates import today
from famplan.registry.models import Birth
applied = Application.objects.values("person_id")
birth = (
    Birth.objects.filter(unit__code__startswith="620422100",
                         born_on__gte=today() - timedelta(days=300))
    .exclude(child__id_number=None).exclude(mother__id_number=None)
    .exclude(child_id__in=applied).select_related("child", "mother").order_by("-born_on").first()
)
print(json.dumps({"birth": birth.pk, "child": birth.child.name, "child_id": birth.child.id_number,
                  "mother": birth.mother.name, "mother_id": birth.mother.id_number}))
"""


def test_a_mother_applies_online_and_the_checklist_shows_it(
    browser, famplan_server, famplan_server_env
):
    family = json.loads(run_in_server_db(famplan_server_env, FIND_FAMILY))

    citizen = OffNetworkPage(browser, famplan_server)
    page = citizen.page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/benefits/public/apply/")
    page.get_by_label("申请人（父亲或母亲）姓名").fill(family["mother"])
    page.get_by_label("申请人身份证号").fill(family["mother_id"])
    page.get_by_label("婴幼儿身份证号或出生医学证明编号").fill(family["child_id"])
    page.get_by_label("银行账户户名").fill(family["mother"])
    page.get_by_label("开户银行").fill("甘肃会宁农村商业银行")
    page.get_by_label("银行账号").fill("6228 4800 1234 5678 901")
    page.get_by_role("button", name="提交申请").click()
    receipt = page.get_by_test_id("receipt").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", receipt)
    assert family["child"] not in page.content()
    citizen.screenshot("subsidy-online-submitted-phone")

    page.goto("/benefits/public/status/")
    page.get_by_label("申请人身份证号").fill(family["mother_id"])
    page.get_by_label("回执号").fill(receipt)
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("status-result")).to_contain_text("已受理")
    citizen.context.close()
    assert citizen.blocked == [] and citizen.console_errors == []

    clerk = OffNetworkPage(browser, famplan_server)
    log_in(clerk, "township_clerk", DEMO_PASSWORD)
    clerk.page.goto(f"/registration/births/{family['birth']}/")
    line = clerk.page.locator("tr", has_text="育儿补贴申请")
    expect(line).to_contain_text(receipt)
    expect(line).to_contain_text("已受理")
    expect(line).to_contain_text("网上申请")
    clerk.context.close()
    assert clerk.blocked == [] and clerk.console_errors == []
