"""Totals, ranking, vetoes and the explanation of every item's points."""

from __future__ import annotations

from decimal import Decimal

from famplan.assessment import selectors, services
from famplan.assessment.models import Part, VetoEffect
from famplan.orgunits.models import OrgUnit
from tests.assessment.conftest import OTHER_TOWNSHIP, TOWNSHIP, draft_scheme, sampled


def _score_all(fixture, actor, township: str, publicity: list[str], ledgers: str) -> None:
    for village, value in zip(sampled(fixture.scheme, township), publicity, strict=True):
        services.field_scores_record(
            actor=actor,
            scheme=fixture.scheme,
            village=OrgUnit.objects.get(code=village),
            scores={(fixture.publicity.pk, part): (value, "") for part in Part.values}
            | {(fixture.ledgers.pk, part): (ledgers, "") for part in Part.values},
        )


def _by_code(results):
    return {r.township.code: r for r in results}


def test_it_scores_ranks_and_explains(published, county_admin, django_assert_max_num_queries):
    _score_all(published, county_admin, TOWNSHIP, ["18", "17"], "20")
    _score_all(published, county_admin, OTHER_TOWNSHIP, ["20", "20"], "15")
    with django_assert_max_num_queries(12):
        results = selectors.scheme_results(published.scheme)
    ours, theirs = _by_code(results)[TOWNSHIP], _by_code(results)[OTHER_TOWNSHIP]
    # 会师镇: 40 (95% met) + 20 (all paid) + 17.5 (mean of 18, 17) + 20 = 97.5 each part.
    assert (ours.half, ours.year, ours.total, ours.rank) == (
        Decimal("97.5"),
        Decimal("97.5"),
        Decimal("97.50"),
        1,
    )
    # 郭城驿镇: 40 x 90/95 = 37.9, 20 - 3 x 2 = 14, 20, 15.
    assert theirs.total == Decimal("86.90")
    assert theirs.rank == 2
    supplies, benefits, publicity, _ = theirs.scores[Part.YEAR]
    assert supplies.value == "90.0%"
    assert supplies.target.startswith("≥95%")
    assert supplies.points == Decimal("37.9")
    assert "按完成比例94.7%得分" in supplies.reason
    assert benefits.points == 14
    assert "每差1扣2.0分" in benefits.reason
    assert "2/2个抽样村已核查" in publicity.reason


def test_it_weights_the_half_year(county_admin, extra_village, values):
    fixture = draft_scheme(county_admin, half_weight=40)
    fixture.scheme = services.scheme_publish(actor=county_admin, scheme=fixture.scheme)
    village = sampled(fixture.scheme, TOWNSHIP)[0]
    services.field_scores_record(
        actor=county_admin,
        scheme=fixture.scheme,
        village=OrgUnit.objects.get(code=village),
        scores={(fixture.publicity.pk, Part.HALF): ("10", "")},
    )
    ours = _by_code(selectors.scheme_results(fixture.scheme))[TOWNSHIP]
    # Half: 60 + 10 = 70; year: 60. 70 x 0.4 + 60 x 0.6 = 64.
    assert (ours.half, ours.year, ours.total) == (Decimal(70), Decimal(60), Decimal("64.00"))


def test_it_gives_a_vetoed_township_no_place(published, county_admin):
    services.veto_record(
        actor=county_admin,
        scheme=published.scheme,
        township=OrgUnit.objects.get(code=TOWNSHIP),
        reason="falsified",
        evidence="统计数据弄虚作假",
    )
    results = selectors.scheme_results(published.scheme)
    ours, theirs = _by_code(results)[TOWNSHIP], _by_code(results)[OTHER_TOWNSHIP]
    assert (ours.total, ours.rank) == (None, None)
    assert theirs.rank == 1
    assert results[-1] is ours


def test_it_gives_a_vetoed_township_zero_when_the_scheme_says_so(published, county_admin):
    published.scheme.veto_effect = VetoEffect.ZERO
    published.scheme.save(update_fields=["veto_effect"])
    services.veto_record(
        actor=county_admin,
        scheme=published.scheme,
        township=OrgUnit.objects.get(code=TOWNSHIP),
        reason="unlawful",
        evidence="违法违规",
    )
    ours = _by_code(selectors.scheme_results(published.scheme))[TOWNSHIP]
    assert (ours.total, ours.rank) == (Decimal(0), None)


def test_it_shares_a_place_on_a_tie(published):
    for r in selectors.scheme_results(published.scheme):
        assert r.rank in (1, 2)


def test_a_township_sees_only_its_own_result(published, township_clerk, village_worker):
    assert [
        r.township.code for r in selectors.results_for_user(township_clerk, published.scheme)
    ] == [TOWNSHIP]
    assert selectors.results_for_user(village_worker, published.scheme) == []
