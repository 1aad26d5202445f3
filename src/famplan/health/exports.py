"""The health lists' exports, declared once (the registry's column declarations):
checks, the follow-up worklist, folic acid issues. ID numbers masked unless the full
numbers were asked for by a user with the right."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from famplan.health.models import (
    FollowUpKind,
    FollowUpResult,
    FollowUpStatus,
    QuantityUnit,
    RiskFactor,
    RiskLevel,
)
from famplan.registry.exports import RegistryExport, column, labels


@dataclass(frozen=True)
class HealthExport(RegistryExport):
    @property
    def action(self) -> str:
        return f"health.{self.kind}.exported"


def _factors(codes: list[str] | None) -> str:
    names = dict(RiskFactor.choices)
    return "、".join(names.get(c, c) for c in codes or [])


CHECKS = HealthExport(
    kind="check",
    sheet="孕前优生健康检查",
    columns=(
        column("村(居)代码", 14, "unit_id"),
        column("村(居)", 14, "unit__name"),
        column("女方姓名", 10, "wife__name"),
        column("女方身份证号", 22, "wife__id_number", id_number=True),
        column("男方姓名", 10, "husband__name"),
        column("男方身份证号", 22, "husband__id_number", id_number=True),
        column("检查日期", 12, "checked_on"),
        column("检查机构", 20, "facility"),
        column("风险评估", 10, "risk_level", show=labels(RiskLevel)),
        column("风险因素", 30, "risk_factors", show=_factors),
        column("咨询指导意见", 30, "advice"),
    ),
)


def _state(status: str, result: str) -> str:
    if status == FollowUpStatus.DONE:
        return dict(FollowUpResult.choices).get(result, result)
    return "待随访"


FOLLOWUPS = HealthExport(
    kind="followup",
    sheet="孕前优生随访",
    columns=(
        column("村(居)", 14, "unit__name"),
        column("随访类型", 14, "kind", show=labels(FollowUpKind)),
        column("女方姓名", 10, "check_record__wife__name"),
        column("女方身份证号", 22, "check_record__wife__id_number", id_number=True),
        column("男方姓名", 10, "check_record__husband__name"),
        column("联系电话", 14, "check_record__wife__phone"),
        column("检查日期", 12, "check_record__checked_on"),
        column("开始随访日期", 12, "opens_on"),
        column("应随访截止日期", 12, "due_on"),
        column("随访结果", 14, "status", "result", show=_state),
        column("随访日期", 12, "done_on"),
        column("备注", 30, "note"),
    ),
)


def _with_followups(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(
        n_visits=Count("followups"),
        n_taking=Count("followups", filter=Q(followups__taking=True)),
    )


FOLIC = HealthExport(
    kind="folic_issue",
    sheet="叶酸发放",
    columns=(
        column("村(居)代码", 14, "unit_id"),
        column("村(居)", 14, "unit__name"),
        column("姓名", 10, "woman__name"),
        column("身份证号", 22, "woman__id_number", id_number=True),
        column("发放日期", 12, "issued_on"),
        column("数量", 8, "quantity"),
        column("单位", 6, "quantity_unit", show=labels(QuantityUnit)),
        column("随访次数", 8, "n_visits"),
        column("随访中服用次数", 10, "n_taking"),
        column("备注", 30, "note"),
    ),
    prepare=_with_followups,
)
