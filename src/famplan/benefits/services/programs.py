"""Program parameters: a change is a new row effective from a date, audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from famplan.audit.services import audit_log
from famplan.benefits.models import Program, ProgramParameters
from famplan.benefits.programs import RULES, dump_params, parse_params
from famplan.common.errors import DomainError

__all__ = ["parameters_set"]


def _is_county(actor: Any) -> bool:
    return len(actor.org_unit_id or "") <= 6


@transaction.atomic
def parameters_set(
    *, actor: Any, program: Program, effective_from: date, values: dict[str, Any], note: str = ""
) -> ProgramParameters:
    """New parameters of `program` from `effective_from`. A frozen cycle keeps its
    copied amounts; open cycles read the parameters again when their candidates are listed."""
    if not _is_county(actor):
        raise DomainError("项目参数只能由县级设定")
    rule = RULES[program.rule]
    try:
        parsed = parse_params(rule, values)
    except (ValueError, ArithmeticError):
        raise DomainError("参数格式有误，请检查金额、年龄和日期") from None
    for param in rule.params:
        if param.kind != "date" and parsed[param.key] < 0:
            raise DomainError(f"{param.label}不能为负数")
    stored = dump_params(rule, parsed)
    if ProgramParameters.objects.filter(program=program, effective_from=effective_from).exists():
        raise DomainError(f"{effective_from:%Y-%m-%d}起的参数已设定，请另选生效日期")
    row = ProgramParameters.objects.create(
        program=program, effective_from=effective_from, values=stored, note=note, set_by=actor
    )
    audit_log(
        actor=actor,
        action="benefits.parameters.set",
        target=program,
        detail={"effective_from": effective_from.isoformat(), "values": stored},
    )
    return row
