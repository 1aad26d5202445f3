"""Reads of the assessment, cut to the user's jurisdiction, and the scoring of a scheme.

A ranking needs every township of the county, so `scheme_results` scores them all (a
fixed handful of queries whatever their number); what a user sees of it is cut to their
jurisdiction by `results_for_user`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from famplan.accounts.roles import Cap
from famplan.assessment.models import (
    FieldScore,
    Item,
    ItemKind,
    Part,
    SampleVillage,
    Scheme,
    SchemeStatus,
    Veto,
    VetoEffect,
)
from famplan.assessment.scoring import Scored, score_indicator
from famplan.indicators.models import MeasureValue
from famplan.indicators.periods import Period, PeriodType, year_period
from famplan.indicators.selectors import ReportTable, indicator_rows
from famplan.orgunits.jurisdiction import (
    code_prefix_filter,
    jurisdiction_code,
    scope,
    unit_in_scope,
)
from famplan.orgunits.models import CODE_LENGTH, OrgUnit

TWO_PLACES = Decimal("0.01")


def schemes_for_user(user: Any) -> QuerySet[Scheme]:
    """The schemes that assess the user's unit (its county's, its township's) and those
    made in the user's jurisdiction; drafts only of the latter, and only for those who
    edit schemes."""
    code = jurisdiction_code(user)
    if code is None:
        return Scheme.objects.none()
    above = [code[:n] for n in (2, 4, 6, 9) if n < len(code)]
    own = Q(**code_prefix_filter("unit_id", code))
    rows = Scheme.objects.filter(Q(unit_id__in=above) | own)
    if user.can(Cap.ASSESSMENT_MANAGE):
        rows = rows.filter(Q(status=SchemeStatus.PUBLISHED) | own)
    else:
        rows = rows.filter(status=SchemeStatus.PUBLISHED)
    return rows.select_related("unit")


def get_scheme_for_user(user: Any, pk: int) -> Scheme:
    try:
        return schemes_for_user(user).get(pk=pk)
    except (Scheme.DoesNotExist, ValueError, TypeError):
        raise Http404("记录不存在") from None


def samples_for_user(user: Any, scheme: Scheme) -> QuerySet[SampleVillage]:
    return scope(scheme.samples.all(), user, "village").select_related("village", "township")


def get_sample_for_user(user: Any, scheme: Scheme, village_code: str) -> SampleVillage:
    """A sample village in the user's jurisdiction. A village that is not sampled is no
    404 for someone who may see it: the service refuses it with a message."""
    found = samples_for_user(user, scheme).filter(village_id=village_code).first()
    if found is None:
        raise Http404("记录不存在")
    return found


def scores_for_user(user: Any, scheme: Scheme) -> QuerySet[FieldScore]:
    return scope(FieldScore.objects.filter(item__scheme=scheme), user, "village").select_related(
        "item", "village", "inspector"
    )


def assessed_units(scheme: Scheme) -> list[OrgUnit]:
    """The units the scheme ranks: the county's townships, or the township's villages."""
    return list(
        OrgUnit.objects.filter(parent_id=scheme.unit_id, level=scheme.assessed_level).order_by(
            "code"
        )
    )


def vetoes_for_user(user: Any, scheme: Scheme) -> QuerySet[Veto]:
    return scope(scheme.vetoes.all(), user, "township").select_related("township", "recorded_by")


def points_total(scheme: Scheme) -> Decimal:
    return sum((i.points for i in scheme.items.all()), Decimal(0))


# --- scoring ---------------------------------------------------------------------------


@dataclass
class ItemScore:
    item: Item
    part: str
    points: Decimal
    reason: str
    value: str = "—"
    target: str = "—"


@dataclass
class TownshipResult:
    township: OrgUnit
    half: Decimal = Decimal(0)
    year: Decimal = Decimal(0)
    total: Decimal | None = None
    rank: int | None = None
    veto: Veto | None = None
    scores: dict[str, list[ItemScore]] = field(default_factory=dict)

    @property
    def rows(self) -> list[list[ItemScore]]:
        """Each item's half-year and annual score, one pair per item."""
        return [list(p) for p in zip(self.scores[Part.HALF], self.scores[Part.YEAR], strict=True)]


def period_of_part(year: int, part: str) -> Period:
    if part == Part.HALF:
        return Period(PeriodType.HALF, date(year, 1, 1))
    return year_period(year)


