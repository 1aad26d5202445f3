"""The standard report tables by theme: each its own counts and indicators by unit,
drilled down and exported with the theme kept; every column one the engine has."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from famplan.audit.models import AuditEntry
from famplan.indicators.indicators import INDICATORS
from famplan.indicators.measures import MEASURES
from famplan.indicators.selectors import REPORT_TABLES, TABLES_BY_CODE
from famplan.indicators.services import values_refresh

from .conftest import T1, V1, V2

REPORT = reverse("indicators:report")


@pytest.fixture
def refreshed(county2024, county_admin):
    return values_refresh(actor=county_admin, first_year=2024, last_year=2024)


def test_every_table_names_measures_and_indicators_the_engine_has():
    for table in REPORT_TABLES:
        assert set(table.measures) <= set(MEASURES), table.code
        assert set(table.indicators) <= set(INDICATORS), table.code
    assert not REPORT_TABLES[0].indicators  # the overview: every indicator


def test_each_table_shows_its_own_columns_and_keeps_the_theme_when_drilling_down(
    refreshed, county_client
):
    for table in REPORT_TABLES[1:]:
        response = county_client.get(REPORT, {"year": 2024, "table": table.code})
        assert response.status_code == 200
        report = response.context["report"]
        assert [i.code for i in report.indicators] == table.indicators
        assert len(report.total.counts) == len(table.measures)
        page = response.content.decode()
        assert f"2024年{table.title}" in page
        assert f"?unit={T1}&amp;year=2024&amp;table={table.code}" in page


def test_the_births_table_counts_what_the_overview_counts(refreshed, clerk_client):
    births = TABLES_BY_CODE["births"]
    response = clerk_client.get(REPORT, {"year": 2024, "table": "births"})
    rows = {row.unit.code: dict(zip(births.measures, row.counts, strict=True))
            for row in response.context["report"].rows}  # fmt: skip
    overview = clerk_client.get(REPORT, {"year": 2024}).context["report"]
    for row in overview.rows:
        assert rows[row.unit.code]["births"] == row.value("births")
    assert [rows[V1]["births"], rows[V2]["births"]] == [3, 1]


def test_an_unknown_table_shows_the_overview(refreshed, clerk_client):
    response = clerk_client.get(REPORT, {"year": 2024, "table": "<script>"})
    assert response.status_code == 200
    assert response.context["table"] is REPORT_TABLES[0]


def test_it_exports_a_table_under_its_own_title_and_audits_which(refreshed, clerk_client):
    url = reverse("indicators:report_export", args=[T1])
    response = clerk_client.get(url, {"year": 2024, "table": "services"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "2024年计生服务覆盖情况"
    header = [c.value for c in next(sheet.iter_rows())]
    assert header[:4] == ["单位", "区划代码", "生育登记(件)", "孕前优生检查目标(对)"]
    coverage = INDICATORS["prepregnancy_check_coverage"].label
    assert any(str(h).startswith(coverage) for h in header)
    assert "出生人数" not in header
    entry = AuditEntry.objects.get(action="indicators.report.exported")
    assert entry.detail["table"] == "services"
