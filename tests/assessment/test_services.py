"""Writing a scheme, publishing it, field-check scores and vetoes: the refusals in Chinese."""

from __future__ import annotations

from decimal import Decimal

import pytest

from famplan.assessment import services
from famplan.assessment.models import FieldScore, ItemKind, Part, SchemeStatus
from famplan.assessment.scoring import draw_sample
from famplan.assessment.services import AssessmentError
from famplan.audit.models import AuditEntry
from famplan.orgunits.models import OrgUnit
from tests.assessment.conftest import EXTRA_VILLAGE, OTHER_TOWNSHIP, TOWNSHIP, sampled


def test_it_refuses_to_publish_when_the_points_do_not_add_to_100(draft, county_admin):
    services.item_delete(actor=county_admin, item=draft.ledgers)
    with pytest.raises(AssessmentError, match=r"各考核项目分值合计应为100分，现为80\.0分"):
        services.scheme_publish(actor=county_admin, scheme=draft.scheme)
    draft.scheme.refresh_from_db()
    assert draft.scheme.status == SchemeStatus.DRAFT
    assert not draft.scheme.samples.exists()


def test_it_refuses_items_beyond_100_points(draft, county_admin):
    with pytest.raises(AssessmentError, match="不能超过100分") as caught:
        services.item_add(
            actor=county_admin,
            scheme=draft.scheme,
            name="群众满意度",
            kind=ItemKind.MANUAL,
            points=Decimal(5),
        )
    assert caught.value.field == "points"


@pytest.mark.parametrize("name", ["结扎完成率", "上环及时率", "政策外生育数", "社会抚养费征收"])
def test_it_refuses_coercive_items(draft, county_admin, name):
    services.item_delete(actor=county_admin, item=draft.ledgers)
    with pytest.raises(AssessmentError, match="考核项目不得涉及"):
        services.item_add(
            actor=county_admin,
            scheme=draft.scheme,
            name=name,
            kind=ItemKind.MANUAL,
            points=Decimal(20),
        )


def test_it_refuses_indicators_that_are_not_for_assessment(draft, county_admin):
    services.item_delete(actor=county_admin, item=draft.ledgers)
    for code in ("third_plus_share", "birth_rate"):
        with pytest.raises(AssessmentError, match="请选择可用于考核的指标"):
            services.item_add(
                actor=county_admin,
                scheme=draft.scheme,
                name="出生",
                kind=ItemKind.INDICATOR,
                indicator=code,
                rule="all",
                points=Decimal(20),
            )


def test_it_draws_the_samples_from_the_seed_when_published(published):
    scheme = published.scheme
    assert scheme.status == SchemeStatus.PUBLISHED
    villages = ["620422100001", "620422100201", EXTRA_VILLAGE]
    assert sampled(scheme, TOWNSHIP) == draw_sample(scheme.seed, TOWNSHIP, villages)
    assert len(sampled(scheme, TOWNSHIP)) == 2
    assert len(sampled(scheme, OTHER_TOWNSHIP)) == 2
    entry = AuditEntry.objects.get(action="assessment.scheme.published")
    assert entry.detail == {"seed": 20260101, "samples": 4}


def test_it_refuses_to_edit_a_published_scheme(published, county_admin):
    with pytest.raises(AssessmentError, match="方案已发布，不能再修改考核项目"):
        services.item_delete(actor=county_admin, item=published.ledgers)
    with pytest.raises(AssessmentError, match="方案已发布"):
        services.scheme_publish(actor=county_admin, scheme=published.scheme)


def test_it_records_the_inspector_with_each_score(published, county_admin):
    village = OrgUnit.objects.get(code=sampled(published.scheme, TOWNSHIP)[0])
    written = services.field_scores_record(
        actor=county_admin,
        scheme=published.scheme,
        village=village,
        scores={
            (published.publicity.pk, Part.HALF): ("18", "资料齐全"),
            (published.publicity.pk, Part.YEAR): ("", ""),
        },
    )
    assert written == 1
    score = FieldScore.objects.get()
    assert (score.score, score.inspector, score.note) == (Decimal(18), county_admin, "资料齐全")


