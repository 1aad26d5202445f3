"""A division import started from the browser runs as a background job: the page polls
its progress bar until the worker (started by `famplan serve`) finishes it, and a bad
file ends with a downloadable error report."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from python_calamine import CalamineWorkbook

from famplan.demo.users import DEMO_PASSWORD
from tests.browser.conftest import OffNetworkPage, log_in

pytestmark = pytest.mark.browser

GOOD = "code,name,level,parent_code\n620422100990,浏览器测试村,village,620422100\n"
# Line 2: a village code of the wrong length; line 3: a village whose township is missing.
BAD = (
    "code,name,level,parent_code\n"
    "62042210099,短代码村,village,620422100\n"
    "620422999001,无上级村,village,620422999\n"
)


def _import(tab: OffNetworkPage, tmp_path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    tab.page.goto("/units/import/")
    tab.page.locator("input[type=file]").set_input_files(str(path))
    tab.page.get_by_role("button", name="开始导入").click()
    expect(tab.page).to_have_url(re.compile(r"/jobs/[0-9a-f-]{36}/$"))


def test_it_runs_a_good_import_as_a_job_to_the_end(off_network: OffNetworkPage, tmp_path):
    log_in(off_network, "county_admin", DEMO_PASSWORD)
    _import(off_network, tmp_path, "good.csv", GOOD)
    progress = off_network.page.get_by_test_id("job-progress")
    # The fragment polls until the worker has run the job.
    expect(progress).to_have_attribute("data-status", "succeeded", timeout=30_000)
    expect(progress).to_contain_text("100%")
    off_network.page.goto("/units/620422100/")
    expect(off_network.page.get_by_test_id("children")).to_contain_text("浏览器测试村")


def test_it_ends_a_bad_import_with_an_error_report(off_network: OffNetworkPage, tmp_path):
    page = off_network.page
    log_in(off_network, "county_admin", DEMO_PASSWORD)
    _import(off_network, tmp_path, "bad.csv", BAD)
    progress = page.get_by_test_id("job-progress")
    expect(progress).to_have_attribute("data-status", "failed", timeout=30_000)
    expect(progress.get_by_role("alert")).to_be_visible()
    off_network.screenshot("job-failed")

    with page.expect_download() as download_info:
        progress.get_by_role("link", name="下载错误报告").click()
    report = tmp_path / "report.xlsx"
    download_info.value.save_as(report)
    rows = CalamineWorkbook.from_path(str(report)).get_sheet_by_index(0).to_python()
    text = "\n".join(" ".join(str(cell) for cell in row) for row in rows)
    assert "62042210099" in text and "620422999001" in text
    # Nothing of the bad file was written.
    page.goto("/units/620422100/")
    expect(page.get_by_test_id("children")).not_to_contain_text("短代码村")