def _indicator_scores(
    scheme: Scheme, items: list[Item], townships: list[OrgUnit], part: str
) -> dict[tuple[str, int], ItemScore]:
    linked = [i for i in items if i.kind == ItemKind.INDICATOR]
    if not linked or not townships:
        return {}
    codes = list(dict.fromkeys(i.indicator for i in linked))
    table = ReportTable("assessment", scheme.title, [], codes)
    rows = indicator_rows(
        townships, period_of_part(scheme.year, part), MeasureValue.objects.all(), table
    )
    found = {}
    for row in rows:
        cells = {c.indicator.code: c for c in row.cells}
        for item in linked:
            cell = cells[item.indicator]
            target = cell.target
            unit = cell.indicator.unit_label
            scored = score_indicator(
                rule=item.rule,
                points=item.points,
                value=cell.estimate.value,
                direction=target.direction if target else None,
                low=target.low if target else None,
                high=target.high if target else None,
                step=item.step,
                step_points=item.step_points,
                fmt=f"{{:.{cell.indicator.decimals}f}}{unit}",
            )
            found[row.unit.code, item.pk] = ItemScore(
                item,
                part,
                scored.points,
                scored.reason,
                value=f"{cell.value_text}{unit}" if cell.estimate.known else "—",
                target=f"{target.text}{unit}（{target.source}）" if target else "—",
            )
    return found


def _manual_scores(
    scheme: Scheme, items: list[Item]
) -> tuple[dict[tuple[str, int, str], Scored], dict[str, int]]:
    samples: dict[str, int] = defaultdict(int)
    for township_id in scheme.samples.values_list("township_id", flat=True):
        samples[township_id] += 1
    sums: dict[tuple[str, int, str], list[Decimal]] = defaultdict(list)
    # The assessed unit's code: the first digits of a sample village's code.
    length = CODE_LENGTH[scheme.assessed_level]
    for village, item_id, part, score in FieldScore.objects.filter(item__scheme=scheme).values_list(
        "village_id", "item_id", "part", "score"
    ):
        sums[village[:length], item_id, part].append(score)
    found = {}
    for key, scores in sums.items():
        mean = (sum(scores, Decimal(0)) / len(scores)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )
        if scheme.by_township:  # the village's own score
            found[key] = Scored(mean, f"实地核查得分{mean.normalize():f}")
            continue
        found[key] = Scored(
            mean,
            f"{len(scores)}/{samples.get(key[0], 0)}个抽样村已核查，得分"
            f"{'、'.join(f'{s:g}' for s in scores)}，取平均",
        )
    return found, samples


def scheme_results(scheme: Scheme) -> list[TownshipResult]:
    """Every assessed unit (the county's townships, or the township's villages): per-item
    points with the reason, half-year
    and annual totals, the weighted total out of 100, vetoes and the ranking."""
    items = list(scheme.items.all())
    townships = assessed_units(scheme)
    vetoes = {v.township_id: v for v in scheme.vetoes.all()}
    manual, samples = _manual_scores(scheme, items)
    weight = Decimal(scheme.half_weight) / 100
    results = []
    for part in Part.values:
        indicator = _indicator_scores(scheme, items, townships, part)
        for index, township in enumerate(townships):
            if part == Part.HALF:
                results.append(TownshipResult(township))
            result = results[index]
            scores = []
            for item in items:
                if item.kind == ItemKind.INDICATOR:
                    scores.append(indicator[township.code, item.pk])
                    continue
                got = manual.get((township.code, item.pk, part))
                if got is None:
                    missing = (
                        "未录入核查得分"
                        if scheme.by_township
                        else f"{samples.get(township.code, 0)}个抽样村均未录入核查得分"
                    )
                    scores.append(ItemScore(item, part, Decimal(0), missing))
                else:
                    scores.append(ItemScore(item, part, got.points, got.reason))
            result.scores[part] = scores
            subtotal = sum((s.points for s in scores), Decimal(0))
            if part == Part.HALF:
                result.half = subtotal
            else:
                result.year = subtotal
    for result in results:
        result.total = (result.half * weight + result.year * (1 - weight)).quantize(
            TWO_PLACES, rounding=ROUND_HALF_UP
        )
        result.veto = vetoes.get(result.township.code)
        if result.veto:
            result.total = Decimal(0) if scheme.veto_effect == VetoEffect.ZERO else None
    _rank(results)
    return results


def _rank(results: list[TownshipResult]) -> None:
    """Standard competition ranking (1, 2, 2, 4) of the townships not vetoed; vetoed
    ones come last, with no place."""
    results.sort(key=lambda r: (r.veto is not None, -(r.total or 0), r.township.code))
    previous, place = None, 0
    for position, result in enumerate(results, start=1):
        if result.veto:
            continue
        if result.total != previous:
            place, previous = position, result.total
        result.rank = place


def results_for_user(user: Any, scheme: Scheme) -> list[TownshipResult]:
    """The ranking cut to the user's jurisdiction: a township sees its own row (with its
    place), the county every row."""
    return [r for r in scheme_results(scheme) if unit_in_scope(user, r.township.code)]


def get_result_for_user(user: Any, scheme: Scheme, township_code: str) -> TownshipResult:
    for result in results_for_user(user, scheme):
        if result.township.code == township_code:
            return result
    raise Http404("记录不存在")
