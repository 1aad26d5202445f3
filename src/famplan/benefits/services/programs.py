"""Program parameters: a change is a new row effective from a date, audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max

from famplan.audit.services import audit_log
from famplan.benefits.eligibility import params_on
from famplan.benefits.models import Program, ProgramParameters
from famplan.benefits.programs import RULES, dump_params, parse_params
from famplan.common.errors import DomainError

__all__ = ["local_program_create", "parameters_set", "program_update"]


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


def _name(name: str) -> str:
    name = name.strip()
    if not name:
        raise DomainError("请填写项目名称")
    if len(name) > 100:
        raise DomainError("项目名称不能超过100个字")
    return name


@transaction.atomic
def local_program_create(
    *, actor: Any, name: str, rule: str, description: str, effective_from: date
) -> Program:
    """A local program (地方项目) built on one of the national programs' rules: the same
    criteria, its own name and parameters. It starts from the current parameters of the
    national program of that rule, for the county to change on the program's page."""
    if not _is_county(actor):
        raise DomainError("地方项目只能由县级设立")
    if rule not in RULES:
        raise DomainError("请选择资格规则")
    name = _name(name)
    if Program.objects.filter(name=name).exists():
        raise DomainError(f"已有名为“{name}”的项目")
    base = Program.objects.filter(code=rule).first()
    if base is None:
        raise DomainError("该资格规则没有可参照的国家项目参数")
    start = dump_params(RULES[rule], params_on(base, effective_from))
    program = Program.objects.create(
        code=f"local-{(Program.objects.aggregate(last=Max('pk'))['last'] or 0) + 1}-{rule}"[:40],
        name=name,
        rule=rule,
        description=description.strip(),
    )
    ProgramParameters.objects.create(
        program=program,
        effective_from=effective_from,
        values=start,
        note=f"参照{base.name}，请按本地规定修改",
        set_by=actor,
    )
    audit_log(
        actor=actor,
        action="benefits.program.created",
        target=program,
        detail={"rule": rule, "effective_from": effective_from.isoformat(), "values": start},
    )
    return program


@transaction.atomic
def program_update(
    *, actor: Any, program: Program, name: str, description: str, active: bool
) -> Program:
    """A program's name, description and whether it is in use (a stopped program opens
    no new cycle and takes no application; its cycles stay as they are)."""
    if not _is_county(actor):
        raise DomainError("项目信息只能由县级修改")
    name = _name(name)
    if Program.objects.filter(name=name).exclude(pk=program.pk).exists():
        raise DomainError(f"已有名为“{name}”的项目")
    fields = {"name": name, "description": description.strip(), "active": active}
    changed = {k: [getattr(program, k), v] for k, v in fields.items() if getattr(program, k) != v}
    for key, value in fields.items():
        setattr(program, key, value)
    program.save(update_fields=list(fields))
    audit_log(actor=actor, action="benefits.program.updated", target=program, detail=changed)
    return program
