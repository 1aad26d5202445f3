"""The assessment pages: who sees what, refusals on the forms, the bulletin's exports."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from famplan.assessment import services
from famplan.assessment.models import FieldScore, Item, Part, Scheme, Veto
from famplan.audit.models import AuditEntry
from famplan.orgunits.models import Level, OrgUnit
from tests.assessment.conftest import EXTRA_VILLAGE, OTHER_TOWNSHIP, TOWNSHIP, sampled
from tests.conftest import client_for


def url(name: str, *args) -> str:
    return reverse(f"assessment:{name}", args=args)


@pytest.fixture
def other_county_scheme(units) -> Scheme:
    from tests.conftest import make_user

    county = OrgUnit.objects.create(code="620423", name="景泰县", level=Level.COUNTY)
    admin = make_user("jingtai_admin", "620423", "county_admin")
    return services.scheme_create(actor=admin, unit=county, year=2026, title="景泰县方案")


def _not_sampled(scheme: Scheme) -> str:
    villages = {"620422100001", "620422100201", EXTRA_VILLAGE}
    return sorted(villages - set(sampled(scheme, TOWNSHIP)))[0]


# --- jurisdiction ----------------------------------------------------------------------


@pytest.mark.jurisdiction("assessment:scheme_list", "assessment:scheme_detail")
def test_it_lists_only_the_users_countys_schemes(published, other_county_scheme, clerk_client):
    page = clerk_client.get(url("scheme_list"))
    assert published.scheme.title in page.content.decode()
    assert "景泰县方案" not in page.content.decode()
    assert clerk_client.get(url("scheme_detail", other_county_scheme.pk)).status_code == 404
    assert clerk_client.get(url("scheme_detail", published.scheme.pk)).status_code == 200


def test_a_township_never_sees_a_draft(draft, clerk_client, county_client):
    assert clerk_client.get(url("scheme_detail", draft.scheme.pk)).status_code == 404
    assert county_client.get(url("scheme_detail", draft.scheme.pk)).status_code == 200


@pytest.mark.jurisdiction("assessment:township_result", "assessment:bulletin")
def test_a_township_sees_its_own_result_only(published, clerk_client, other_client):
    ours = url("township_result", published.scheme.pk, TOWNSHIP)
    assert clerk_client.get(ours).status_code == 200
    assert other_client.get(ours).status_code == 404
    page = other_client.get(url("bulletin", published.scheme.pk)).content.decode()
    assert "郭城驿镇" in page
    assert "会师镇" not in page


@pytest.mark.jurisdiction("assessment:sample_scores")
def test_a_township_sees_only_its_own_sample_villages(published, clerk_client, other_client):
    village = sampled(published.scheme, TOWNSHIP)[0]
    page = url("sample_scores", published.scheme.pk, village)
    assert clerk_client.get(page).status_code == 200
    assert other_client.get(page).status_code == 404
    detail = other_client.get(url("scheme_detail", published.scheme.pk)).content.decode()
    assert OrgUnit.objects.get(code=village).name not in detail


@pytest.mark.jurisdiction("assessment:bulletin_pdf", "assessment:bulletin_xlsx")
def test_the_exports_hold_only_the_users_townships(published, other_client):
    xlsx = other_client.get(url("bulletin_xlsx", published.scheme.pk))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    townships = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert townships == {"郭城驿镇"}
    pdf = other_client.get(url("bulletin_pdf", published.scheme.pk))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "郭城驿镇" in text
    assert "会师镇" not in text


@pytest.mark.jurisdiction(
    "assessment:scheme_create",
    "assessment:item_add",
    "assessment:item_delete",
    "assessment:scheme_publish",
    "assessment:veto_create",
)
def test_only_the_county_edits_its_own_scheme(
    draft, other_county_scheme, clerk_client, county_client, auditor
):
    scheme = draft.scheme
    auditor_client = client_for(auditor)
    assert auditor_client.get(url("scheme_create")).status_code == 403
    assert auditor_client.post(url("scheme_publish", scheme.pk)).status_code == 403
    assert auditor_client.post(url("item_delete", scheme.pk, draft.ledgers.pk)).status_code == 403
    assert auditor_client.post(url("item_add", scheme.pk), {}).status_code == 403
    assert auditor_client.post(url("veto_create", scheme.pk), {}).status_code == 403
    # A township manages its own scheme for its villages, never the county's that
    # assesses it (a draft it cannot even see).
    assert clerk_client.get(url("scheme_create")).status_code == 200
    assert clerk_client.post(url("scheme_publish", scheme.pk)).status_code == 404
    assert clerk_client.post(url("item_delete", scheme.pk, draft.ledgers.pk)).status_code == 404
    assert clerk_client.post(url("item_add", scheme.pk), {}).status_code == 404
    assert clerk_client.post(url("veto_create", scheme.pk), {}).status_code == 404
    # A scheme of another county is not the county admin's to edit (it is outside 620422).
    other = other_county_scheme.pk
    assert county_client.post(url("scheme_publish", other)).status_code == 404
    assert county_client.post(url("veto_create", other), {}).status_code == 404
    assert county_client.post(url("item_add", other), {}).status_code == 404
    assert county_client.post(url("item_delete", scheme.pk, 999999)).status_code == 404
    assert Item.objects.filter(pk=draft.ledgers.pk).exists()


# --- the county's pages ----------------------------------------------------------------


def test_it_creates_a_scheme_from_the_form(units, county_client):
    response = county_client.post(
        url("scheme_create"),
        {"year": 2027, "title": "", "half_weight": 30, "veto_effect": "no_rank", "seed": ""},
    )
    scheme = Scheme.objects.get(year=2027)
    assert response.url == url("scheme_detail", scheme.pk)
    assert scheme.title == "2027年度目标管理责任制考核方案"
    again = county_client.post(
        url("scheme_create"), {"year": 2027, "half_weight": 130, "veto_effect": "no_rank"}
    )
    assert "半年考核权重应在0到100之间" in again.content.decode()


def test_it_refuses_an_item_over_100_points_on_the_form(draft, county_client):
    response = county_client.post(
        url("item_add", draft.scheme.pk), {"name": "群众满意度", "kind": "manual", "points": "5"}
    )
    assert response.status_code == 400
    assert "各考核项目分值合计不能超过100分" in response.content.decode()


def test_it_publishes_and_then_refuses_edits(draft, county_client):
    county_client.post(url("scheme_publish", draft.scheme.pk))
    draft.scheme.refresh_from_db()
    assert draft.scheme.is_published
    response = county_client.post(
        url("item_delete", draft.scheme.pk, draft.ledgers.pk), follow=True
    )
    assert "方案已发布，不能再修改考核项目" in response.content.decode()
    page = county_client.get(url("scheme_detail", draft.scheme.pk)).content.decode()
    assert str(draft.scheme.seed) in page
    assert 'data-testid="item-form"' not in page


def test_it_refuses_to_publish_below_100_points(draft, county_client, county_admin):
    services.item_delete(actor=county_admin, item=draft.ledgers)
    response = county_client.post(url("scheme_publish", draft.scheme.pk), follow=True)
    assert "各考核项目分值合计应为100分，现为80.0分" in response.content.decode()


def test_it_enters_sample_scores_and_names_the_inspector(published, county_client, county_admin):
    village = sampled(published.scheme, TOWNSHIP)[0]
    page = url("sample_scores", published.scheme.pk, village)
    field = f"score_{published.publicity.pk}_{Part.HALF}"
    response = county_client.post(
        page, {field: "18.5", f"note_{published.publicity.pk}_half": "好"}
    )
    assert response.status_code == 302
    score = FieldScore.objects.get()
    assert (score.score, score.inspector) == (Decimal("18.5"), county_admin)
    over = county_client.post(page, {field: "25"})
    assert over.status_code == 400
    assert "宣传服务到户（半年考核）：得分应在0到20.0分之间" in over.content.decode()
    FieldScore.objects.get(score=Decimal("18.5"))


def test_it_refuses_scores_for_a_village_not_sampled(published, county_client):
    page = url("sample_scores", published.scheme.pk, _not_sampled(published.scheme))
    shown = county_client.get(page).content.decode()
    assert "不是本方案的抽样村" in shown
    response = county_client.post(page, {f"score_{published.publicity.pk}_half": "18"})
    assert response.status_code == 400
    assert "不是本方案的抽样村，不能录入核查得分" in response.content.decode()
    assert not FieldScore.objects.exists()


def test_a_township_and_an_auditor_only_read_scores(published, clerk_client, auditor):
    village = sampled(published.scheme, TOWNSHIP)[0]
    page = url("sample_scores", published.scheme.pk, village)
    field = {f"score_{published.publicity.pk}_half": "18"}
    assert clerk_client.post(page, field).status_code == 403
    assert client_for(auditor).post(page, field).status_code == 403
    assert client_for(auditor).get(page).status_code == 200


def test_it_records_a_veto_from_the_form(published, county_client):
    township = OrgUnit.objects.get(code=OTHER_TOWNSHIP)
    empty = county_client.post(
        url("veto_create", published.scheme.pk), {"township": township.pk, "reason": "falsified"}
    )
    assert "请写明否决的事实与依据" in empty.content.decode()
    county_client.post(
        url("veto_create", published.scheme.pk),
        {"township": township.pk, "reason": "falsified", "evidence": "虚报随访记录"},
    )
    assert Veto.objects.get().township == township
    page = county_client.get(url("bulletin", published.scheme.pk)).content.decode()
    assert "统计数据弄虚作假" in page


def test_the_scheme_list_filters_and_pages(units, county_admin, county_client):
    county = OrgUnit.objects.get(code="620422")
    for year in range(2000, 2025):
        services.scheme_create(actor=county_admin, unit=county, year=year, title=f"{year}方案")
    first = county_client.get(url("scheme_list")).content.decode()
    assert "第 1 / 2 页" in first
    filtered = county_client.get(url("scheme_list"), {"year": 2010}).content.decode()
    assert "2010方案" in filtered
    assert "2011方案" not in filtered
    bad = county_client.get(url("scheme_list"), {"year": "abc"}).content.decode()
    assert "年度：请输入四位年份" in bad


# --- the bulletin ----------------------------------------------------------------------


def test_the_pdf_bulletin_ranks_and_explains_and_is_audited(published, county_client):
    response = county_client.get(url("bulletin_pdf", published.scheme.pk))
    assert response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    text = "".join(p.extract_text() for p in pages).replace("\n", "")
    assert "关于2026年度目标管理责任制考核结果的通报" in text
    assert "会师镇" in text
    assert "郭城驿镇" in text
    assert "按完成比例" in text
    entry = AuditEntry.objects.get(action="assessment.bulletin.exported")
    assert entry.detail == {"format": "pdf", "rows": 2}


def test_the_xlsx_bulletin_explains_every_item_and_is_audited(published, county_client):
    response = county_client.get(url("bulletin_xlsx", published.scheme.pk))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("名次", "乡镇", "总分")
    assert len(rows) == 1 + 2 * 4 * 2  # townships x items x parts
    supplies = [r for r in rows if r[1] == "郭城驿镇" and r[6] == "免费药具可及率"]
    assert supplies[0][9] == "90.0%"
    assert "按完成比例" in supplies[0][12]
    entry = AuditEntry.objects.get(action="assessment.bulletin.exported")
    assert entry.detail["rows"] == 16


def test_the_township_page_explains_each_item(published, clerk_client):
    page = clerk_client.get(url("township_result", published.scheme.pk, TOWNSHIP)).content.decode()
    assert "实际值95.0%，达到目标，得满分" in page
    assert "≥95%" in page


def test_the_bulletin_page_reads_a_fixed_number_of_queries(
    published, county_client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20):
        page = county_client.get(url("bulletin", published.scheme.pk))
    assert page.status_code == 200