def test_it_refuses_a_score_above_the_items_points_and_writes_nothing(published, county_admin):
    village = OrgUnit.objects.get(code=sampled(published.scheme, TOWNSHIP)[0])
    with pytest.raises(
        AssessmentError, match=r"台账与个案信息准确（年终考核）：得分应在0到20.0分之间"
    ):
        services.field_scores_record(
            actor=county_admin,
            scheme=published.scheme,
            village=village,
            scores={
                (published.publicity.pk, Part.YEAR): ("18", ""),
                (published.ledgers.pk, Part.YEAR): ("21", ""),
            },
        )
    assert not FieldScore.objects.exists()


def test_it_refuses_a_score_that_is_no_number(published, county_admin):
    village = OrgUnit.objects.get(code=sampled(published.scheme, TOWNSHIP)[0])
    with pytest.raises(AssessmentError, match="宣传服务到户（半年考核）：请输入数字"):
        services.field_scores_record(
            actor=county_admin,
            scheme=published.scheme,
            village=village,
            scores={(published.publicity.pk, Part.HALF): ("十八", "")},
        )


def test_it_refuses_a_village_that_is_not_sampled(published, county_admin):
    others = {"620422100001", "620422100201", EXTRA_VILLAGE} - set(
        sampled(published.scheme, TOWNSHIP)
    )
    village = OrgUnit.objects.get(code=others.pop())
    with pytest.raises(AssessmentError, match=f"{village.name}不是本方案的抽样村"):
        services.field_scores_record(
            actor=county_admin,
            scheme=published.scheme,
            village=village,
            scores={(published.publicity.pk, Part.HALF): ("18", "")},
        )


def test_it_refuses_scores_before_publishing(draft, county_admin):
    village = OrgUnit.objects.get(code="620422100001")
    with pytest.raises(AssessmentError, match="方案发布并抽取样本村后才能录入"):
        services.field_scores_record(
            actor=county_admin, scheme=draft.scheme, village=village, scores={}
        )


def test_it_records_a_veto_once_with_evidence(published, county_admin):
    township = OrgUnit.objects.get(code=OTHER_TOWNSHIP)
    with pytest.raises(AssessmentError, match="请写明否决的事实与依据"):
        services.veto_record(
            actor=county_admin,
            scheme=published.scheme,
            township=township,
            reason="falsified",
            evidence=" ",
        )
    services.veto_record(
        actor=county_admin,
        scheme=published.scheme,
        township=township,
        reason="falsified",
        evidence="核查发现上报的随访记录与实际不符",
    )
    with pytest.raises(AssessmentError, match="郭城驿镇已被一票否决"):
        services.veto_record(
            actor=county_admin,
            scheme=published.scheme,
            township=township,
            reason="unlawful",
            evidence="又一事",
        )


def test_it_refuses_a_scheme_below_the_township_or_for_another_unit(units, township_clerk):
    with pytest.raises(AssessmentError, match="考核方案由县级（考核乡镇）或乡镇（考核村）编制"):
        services.scheme_create(
            actor=township_clerk, unit=OrgUnit.objects.get(code="620422100001"), year=2026,
            title="",
        )  # fmt: skip
    with pytest.raises(AssessmentError, match="只能为本单位编制考核方案"):
        services.scheme_create(
            actor=township_clerk, unit=OrgUnit.objects.get(code=OTHER_TOWNSHIP), year=2026,
            title="",
        )  # fmt: skip


def test_it_refuses_a_second_scheme_for_the_year(draft, county_admin):
    with pytest.raises(AssessmentError, match="会宁县2026年的考核方案已存在"):
        services.scheme_create(
            actor=county_admin, unit=OrgUnit.objects.get(code="620422"), year=2026, title=""
        )
