"""A township's own scheme for its villages (乡镇对村考核): made, published and scored by
the township, every village checked (no draw), villages ranked; a township never writes
in the county's scheme that assesses it, nor sees another township's."""

from __future__ import annotations

from decimal import Decimal

import pytest

from famplan.assessment import selectors, services
from famplan.assessment.models import ItemKind, Part, Rule
from famplan.assessment.services import AssessmentError
from famplan.orgunits.models import OrgUnit
from tests.assessment.conftest import EXTRA_VILLAGE, TOWNSHIP, YEAR, values_for_both_parts
from tests.conftest import client_for

VILLAGE, VILLAGE_2 = "620422100001", "620422100201"
OTHER_VILLAGE = "620422101201"


@pytest.fixture
def township_scheme(township_clerk, extra_village):
    scheme = services.scheme_create(
        actor=township_clerk,
        unit=OrgUnit.objects.get(code=TOWNSHIP),
        year=YEAR,
        title="会师镇2026年度村级考核",
    )
    services.item_add(
        actor=township_clerk, scheme=scheme, name="免费药具可及率", kind=ItemKind.INDICATOR,
        indicator="supply_availability_rate", points=Decimal(60), rule=Rule.PROPORTIONAL,
    )  # fmt: skip
    manual = services.item_add(
        actor=township_clerk, scheme=scheme, name="台账规范", kind=ItemKind.MANUAL,
        points=Decimal(40),
    )  # fmt: skip
    return scheme, manual


def test_the_township_publishes_and_checks_every_village(township_clerk, township_scheme):
    scheme, manual = township_scheme
    assert scheme.by_township and scheme.assessed_label == "村(居)"
    services.scheme_publish(actor=township_clerk, scheme=scheme)
    scheme.refresh_from_db()
    villages = set(scheme.samples.values_list("village_id", flat=True))
    assert villages == {VILLAGE, VILLAGE_2, EXTRA_VILLAGE}  # all of them, no draw
    for code, points in ((VILLAGE, "30"), (VILLAGE_2, "36")):
        services.field_scores_record(
            actor=township_clerk, scheme=scheme, village=OrgUnit.objects.get(code=code),
            scores={(manual.pk, Part.HALF): (points, ""), (manual.pk, Part.YEAR): (points, "")},
        )  # fmt: skip
    values = {"supply_points_active": 10, "supply_points_with_stock": 10}
    for code in (VILLAGE, VILLAGE_2, EXTRA_VILLAGE):
        values_for_both_parts(code, values)
    results = {r.township.code: r for r in selectors.scheme_results(scheme)}
    assert set(results) == {VILLAGE, VILLAGE_2, EXTRA_VILLAGE}
    assert results[VILLAGE_2].rank == 1 and results[VILLAGE].rank == 2
    assert results[EXTRA_VILLAGE].rank == 3
    manual_score = results[VILLAGE].scores[Part.YEAR][1]
    assert (manual_score.points, manual_score.reason) == (Decimal("30.0"), "实地核查得分30")
    missing = results[EXTRA_VILLAGE].scores[Part.YEAR][1]
    assert (missing.points, missing.reason) == (Decimal(0), "未录入核查得分")


def test_a_veto_names_a_village_of_the_township(township_clerk, township_scheme):
    scheme, _ = township_scheme
    services.scheme_publish(actor=township_clerk, scheme=scheme)
    scheme.refresh_from_db()
    with pytest.raises(AssessmentError, match="请选择本乡镇的村\\(居\\)"):
        services.veto_record(
            actor=township_clerk, scheme=scheme, township=OrgUnit.objects.get(code=TOWNSHIP),
            reason="falsified", evidence="x",
        )  # fmt: skip
    services.veto_record(
        actor=township_clerk, scheme=scheme, township=OrgUnit.objects.get(code=VILLAGE),
        reason="falsified", evidence="虚报台账",
    )  # fmt: skip
    results = {r.township.code: r for r in selectors.scheme_results(scheme)}
    assert results[VILLAGE].veto is not None and results[VILLAGE].rank is None


def test_a_township_never_writes_in_the_county_scheme(published, township_clerk):
    scheme = published.scheme
    village = scheme.samples.filter(township_id=TOWNSHIP).first().village
    with pytest.raises(AssessmentError, match="该考核方案由会宁县管理"):
        services.field_scores_record(
            actor=township_clerk, scheme=scheme, village=village,
            scores={(published.publicity.pk, Part.HALF): ("20", "")},
        )  # fmt: skip
    with pytest.raises(AssessmentError, match="该考核方案由会宁县管理"):
        services.veto_record(
            actor=township_clerk, scheme=scheme, township=OrgUnit.objects.get(code="620422101"),
            reason="falsified", evidence="x",
        )  # fmt: skip


def test_who_sees_the_township_scheme(
    township_clerk, township_scheme, other_clerk, village_worker, county_admin
):
    scheme, _ = township_scheme
    # a draft: the township and the county that oversees it, nobody below or beside
    assert scheme in selectors.schemes_for_user(township_clerk)
    assert scheme in selectors.schemes_for_user(county_admin)
    assert scheme not in selectors.schemes_for_user(village_worker)
    assert scheme not in selectors.schemes_for_user(other_clerk)
    with pytest.raises(AssessmentError, match="该考核方案由会师镇管理"):
        services.item_add(
            actor=other_clerk, scheme=scheme, name="x", kind=ItemKind.MANUAL, points=Decimal(1)
        )
    services.scheme_publish(actor=township_clerk, scheme=scheme)
    scheme.refresh_from_db()
    assert scheme in selectors.schemes_for_user(village_worker)
    assert scheme not in selectors.schemes_for_user(other_clerk)
    # the village sees its own row of the ranking, the township every village's
    assert [r.township.code for r in selectors.results_for_user(village_worker, scheme)] == [
        VILLAGE
    ]
    assert len(selectors.results_for_user(township_clerk, scheme)) == 3


def test_the_township_makes_its_scheme_from_the_pages(township_clerk, extra_village):
    client = client_for(township_clerk)
    response = client.post(
        "/assessment/new/",
        {"year": YEAR, "title": "村级考核", "half_weight": 30, "veto_effect": "no_rank"},
    )
    assert response.status_code == 302
    scheme = selectors.schemes_for_user(township_clerk).get(title="村级考核")
    assert scheme.unit_id == TOWNSHIP
    page = client.get(f"/assessment/{scheme.pk}/").content.decode()
    assert 'data-testid="item-form"' in page and "本乡镇每个村(居)都列为核查对象" in page
    bulletin = client.get(f"/assessment/{scheme.pk}/bulletin/").content.decode()
    assert "<th>村(居)</th>" in bulletin


def test_a_township_page_has_no_way_to_edit_the_county_scheme(published, township_clerk):
    client = client_for(township_clerk)
    scheme = published.scheme
    page = client.get(f"/assessment/{scheme.pk}/").content.decode()
    assert 'data-testid="veto-form"' not in page
    response = client.post(f"/assessment/{scheme.pk}/vetoes/new/", {"township": "620422101"})
    assert response.status_code == 404
    village = scheme.samples.filter(township_id=TOWNSHIP).first().village_id
    response = client.post(
        f"/assessment/{scheme.pk}/samples/{village}/",
        {f"score_{published.publicity.pk}_half": "20"},
    )
    assert response.status_code == 403


@pytest.mark.jurisdiction("assessment:item_edit")
def test_an_item_of_a_draft_is_edited_in_place(township_clerk, township_scheme, other_clerk):
    from famplan.audit.models import AuditEntry

    scheme, manual = township_scheme
    client = client_for(township_clerk)
    edit = f"/assessment/{scheme.pk}/items/{manual.pk}/edit/"
    assert 'value="台账规范"' in client.get(edit).content.decode()
    form = {"name": "台账规范", "kind": "manual", "points": "50", "criteria": "查台账"}
    page = client.post(edit, form).content.decode()
    assert "各考核项目分值合计不能超过100分（已有60.0分，本项50分）" in page
    page = client.post(edit, {**form, "name": "结扎台账"}).content.decode()
    assert "考核项目不得涉及“结扎”" in page
    response = client.post(edit, {**form, "points": "40", "name": "台账与个案信息"})
    assert response.status_code == 302
    manual.refresh_from_db()
    assert (manual.name, manual.criteria) == ("台账与个案信息", "查台账")
    row = AuditEntry.objects.get(action="assessment.item.updated")
    assert row.detail["changed"]["name"] == ["台账规范", "台账与个案信息"]
    assert client_for(other_clerk).get(edit).status_code == 404
    services.scheme_publish(actor=township_clerk, scheme=scheme)
    page = client.post(edit, form).content.decode()
    assert "方案已发布，不能再修改考核项目" in page
